import pytest

from tests.lint.cases import Case, check, lint_sql

RULE = "unique-constraint-blocking"
T = "CREATE TABLE t (a int NOT NULL, b int)"
CASES = [
    Case("postgresql", "ALTER TABLE t ADD CONSTRAINT u UNIQUE (a);", fires=True, setup=T),
    Case("postgresql", "ALTER TABLE t ADD PRIMARY KEY (a);", fires=True, setup=T),
    Case("postgresql", "ALTER TABLE t ADD COLUMN id bigserial PRIMARY KEY;", fires=True, setup=T),
    Case(
        "postgresql",
        "ALTER TABLE t ADD CONSTRAINT u UNIQUE USING INDEX i;",
        fires=False,
        setup=T + ";\nCREATE UNIQUE INDEX i ON t (a)",
    ),
    Case(
        "postgresql",
        "ALTER TABLE t ADD CONSTRAINT pk PRIMARY KEY USING INDEX i;",
        fires=False,
        setup=T + ";\nCREATE UNIQUE INDEX i ON t (a)",
    ),
    Case("postgresql", "CREATE TABLE n (a int);\nALTER TABLE n ADD PRIMARY KEY (a);", fires=False),
    Case("postgresql", "CREATE TABLE n (a int PRIMARY KEY, b int UNIQUE);", fires=False),
    Case("mysql", "ALTER TABLE t ADD UNIQUE (a);", fires=False, setup=T),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_rule(case: Case) -> None:
    check(case, RULE)


def test_message_names_constraint_and_table() -> None:
    (finding,) = [
        f for f in lint_sql("ALTER TABLE t ADD CONSTRAINT u UNIQUE (a);") if f.rule == RULE
    ]
    assert '"u"' in finding.message and '"t"' in finding.message
    assert "USING INDEX" in finding.fix and "CONCURRENTLY" in finding.fix
