import pytest

from dbshift.dialects import classes
from dbshift.lint.rule import Server
from tests.lint.cases import Case, check, lint_sql

RULE = "missing-lock-timeout"
T = "CREATE TABLE t (a int)"
OFF = "-- dbshift:lock-timeout off\n"
CASES = [
    # The runner sets ddl_lock_timeout for every migration: no SET needed in the file.
    Case("postgresql", "ALTER TABLE t ADD COLUMN b int;", fires=False, setup=T),
    Case(
        "postgresql",
        "SET lock_timeout = '2s';\nALTER TABLE t ADD COLUMN b int;",
        fires=False,
        setup=T,
    ),
    # ... and speaks where a file turns that protection off.
    Case(
        "postgresql", "SET lock_timeout = 0;\nALTER TABLE t ADD COLUMN b int;", fires=True, setup=T
    ),
    Case(
        "postgresql",
        "SET LOCAL lock_timeout = '0';\nALTER TABLE t ADD COLUMN b int;",
        fires=True,
        setup=T,
    ),
    Case(
        "postgresql",
        f"{OFF}ALTER TABLE t ADD COLUMN b int;",
        fires=True,
        setup=T,
    ),
    Case("postgresql", f"{OFF}CREATE TABLE n (a int);\nCREATE INDEX i ON n (a);", fires=False),
    Case(
        "postgresql",
        f"{OFF}CREATE INDEX CONCURRENTLY i ON t (a);",
        fires=False,
        setup=T,
        transactional=False,
    ),
    Case("postgresql", f"{OFF}INSERT INTO t VALUES (1);", fires=False, setup=T),
    Case(
        "postgresql",
        f"{OFF}SET lock_timeout = '2s';\nALTER TABLE t ADD COLUMN b int;",
        fires=False,
        setup=T,
    ),
    Case("mysql", "ALTER TABLE t ADD COLUMN b int;", fires=False, setup=T),
    Case("mysql", f"{OFF}ALTER TABLE t ADD COLUMN b int;", fires=True, setup=T),
    Case(
        "mysql",
        "SET SESSION lock_wait_timeout = DEFAULT;\nALTER TABLE t ADD COLUMN b int;",
        fires=True,
        setup=T,
    ),
    Case(
        "mysql",
        f"{OFF}SET SESSION lock_wait_timeout = 5;\nALTER TABLE t ADD COLUMN b int;",
        fires=False,
        setup=T,
    ),
    Case("mysql", f"{OFF}CREATE TABLE n (a int);\nALTER TABLE n ADD COLUMN b int;", fires=False),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_rule(case: Case) -> None:
    check(case, RULE)


def test_one_finding_per_file_naming_the_table_and_how_it_was_turned_off() -> None:
    sql = "SET lock_timeout = 0;\nALTER TABLE t ADD COLUMN b int;\nALTER TABLE u ADD COLUMN c int;"
    found = [f for f in lint_sql(sql) if f.rule == RULE]
    assert len(found) == 1 and '"t"' in found[0].message
    assert "lock_timeout = 0" in found[0].message
    assert "ddl_lock_timeout" in found[0].fix and str(found[0].severity) == "warning"


def test_the_directive_is_named_in_the_finding() -> None:
    found = [f for f in lint_sql(f"{OFF}ALTER TABLE t ADD COLUMN b int;") if f.rule == RULE]
    assert len(found) == 1 and "dbshift:lock-timeout off" in found[0].message


def test_a_plain_file_without_dbshift_markers_is_quiet() -> None:
    """squawk's require-lock-timeout: dbshift's runner sets the timeout (see docs/rules.md)."""
    assert RULE not in {f.rule for f in lint_sql("ALTER TABLE t ADD COLUMN b int;", plain=True)}


def test_mariadb_and_mysql_defaults_differ() -> None:
    sql = "SET SESSION lock_wait_timeout = DEFAULT;\nALTER TABLE t ADD COLUMN b int;"
    for server, wait in (
        (Server("mariadb", (10, 11)), "86400"),
        (Server("mysql", (8, 0)), "31536000"),
    ):
        (finding,) = [f for f in lint_sql(sql, "mysql", server=server) if f.rule == RULE]
        assert wait in finding.why


def test_every_product_with_a_lock_wait_setting_says_its_default_wait() -> None:
    # A server added with a lock_timeout_setting but no words for its default would fail
    # this rule with a KeyError on its first finding.
    for dialect in classes():
        if dialect.lock_timeout_setting is not None:
            assert set(dialect.default_lock_wait) == set(dialect.products)
            assert all(
                dialect.lock_timeout_setting in w for w in dialect.default_lock_wait.values()
            )
