import pytest

from tests.lint.cases import Case, check, lint_sql

RULE = "rename-column"
T = "CREATE TABLE t (a int, b int)"
CASES = [
    Case("postgresql", "ALTER TABLE t RENAME COLUMN a TO c;", fires=True, setup=T),
    Case("postgresql", "ALTER TABLE t RENAME a TO c;", fires=True, setup=T),
    Case("postgresql", "CREATE TABLE n (a int);\nALTER TABLE n RENAME COLUMN a TO c;", fires=False),
    Case("postgresql", "ALTER TABLE t ALTER COLUMN a SET DEFAULT 1;", fires=False, setup=T),
    Case("mysql", "ALTER TABLE t RENAME COLUMN a TO c;", fires=True, setup=T),
    Case("mysql", "ALTER TABLE t CHANGE a c int;", fires=True, setup=T),
    Case("mysql", "ALTER TABLE t CHANGE a a bigint;", fires=False, setup=T),
    Case("sqlite", "ALTER TABLE t RENAME COLUMN a TO c;", fires=True, setup=T),
    Case("sqlite", "CREATE TABLE n (a int);\nALTER TABLE n RENAME COLUMN a TO c;", fires=False),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_rule(case: Case) -> None:
    check(case, RULE)


def test_message_names_old_and_new_column() -> None:
    (finding,) = [f for f in lint_sql("ALTER TABLE t CHANGE a c int;", "mysql") if f.rule == RULE]
    assert '"a"' in finding.message and '"c"' in finding.message and '"t"' in finding.message
