import pytest

from tests.lint.cases import Case, check, lint_sql

RULE = "drop-index-blocking"
T = "CREATE TABLE t (a int);\nCREATE INDEX i ON t (a)"
CASES = [
    Case("postgresql", "DROP INDEX i;", fires=True, setup=T),
    Case("postgresql", "DROP INDEX IF EXISTS i CASCADE;", fires=True, setup=T),
    Case("postgresql", "DROP INDEX CONCURRENTLY i;", fires=False, setup=T, transactional=False),
    Case("postgresql", "DROP TABLE t;", fires=False, setup=T),
    Case(
        "postgresql",
        "CREATE TABLE n (a int);\nCREATE INDEX j ON n (a);\nDROP INDEX j;",
        fires=False,
    ),
    Case("mysql", "DROP INDEX i ON t;", fires=False, setup=T),
    Case("sqlite", "DROP INDEX i;", fires=False, setup=T),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_rule(case: Case) -> None:
    check(case, RULE)


def test_message_names_the_index_and_the_concurrent_fix() -> None:
    (finding,) = [f for f in lint_sql("DROP INDEX i;") if f.rule == RULE]
    assert '"i"' in finding.message
    assert "ACCESS EXCLUSIVE" in finding.why
    assert "DROP INDEX CONCURRENTLY" in finding.fix
