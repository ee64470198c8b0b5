import pytest

from tests.lint.cases import Case, check, lint_sql

RULE = "multiple-alter-actions"
T = "CREATE TABLE t (a int, b int)"
CASES = [
    Case(
        "postgresql",
        "ALTER TABLE t ALTER COLUMN a SET NOT NULL, ADD COLUMN c int;",
        fires=True,
        setup=T,
    ),
    Case(
        "postgresql",
        "ALTER TABLE t ALTER COLUMN a TYPE bigint, ALTER COLUMN b SET DEFAULT 0;",
        fires=True,
        setup=T,
    ),
    Case(
        "postgresql",
        "ALTER TABLE t ADD CONSTRAINT ck CHECK (a > 0), ADD COLUMN c int;",
        fires=True,
        setup=T,
    ),
    Case(
        "postgresql",
        "ALTER TABLE t ADD CONSTRAINT ck CHECK (a > 0) NOT VALID, ADD COLUMN c int;",
        fires=False,
        setup=T,
    ),
    Case(
        "postgresql",
        "ALTER TABLE t ALTER COLUMN a TYPE bigint, ALTER COLUMN b TYPE bigint;",
        fires=False,
        setup=T,
    ),
    Case("postgresql", "ALTER TABLE t ADD COLUMN c int, ADD COLUMN d text;", fires=False, setup=T),
    Case(
        "postgresql",
        "CREATE TABLE n (a int, b int);\nALTER TABLE n ALTER COLUMN a SET NOT NULL, ADD COLUMN c int;",
        fires=False,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_rule(case: Case) -> None:
    check(case, RULE)


def test_message_names_the_slow_and_the_quick_actions() -> None:
    sql = "ALTER TABLE t ALTER COLUMN a SET NOT NULL, ADD COLUMN c int;"
    (finding,) = [f for f in lint_sql(sql) if f.rule == RULE]
    assert 'SET NOT NULL on "a"' in finding.message
    assert 'add column "c"' in finding.message and '"t"' in finding.message
    assert str(finding.severity) == "warning"
