import pytest

from tests.lint.cases import Case, check, lint_sql

RULE = "drop-not-null"
T = "CREATE TABLE t (a int NOT NULL)"
CASES = [
    Case("postgresql", "ALTER TABLE t ALTER COLUMN a DROP NOT NULL;", fires=True, setup=T),
    Case("postgresql", "ALTER TABLE t ALTER COLUMN a SET NOT NULL;", fires=False, setup=T),
    Case(
        "postgresql",
        "CREATE TABLE n (a int NOT NULL);\nALTER TABLE n ALTER COLUMN a DROP NOT NULL;",
        fires=False,
    ),
    Case("mysql", "ALTER TABLE t MODIFY a int NULL;", fires=True, setup=T),
    Case("mysql", "ALTER TABLE t MODIFY a bigint;", fires=True, setup=T),
    Case("mysql", "ALTER TABLE t MODIFY a bigint NOT NULL;", fires=False, setup=T),
    Case("mysql", "ALTER TABLE t CHANGE a b int NOT NULL;", fires=False, setup=T),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_rule(case: Case) -> None:
    check(case, RULE)


def test_mysql_restated_column_without_not_null_is_called_out() -> None:
    (finding,) = [f for f in lint_sql("ALTER TABLE t MODIFY a bigint;", "mysql") if f.rule == RULE]
    assert str(finding.severity) == "warning"
    assert "without NOT NULL" in finding.message and '"a"' in finding.message
