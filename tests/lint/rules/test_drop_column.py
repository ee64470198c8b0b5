import pytest

from tests.lint.cases import Case, check, lint_sql

RULE = "drop-column"
T = "CREATE TABLE t (a int, b int)"
CASES = [
    Case("postgresql", "ALTER TABLE t DROP COLUMN b;", fires=True, setup=T),
    Case("postgresql", "CREATE TABLE n (a int, b int);\nALTER TABLE n DROP COLUMN b;", fires=False),
    Case("postgresql", "ALTER TABLE t ADD COLUMN c int;", fires=False, setup=T),
    Case("mysql", "ALTER TABLE t DROP COLUMN b;", fires=True, setup=T),
    Case("mysql", "ALTER TABLE t DROP b, ALGORITHM=INSTANT;", fires=True, setup=T),
    Case("mysql", "CREATE TABLE n (a int, b int);\nALTER TABLE n DROP COLUMN b;", fires=False),
    Case("sqlite", "ALTER TABLE t DROP COLUMN b;", fires=True, setup=T),
    Case("sqlite", "ALTER TABLE t RENAME COLUMN b TO c;", fires=False, setup=T),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_rule(case: Case) -> None:
    check(case, RULE)


def test_sqlite_message_says_the_table_is_rewritten() -> None:
    (finding,) = [f for f in lint_sql("ALTER TABLE t DROP COLUMN b;", "sqlite") if f.rule == RULE]
    assert '"b"' in finding.message and '"t"' in finding.message
    assert "rewrites every row" in finding.why
