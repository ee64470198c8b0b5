import pytest

from tests.lint.cases import Case, check, lint_sql

RULE = "table-rewrite-command"
T = "CREATE TABLE t (a int);\nCREATE INDEX i ON t (a)"
M = "CREATE TABLE t (a int)"
CASES = [
    Case("postgresql", "VACUUM FULL t;", fires=True, setup=T, transactional=False),
    Case("postgresql", "VACUUM (FULL, ANALYZE) t;", fires=True, setup=T, transactional=False),
    Case("postgresql", "CLUSTER t USING i;", fires=True, setup=T),
    Case("postgresql", "VACUUM (ANALYZE) t;", fires=False, setup=T, transactional=False),
    Case("postgresql", "ALTER TABLE t SET UNLOGGED;", fires=True, setup=T),
    Case("postgresql", "ALTER TABLE t SET LOGGED;", fires=True, setup=T),
    Case("postgresql", "ALTER TABLE t SET (fillfactor = 70);", fires=False, setup=T),
    Case("postgresql", "CREATE UNLOGGED TABLE u (a int);\nALTER TABLE u SET LOGGED;", fires=False),
    Case("postgresql", "ANALYZE t;", fires=False, setup=T),
    Case("mysql", "OPTIMIZE TABLE t;", fires=True, setup=M),
    Case("mysql", "ANALYZE TABLE t;", fires=False, setup=M),
    Case("sqlite", "VACUUM;", fires=False, transactional=False),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_rule(case: Case) -> None:
    check(case, RULE)


def test_postgresql_is_an_error_naming_the_table() -> None:
    (finding,) = [f for f in lint_sql("CLUSTER t USING i;") if f.rule == RULE]
    assert str(finding.severity) == "error" and '"t"' in finding.message
    assert "pg_repack" in finding.fix


def test_optimize_table_is_a_warning() -> None:
    (finding,) = [f for f in lint_sql("OPTIMIZE TABLE t;", "mysql") if f.rule == RULE]
    assert str(finding.severity) == "warning" and '"t"' in finding.message
