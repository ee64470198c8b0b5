import pytest

from dbshift.lint.rule import Server
from tests.lint.cases import Case, check, lint_sql

RULE = "missing-lock-timeout"
T = "CREATE TABLE t (a int)"
CASES = [
    Case("postgresql", "ALTER TABLE t ADD COLUMN b int;", fires=True, setup=T),
    Case(
        "postgresql",
        "SET lock_timeout = '2s';\nALTER TABLE t ADD COLUMN b int;",
        fires=False,
        setup=T,
    ),
    Case(
        "postgresql",
        "SET LOCAL lock_timeout = 2000;\nALTER TABLE t ADD COLUMN b int;",
        fires=False,
        setup=T,
    ),
    Case(
        "postgresql", "SET lock_timeout = 0;\nALTER TABLE t ADD COLUMN b int;", fires=True, setup=T
    ),
    Case("postgresql", "CREATE TABLE n (a int);\nCREATE INDEX i ON n (a);", fires=False),
    Case(
        "postgresql",
        "CREATE INDEX CONCURRENTLY i ON t (a);",
        fires=False,
        setup=T,
        transactional=False,
    ),
    Case("postgresql", "INSERT INTO t VALUES (1);", fires=False, setup=T),
    Case("mysql", "ALTER TABLE t ADD COLUMN b int;", fires=True, setup=T),
    Case(
        "mysql",
        "SET SESSION lock_wait_timeout = 5;\nALTER TABLE t ADD COLUMN b int;",
        fires=False,
        setup=T,
    ),
    Case("mysql", "CREATE TABLE n (a int);\nALTER TABLE n ADD COLUMN b int;", fires=False),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_rule(case: Case) -> None:
    check(case, RULE)


def test_one_finding_per_file_naming_the_table() -> None:
    sql = "ALTER TABLE t ADD COLUMN b int;\nALTER TABLE u ADD COLUMN c int;"
    found = [f for f in lint_sql(sql) if f.rule == RULE]
    assert len(found) == 1 and '"t"' in found[0].message
    assert "online engine" in found[0].fix and str(found[0].severity) == "warning"


def test_a_timeout_set_after_the_first_ddl_is_too_late() -> None:
    sql = "ALTER TABLE t ADD COLUMN b int;\nSET lock_timeout = '2s';"
    assert RULE in {f.rule for f in lint_sql(sql)}


def test_mariadb_and_mysql_defaults_differ() -> None:
    sql = "ALTER TABLE t ADD COLUMN b int;"
    for server, wait in (
        (Server("mariadb", (10, 11)), "86400"),
        (Server("mysql", (8, 0)), "31536000"),
    ):
        (finding,) = [f for f in lint_sql(sql, "mysql", server=server) if f.rule == RULE]
        assert wait in finding.why
