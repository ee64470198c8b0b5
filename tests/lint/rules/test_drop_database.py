import pytest

from tests.lint.cases import Case, check, lint_sql

RULE = "drop-database"
CASES = [
    Case(
        "postgresql",
        "DROP DATABASE lint_gone;",
        fires=True,
        no_run="DROP DATABASE cannot run inside the transaction the example runner opens",
    ),
    Case("postgresql", "DROP SCHEMA s CASCADE;", fires=True, setup="CREATE SCHEMA s"),
    Case("postgresql", "DROP SCHEMA s;", fires=False, setup="CREATE SCHEMA s"),
    Case("postgresql", "CREATE SCHEMA s;", fires=False),
    Case("mysql", "DROP DATABASE lint_gone;", fires=True, setup="CREATE DATABASE lint_gone"),
    Case("mysql", "DROP SCHEMA lint_gone;", fires=True, setup="CREATE DATABASE lint_gone"),
    Case("mysql", "CREATE TABLE t (a int);", fires=False),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_rule(case: Case) -> None:
    check(case, RULE)


def test_message_names_the_database() -> None:
    (finding,) = [f for f in lint_sql("DROP SCHEMA lint_gone;", "mysql") if f.rule == RULE]
    assert '"lint_gone"' in finding.message
