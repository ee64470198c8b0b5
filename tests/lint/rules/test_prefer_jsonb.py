import pytest

from tests.lint.cases import Case, check, lint_sql

RULE = "prefer-jsonb"
T = "CREATE TABLE t (id bigint)"
CASES = [
    Case("postgresql", "CREATE TABLE n (id bigint, c json);", fires=True),
    Case("postgresql", "ALTER TABLE t ADD COLUMN c json;", fires=True, setup=T),
    Case("postgresql", "CREATE TABLE n (id bigint, c jsonb);", fires=False),
    Case("postgresql", "ALTER TABLE t ADD COLUMN c jsonb;", fires=False, setup=T),
    Case("mysql", "CREATE TABLE n (id bigint, c json);", fires=False),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_rule(case: Case) -> None:
    check(case, RULE)


def test_is_a_notice_naming_the_column() -> None:
    (finding,) = [f for f in lint_sql("ALTER TABLE t ADD COLUMN c json;") if f.rule == RULE]
    assert str(finding.severity) == "notice"
    assert '"c"' in finding.message and '"t"' in finding.message
