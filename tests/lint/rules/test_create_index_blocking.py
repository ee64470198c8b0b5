import pytest

from tests.lint.cases import Case, check, lint_sql

RULE = "create-index-blocking"
T = "CREATE TABLE t (a int, b text)"
CASES = [
    Case("postgresql", "CREATE INDEX i ON t (a);", fires=True, setup=T),
    Case("postgresql", "CREATE UNIQUE INDEX i ON t (a);", fires=True, setup=T),
    Case(
        "postgresql",
        "CREATE INDEX CONCURRENTLY i ON t (a);",
        fires=False,
        setup=T,
        transactional=False,
    ),
    Case("postgresql", "CREATE TABLE n (a int);\nCREATE INDEX i ON n (a);", fires=False),
    Case("mysql", "CREATE FULLTEXT INDEX i ON t (b);", fires=True, setup=T),
    Case("mysql", "ALTER TABLE t ADD INDEX i (a), ALGORITHM=COPY;", fires=True, setup=T),
    Case(
        "mysql",
        "ALTER TABLE t ADD INDEX i (a), ALGORITHM=INPLACE, LOCK=NONE;",
        fires=False,
        setup=T,
    ),
    Case("mysql", "CREATE INDEX i ON t (a) ALGORITHM=INPLACE LOCK=NONE;", fires=False, setup=T),
    Case("sqlite", "CREATE INDEX i ON t (a);", fires=False, setup=T),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_rule(case: Case) -> None:
    check(case, RULE)


def test_plain_index_on_mysql_is_only_a_warning() -> None:
    (finding,) = [f for f in lint_sql("CREATE INDEX i ON t (a);", "mysql") if f.rule == RULE]
    assert str(finding.severity) == "warning"
    assert "LOCK=NONE" in finding.fix


def test_message_names_index_table_and_line() -> None:
    (finding,) = [f for f in lint_sql("SELECT 1;\nCREATE INDEX i ON t (a);") if f.rule == RULE]
    assert finding.line == 3
    assert '"i"' in finding.message and '"t"' in finding.message
