"""dbshift's pytest plugin, run in a pytest of its own (``pytester``) on a user's project.

In a subprocess: the plugin is then found through its ``pytest11`` entry point, as in a
user's project (and an in-process run would re-import SQLAlchemy's compiled modules)."""

from __future__ import annotations

import pytest

from tests.conftest import MYSQL_URL, POSTGRES_URL, sql_migration

USERS = sql_migration(
    "CREATE TABLE users (id integer PRIMARY KEY, email varchar(100) NOT NULL);",
    "DROP TABLE users;",
)
NAME = sql_migration(
    "ALTER TABLE users ADD COLUMN name varchar(50);", "ALTER TABLE users DROP COLUMN name;"
)
DEV_URLS = {"sqlite": None, "postgresql": POSTGRES_URL, "mysql": MYSQL_URL}


def _project(pytester: pytest.Pytester, backend: str = "sqlite", **files: str) -> None:
    """A user's project: dbshift.toml, migrations/ with its sum file."""
    from dbshift.migrations import loader, sumfile

    dev = DEV_URLS[backend]
    toml = f'dev_url = "{dev}"\n' if dev else ""
    toml += "" if dev else 'url = "sqlite:///app.db"\n'
    pytester.makefile(".toml", dbshift=toml)
    migrations = pytester.path / "migrations"
    migrations.mkdir()
    for name, text in files.items():
        (migrations / name).write_text(text, encoding="utf-8")
    sumfile.write(migrations, loader.scan(migrations))


def test_dbshift_flag_adds_a_stairway_test_per_migration(pytester: pytest.Pytester) -> None:
    _project(pytester, **{"001_users.sql": USERS, "002_name.sql": NAME})
    result = pytester.runpytest_subprocess("--dbshift", "-v", "-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(
        [
            "*dbshift::sum PASSED*",
            "*dbshift::stairway[[]001_users.sql[]] PASSED*",
            "*dbshift::stairway[[]002_name.sql[]] PASSED*",
            "*dbshift::idempotency PASSED*",
            "*dbshift::models SKIPPED*",
        ]
    )
    result.assert_outcomes(passed=4, skipped=1)


def test_without_the_flag_no_standard_tests_run(pytester: pytest.Pytester) -> None:
    _project(pytester, **{"001_users.sql": USERS})
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes()


def test_a_failing_down_names_the_migration_and_the_diff(pytester: pytest.Pytester) -> None:
    bad = sql_migration(
        "ALTER TABLE users ADD COLUMN name varchar(50);",
        "CREATE TABLE leftover (id integer PRIMARY KEY);",
    )
    _project(pytester, **{"001_users.sql": USERS, "002_name.sql": bad})
    result = pytester.runpytest_subprocess("--dbshift", "-p", "no:cacheprovider")
    # The round trip ran in a rolled-back transaction: the run goes on to idempotency.
    result.assert_outcomes(passed=3, failed=1, skipped=1)
    result.stdout.fnmatch_lines(
        [
            "*stairway: migrations/002_name.sql:5: after down, the schema is not the one before up*",
            "*leftover*",
            "*FAILED dbshift::stairway[[]002_name.sql[]]*",
        ]
    )


def test_one_line_in_conftest_turns_them_on_and_k_selects(pytester: pytest.Pytester) -> None:
    _project(pytester, **{"001_users.sql": USERS, "002_name.sql": NAME})
    pytester.makeconftest('pytest_plugins = ["dbshift.pytest_plugin.standard"]\n')
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-k", "002_name")
    result.assert_outcomes(passed=1, deselected=4)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql", "mysql"])
def test_runner_fixture_migrates_and_rolls_back_inside_a_test(
    pytester: pytest.Pytester, backend: str
) -> None:
    _project(pytester, backend, **{"001_users.sql": USERS, "002_name.sql": NAME})
    pytester.makeini(f"[pytest]\ndbshift_dialect = {backend}\n")
    pytester.makepyfile(
        """
        def test_name_column_round_trip(dbshift_runner, dbshift_db):
            assert dbshift_runner.migrate(to=1) == 1
            dbshift_runner.execute("INSERT INTO users (id, email) VALUES (1, 'a@example.com')")
            assert dbshift_runner.migrate() == 1
            assert dbshift_runner.applied() == ["001", "002"]
            assert "name" in [c.name for c in dbshift_runner.schema().tables[0].columns]
            assert dbshift_runner.rollback(to=1) == 1
            assert dbshift_runner.scalar("SELECT count(*) FROM users") == 1
            assert dbshift_runner.pending() == ["002"]

        def test_each_test_gets_a_fresh_database(dbshift_runner):
            assert dbshift_runner.applied() == []
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_session_scoped_database_is_shared(pytester: pytest.Pytester) -> None:
    _project(pytester, **{"001_users.sql": USERS})
    pytester.makeini("[pytest]\ndbshift_db_scope = session\n")
    pytester.makepyfile(
        """
        def test_first(dbshift_runner):
            assert dbshift_runner.migrate() == 1

        def test_second_sees_it(dbshift_runner):
            assert dbshift_runner.applied() == ["001"]
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_broken_migrations_directory_is_one_line(pytester: pytest.Pytester) -> None:
    pytester.makefile(".toml", dbshift='url = "sqlite:///app.db"\n')
    result = pytester.runpytest_subprocess("--dbshift", "-p", "no:cacheprovider")
    assert result.ret != 0
    result.stderr.fnmatch_lines(["*dbshift: migrations directory * does not exist*"])
