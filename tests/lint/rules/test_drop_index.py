import pytest

from tests.lint.cases import Case, check, lint_sql

RULE = "drop-index"
T = "CREATE TABLE t (a int);\nCREATE INDEX i ON t (a)"
CASES = [
    Case("postgresql", "DROP INDEX i;", fires=True, setup=T),
    Case("postgresql", "DROP INDEX CONCURRENTLY i;", fires=True, setup=T, transactional=False),
    Case("postgresql", "CREATE INDEX j ON t (a);", fires=False, setup=T),
    Case("mysql", "DROP INDEX i ON t;", fires=True, setup=T),
    Case("mysql", "ALTER TABLE t DROP INDEX i;", fires=True, setup=T),
    Case("mysql", "CREATE TABLE n (a int, KEY k (a));\nALTER TABLE n DROP INDEX k;", fires=False),
    Case("sqlite", "DROP INDEX i;", fires=True, setup=T),
    Case("sqlite", "CREATE INDEX j ON t (a);", fires=False, setup=T),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_rule(case: Case) -> None:
    check(case, RULE)


def test_is_a_warning_naming_the_index() -> None:
    (finding,) = [f for f in lint_sql("DROP INDEX i ON t;", "mysql") if f.rule == RULE]
    assert str(finding.severity) == "warning"
    assert '"i"' in finding.message and '"t"' in finding.message
    assert "INVISIBLE" in finding.fix
