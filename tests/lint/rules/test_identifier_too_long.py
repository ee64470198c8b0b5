import pytest

from tests.lint.cases import Case, check, lint_sql

RULE = "identifier-too-long"
LONG = "a" * 64
OK = "b" * 63
CASES = [
    Case("postgresql", f"CREATE TABLE {LONG} (id bigint);", fires=True),
    Case("postgresql", f'CREATE TABLE t (id bigint, "{LONG}" int);', fires=True),
    Case("postgresql", f"CREATE TABLE {OK} (id bigint);", fires=False),
    Case("postgresql", f"SELECT 1 AS {LONG};", fires=False),
    Case(
        "mysql",
        f"CREATE TABLE t (id bigint, {'c' * 65} int);",
        fires=True,
        no_run="MariaDB refuses identifiers over 64 characters: the hazard itself",
    ),
    Case("mysql", f"CREATE TABLE t (id bigint, {'c' * 64} int);", fires=False),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_rule(case: Case) -> None:
    check(case, RULE)


def test_postgresql_counts_bytes_and_shows_the_truncated_name() -> None:
    name = "é" * 32  # 64 bytes, 32 characters
    (finding,) = [f for f in lint_sql(f'CREATE TABLE "{name}" (id bigint);') if f.rule == RULE]
    assert "64 bytes" in finding.message
    assert "é" * 31 in finding.why and str(finding.severity) == "error"


def test_each_name_once_per_statement() -> None:
    sql = f"CREATE TABLE t (id bigint);\nCREATE INDEX {LONG} ON t (id);\nDROP INDEX {LONG};"
    found = [f.line for f in lint_sql(sql) if f.rule == RULE]
    assert found == [3, 4]
