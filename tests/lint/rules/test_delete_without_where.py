import pytest

from tests.lint.cases import Case, check, lint_sql

RULE = "delete-without-where"
T = "CREATE TABLE t (a int, b int)"
CASES = [
    Case("postgresql", "DELETE FROM t;", fires=True, setup=T),
    Case("postgresql", "UPDATE t SET b = 0;", fires=True, setup=T),
    Case("postgresql", "DELETE FROM t WHERE a = 1;", fires=False, setup=T),
    Case("postgresql", "UPDATE t SET b = 0 WHERE b IS NULL;", fires=False, setup=T),
    Case("postgresql", "CREATE TABLE n (a int);\nDELETE FROM n;", fires=False),
    Case("mysql", "DELETE FROM t;", fires=True, setup=T),
    Case("mysql", "UPDATE t SET b = 0;", fires=True, setup=T),
    Case("mysql", "DELETE FROM t WHERE a = 1;", fires=False, setup=T),
    Case("sqlite", "DELETE FROM t;", fires=True, setup=T),
    Case("sqlite", "UPDATE t SET b = 0 WHERE a > 5;", fires=False, setup=T),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_rule(case: Case) -> None:
    check(case, RULE)


def test_delete_is_an_error_update_a_warning() -> None:
    found = {
        f.message.split(": ")[1].split()[0]: str(f.severity)
        for f in lint_sql("DELETE FROM t;\nUPDATE t SET b = 0;")
        if f.rule == RULE
    }
    assert found == {"DELETE": "error", "UPDATE": "warning"}
