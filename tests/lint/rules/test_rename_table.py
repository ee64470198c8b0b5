import pytest

from tests.lint.cases import Case, check, lint_sql

RULE = "rename-table"
T = "CREATE TABLE t (a int)"
CASES = [
    Case("postgresql", "ALTER TABLE t RENAME TO u;", fires=True, setup=T),
    Case("postgresql", "CREATE TABLE n (a int);\nALTER TABLE n RENAME TO u;", fires=False),
    Case("mysql", "RENAME TABLE t TO u;", fires=True, setup=T),
    Case("mysql", "ALTER TABLE t RENAME TO u;", fires=True, setup=T),
    Case("mysql", "CREATE TABLE n (a int);\nRENAME TABLE n TO u;", fires=False),
    Case("sqlite", "ALTER TABLE t RENAME TO u;", fires=True, setup=T),
    Case("sqlite", "CREATE TABLE n (a int);\nALTER TABLE n RENAME TO u;", fires=False),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_rule(case: Case) -> None:
    check(case, RULE)


def test_fix_offers_a_view_under_the_old_name() -> None:
    (finding,) = [f for f in lint_sql("ALTER TABLE t RENAME TO u;") if f.rule == RULE]
    assert '"t"' in finding.message and '"u"' in finding.message
    assert "view" in finding.fix
