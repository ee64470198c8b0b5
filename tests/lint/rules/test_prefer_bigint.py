import pytest

from tests.lint.cases import Case, check, lint_sql

RULE = "prefer-bigint"
T = "CREATE TABLE t (id bigint)"
CASES = [
    Case("postgresql", "CREATE TABLE n (id bigint, c integer);", fires=True),
    Case("postgresql", "ALTER TABLE t ADD COLUMN c integer;", fires=True, setup=T),
    Case("postgresql", "CREATE TABLE n (id bigint, c bigint);", fires=False),
    Case("postgresql", "ALTER TABLE t ADD COLUMN c bigint;", fires=False, setup=T),
    Case("mysql", "CREATE TABLE n (id bigint, c int);", fires=False),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_rule(case: Case) -> None:
    check(case, RULE)


def test_is_a_notice_naming_the_column() -> None:
    (finding,) = [f for f in lint_sql("ALTER TABLE t ADD COLUMN c integer;") if f.rule == RULE]
    assert str(finding.severity) == "notice"
    assert '"c"' in finding.message and '"t"' in finding.message


@pytest.mark.parametrize("kind", ["smallint", "int2", "int4", "serial", "smallserial"])
def test_every_narrow_integer_is_reported(kind: str) -> None:
    assert [f for f in lint_sql(f"CREATE TABLE n (c {kind});") if f.rule == RULE]
