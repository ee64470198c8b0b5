import pytest

from tests.lint.cases import Case, check, lint_sql

RULE = "truncate"
T = "CREATE TABLE t (a int)"
CASES = [
    Case("postgresql", "TRUNCATE t;", fires=True, setup=T),
    Case("postgresql", "TRUNCATE TABLE t CASCADE;", fires=True, setup=T),
    Case("postgresql", "CREATE TABLE n (a int);\nTRUNCATE n;", fires=False),
    Case("postgresql", "DELETE FROM t WHERE a = 1;", fires=False, setup=T),
    Case("mysql", "TRUNCATE TABLE t;", fires=True, setup=T),
    Case("mysql", "CREATE TABLE n (a int);\nTRUNCATE TABLE n;", fires=False),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_rule(case: Case) -> None:
    check(case, RULE)


def test_cascade_names_the_referencing_tables_danger() -> None:
    (finding,) = [f for f in lint_sql("TRUNCATE t CASCADE;") if f.rule == RULE]
    assert "CASCADE" in finding.message and "foreign key" in finding.why
