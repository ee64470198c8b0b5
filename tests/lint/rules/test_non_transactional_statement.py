import pytest

from dbshift.lint.rule import Server
from tests.lint.cases import Case, check, lint_sql

RULE = "non-transactional-statement"
T = "CREATE TABLE t (a int);\nCREATE INDEX i ON t (a)"
P = (
    "CREATE TABLE p (id int) PARTITION BY RANGE (id);\n"
    "CREATE TABLE c PARTITION OF p FOR VALUES FROM (0) TO (10)"
)
CASES = [
    Case("postgresql", "CREATE INDEX CONCURRENTLY j ON t (a);", fires=True, setup=T),
    Case(
        "postgresql",
        "CREATE INDEX CONCURRENTLY j ON t (a);",
        fires=False,
        setup=T,
        transactional=False,
    ),
    Case("postgresql", "DROP INDEX CONCURRENTLY i;", fires=True, setup=T),
    Case("postgresql", "REINDEX INDEX CONCURRENTLY i;", fires=True, setup=T),
    Case("postgresql", "REINDEX TABLE t;", fires=False, setup=T),
    Case("postgresql", "VACUUM t;", fires=True, setup=T),
    Case("postgresql", "VACUUM t;", fires=False, setup=T, transactional=False),
    Case("postgresql", "ANALYZE t;", fires=False, setup=T),
    Case("postgresql", "ALTER TABLE p DETACH PARTITION c CONCURRENTLY;", fires=True, setup=P),
    Case("postgresql", "ALTER TABLE p DETACH PARTITION c;", fires=False, setup=P),
    Case(
        "postgresql",
        "ALTER SYSTEM SET log_min_duration_statement = '1s';",
        fires=True,
        no_run="changes the test server's configuration file",
    ),
    Case(
        "postgresql",
        "CREATE DATABASE lint_case_db;",
        fires=True,
        no_run="creates a database outside the test's scratch schema",
    ),
    Case(
        "postgresql", "CREATE TYPE mood AS ENUM ('a');\nALTER TYPE mood ADD VALUE 'b';", fires=False
    ),
    Case("sqlite", "VACUUM;", fires=True),
    Case("sqlite", "VACUUM;", fires=False, transactional=False),
    Case("mysql", "OPTIMIZE TABLE t;", fires=False, setup="CREATE TABLE t (a int)"),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_rule(case: Case) -> None:
    check(case, RULE)


def test_message_names_the_statement_and_the_directive() -> None:
    (finding,) = [f for f in lint_sql("CREATE INDEX CONCURRENTLY j ON t (a);") if f.rule == RULE]
    assert '"j"' in finding.message and '"t"' in finding.message
    assert "dbshift:no-transaction" in finding.fix


def test_add_enum_value_in_a_transaction_only_before_postgresql_12() -> None:
    sql = "ALTER TYPE mood ADD VALUE 'b';"
    assert RULE in {f.rule for f in lint_sql(sql, server=Server("postgresql", (11,)))}
    assert RULE not in {f.rule for f in lint_sql(sql, server=Server("postgresql", (12,)))}


def test_a_plain_file_outside_begin_is_not_in_a_transaction() -> None:
    assert RULE not in {f.rule for f in lint_sql("VACUUM t;", plain=True)}
    found = lint_sql("BEGIN;\nVACUUM t;\nCOMMIT;", plain=True)
    assert RULE in {f.rule for f in found}
