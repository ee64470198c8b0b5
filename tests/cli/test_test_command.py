"""``dbshift test`` through the CLI on the three servers: the stairway, data fixtures,
irreversible migrations, the desired schema, selection and the three output formats."""

from __future__ import annotations

import json
import time
from typing import Any
from xml.etree import ElementTree as ET

from tests.cli.helpers import run, scratch_names
from tests.conftest import Database, Project, sql_migration

USERS = sql_migration(
    "CREATE TABLE users (id integer PRIMARY KEY, email varchar(100) NOT NULL);",
    "DROP TABLE users;",
)
NAME = sql_migration(
    "ALTER TABLE users ADD COLUMN name varchar(50);",
    "ALTER TABLE users DROP COLUMN name;",
)


def _json(project: Project, db: Database, *args: str) -> tuple[int, dict[str, Any]]:
    result = run(project, db, "test", "--format", "json", *args)
    assert result.out, result.err
    doc: dict[str, Any] = json.loads(result.out)
    return result.code, doc


def _checks(doc: dict[str, Any], version: str) -> dict[str, dict[str, Any]]:
    migration = next(m for m in doc["migrations"] if m["version"] == version)
    return {c["name"]: c for c in migration["checks"]}


def test_good_migrations_pass_with_their_cost_and_the_scratch_database_is_dropped(
    project: Project, db: Database
) -> None:
    project.write("001_users.sql", USERS)
    project.write("002_name.sql", NAME)
    before = scratch_names(db)
    code, doc = _json(project, db, "--locks")
    assert code == 0, doc
    assert doc["passed"] and doc["dialect"] == db.backend and doc["locks_traced"]
    assert [m["version"] for m in doc["migrations"]] == ["001", "002"]
    for version in ("001", "002"):
        checks = _checks(doc, version)
        assert checks["stairway"]["status"] == "passed"
        assert checks["down"]["status"] == "passed"
    second = doc["migrations"][1]
    assert second["up_ms"] is not None and second["down_ms"] is not None
    assert second["locks"], "the ALTER's locks come from plan's tracer"
    top = {c["name"]: c["status"] for c in doc["checks"]}
    assert top == {"sum": "passed", "idempotency": "passed", "models": "skipped"}
    deadline = time.monotonic() + 10
    while scratch_names(db) - before and time.monotonic() < deadline:
        time.sleep(0.3)
    assert not scratch_names(db) - before
    assert db.tables() == set(), "the configured database is never touched"


def test_a_down_that_does_not_restore_the_schema_fails_with_the_diff(
    project: Project, db: Database
) -> None:
    project.write("001_users.sql", USERS)
    project.write(
        "002_name.sql",
        sql_migration(
            "ALTER TABLE users ADD COLUMN name varchar(50);",
            "CREATE TABLE leftover (id integer PRIMARY KEY);",
        ),
    )
    result = run(project, db, "test")
    assert result.code == 1
    assert "FAIL 002_name.sql" in result.out
    assert (
        "migrations/002_name.sql:5: after down, the schema is not the one before up" in result.out
    )
    assert "drop column users.name" in result.out.lower() or "users.name" in result.out
    assert "leftover" in result.out
    assert "dbshift: test failed: stairway: migrations/002_name.sql:5" in result.err


def test_a_missing_down_fails_unless_the_migration_is_marked_irreversible(
    project: Project, db: Database
) -> None:
    project.write("001_users.sql", USERS)
    project.write("002_seed.sql", sql_migration("INSERT INTO users VALUES (1, 'a@example.com');"))
    code, doc = _json(project, db)
    assert code == 1
    down = _checks(doc, "002")["down"]
    assert down["status"] == "failed"
    assert "no '-- dbshift:down' section" in down["message"]
    assert down["where"] == "migrations/002_seed.sql"
    project.write(
        "002_seed.sql",
        "-- dbshift:irreversible data only\n"
        + sql_migration("INSERT INTO users VALUES (1, 'a@example.com');"),
    )
    code, doc = _json(project, db)
    assert code == 0, doc
    assert _checks(doc, "002")["down"] == {
        "name": "down",
        "status": "skipped",
        "message": "marked irreversible",
        "where": None,
        "diff": [],
    }


def test_data_fixtures_insert_before_and_assert_after_up_and_down(
    project: Project, db: Database
) -> None:
    project.write("001_users.sql", USERS)
    project.write(
        "002_domain.sql",
        sql_migration(
            "ALTER TABLE users ADD COLUMN domain varchar(100);\n"
            "UPDATE users SET domain = 'example.com';",
            "ALTER TABLE users DROP COLUMN domain;",
        ),
    )
    fixtures = project.root / "tests" / "migrations"
    fixtures.mkdir(parents=True)
    (fixtures / "2.sql").write_text(
        "-- dbshift:before\n"
        "INSERT INTO users (id, email) VALUES (1, 'a@example.com');\n"
        "-- dbshift:after-up\n"
        "SELECT count(*) = 1 FROM users WHERE domain = 'example.com';\n"
        "-- dbshift:after-down\n"
        "SELECT count(*) = 1 FROM users WHERE email = 'a@example.com';\n",
        encoding="utf-8",
    )
    code, doc = _json(project, db)
    assert code == 0, doc
    assert _checks(doc, "002")["data"]["status"] == "passed"
    # An assertion that does not hold names the fixture's line.
    (fixtures / "2.sql").write_text(
        "-- dbshift:before\n"
        "INSERT INTO users (id, email) VALUES (1, 'a@example.com');\n"
        "-- dbshift:after-up\n"
        "SELECT count(*) = 2 FROM users;\n",
        encoding="utf-8",
    )
    result = run(project, db, "test")
    assert result.code == 1
    assert "tests/migrations/2.sql:4: after-up assertion does not hold" in result.out


def test_python_fixture_asserts_with_assert(project: Project, db: Database) -> None:
    project.write("001_users.sql", USERS)
    fixtures = project.root / "tests" / "migrations"
    fixtures.mkdir(parents=True)
    (fixtures / "001.py").write_text(
        "def after_up(ctx):\n"
        "    ctx.execute(\"INSERT INTO users (id, email) VALUES (7, 'x')\")\n"
        "    n = ctx.execute('SELECT count(*) FROM users').scalar()\n"
        "    assert n == 2, f'expected 2 users, found {n}'\n",
        encoding="utf-8",
    )
    result = run(project, db, "test")
    assert result.code == 1
    assert (
        "tests/migrations/001.py:4: after-up assertion does not hold: expected 2 users, found 1"
        in result.out
    )


def test_a_failing_up_exits_1_with_file_and_line(project: Project, db: Database) -> None:
    project.write("001_users.sql", USERS)
    project.write(
        "002_bad.sql",
        sql_migration(
            "ALTER TABLE users ADD COLUMN a integer;\nSELECT * FROM nowhere;", "SELECT 1;"
        ),
    )
    project.write("003_name.sql", NAME)
    result = run(project, db, "test")
    assert result.code == 1
    assert "dbshift: test failed: up: migrations/002_bad.sql:3:" in result.err
    assert "1 later migration(s) not tested" in result.out


def test_from_and_only_select_migrations(project: Project, db: Database) -> None:
    project.write("001_users.sql", USERS)
    project.write("002_name.sql", NAME)
    project.write(
        "003_city.sql",
        sql_migration(
            "ALTER TABLE users ADD COLUMN city varchar(50);", "ALTER TABLE users DROP COLUMN city;"
        ),
    )
    code, doc = _json(project, db, "--from", "2")
    assert code == 0, doc
    assert [m["version"] for m in doc["migrations"]] == ["002", "003"]
    code, doc = _json(project, db, "--only", "2")
    assert code == 0, doc
    assert [m["version"] for m in doc["migrations"]] == ["002"]
    assert {c["name"]: c["status"] for c in doc["checks"]}["idempotency"] == "skipped"
    bad = run(project, db, "test", "--only", "9")
    assert bad.code == 2
    assert "--only 9: no migration has that version" in bad.err


def test_models_match_against_the_desired_schema(project: Project, db: Database) -> None:
    project.write("001_users.sql", USERS)
    desired = project.root / "schema.sql"
    desired.write_text(
        "CREATE TABLE users (id integer PRIMARY KEY, email varchar(100) NOT NULL);\n",
        encoding="utf-8",
    )
    code, doc = _json(project, db, "--desired", "schema.sql")
    assert code == 0, doc
    assert {c["name"]: c["status"] for c in doc["checks"]}["models"] == "passed"
    (project.root / "dbshift.toml").write_text('[test]\ndesired = "schema.sql"\n', encoding="utf-8")
    desired.write_text(
        "CREATE TABLE users (id integer PRIMARY KEY, email varchar(100) NOT NULL, "
        "name varchar(50));\n",
        encoding="utf-8",
    )
    code, doc = _json(project, db)
    assert code == 1
    models = next(c for c in doc["checks"] if c["name"] == "models")
    assert models["status"] == "failed"
    assert any("name" in line for line in models["diff"])


def test_junit_output_has_one_failure_per_failed_check(sqlite_db: Database, tmp_path: Any) -> None:
    project = Project(tmp_path, sqlite_db.url)
    project.write("001_users.sql", USERS)
    project.write("002_seed.sql", sql_migration("INSERT INTO users VALUES (1, 'a');"))
    result = project.run("test", "--format", "junit")
    assert result.code == 1
    suite = ET.fromstring(result.out.split("\n", 1)[1])
    assert suite.get("failures") == "1"
    failed = [c for c in suite.iter("testcase") if c.find("failure") is not None]
    assert [(c.get("classname"), c.get("name")) for c in failed] == [("002_seed.sql", "down")]
    assert "migrations/002_seed.sql" in (failed[0].find("failure").get("message") or "")  # type: ignore[union-attr]


def test_test_without_a_server_kind_is_a_usage_error(tmp_path: Any) -> None:
    project = Project(tmp_path, "")
    project.write("001_users.sql", USERS)
    result = project.run("test", url=False)
    assert result.code == 2
    assert "needs a server kind" in result.err


def test_a_failing_down_is_reported_and_later_migrations_still_run_where_ddl_rolls_back(
    project: Project, db: Database
) -> None:
    project.write("001_users.sql", USERS)
    project.write(
        "002_city.sql",
        sql_migration("ALTER TABLE users ADD COLUMN city varchar(50);", "DROP TABLE nowhere;"),
    )
    project.write("003_name.sql", NAME)
    code, doc = _json(project, db)
    assert code == 1
    down = _checks(doc, "002")["down"]
    assert down["status"] == "failed"
    assert down["where"] == "migrations/002_city.sql:5"
    tested = [m["version"] for m in doc["migrations"]]
    if db.backend == "mysql":  # DDL commits: the database is in no known state
        assert tested == ["001", "002"]
    else:  # the down ran in a transaction that was rolled back
        assert tested == ["001", "002", "003"]
        assert _checks(doc, "003")["stairway"]["status"] == "passed"


def test_jobs_split_the_run_over_scratch_databases_with_the_same_verdicts(
    project: Project, db: Database
) -> None:
    project.write("001_users.sql", USERS)
    project.write("002_name.sql", NAME)
    project.write(
        "003_leaky.sql",
        sql_migration(
            "ALTER TABLE users ADD COLUMN city varchar(50);",
            "CREATE TABLE leftover (id integer PRIMARY KEY);\nALTER TABLE users DROP COLUMN city;",
        ),
    )
    project.write(
        "004_zip.sql",
        sql_migration(
            "ALTER TABLE users ADD COLUMN zip varchar(10);", "ALTER TABLE users DROP COLUMN zip;"
        ),
    )
    one = _json(project, db, "--jobs", "1")
    two = _json(project, db, "--jobs", "2")
    for code, doc in (one, two):
        assert code == 1
        verdicts = {
            m["version"]: {c["name"]: c["status"] for c in m["checks"]} for m in doc["migrations"]
        }
        assert verdicts["003"]["stairway"] == "failed"
        stairway = next(c for c in doc["migrations"][2]["checks"] if c["name"] == "stairway")
        assert stairway["diff"] == ["drop table leftover"]
    assert [m["version"] for m in one[1]["migrations"]] == [
        m["version"] for m in two[1]["migrations"]
    ]
    if db.backend != "mysql":  # rolled back: 004 is tested after 003's failure, in both runs
        assert {c["name"]: c["status"] for c in two[1]["migrations"][3]["checks"]}[
            "stairway"
        ] == "passed"
        assert {c["name"]: c["status"] for c in two[1]["checks"]}["idempotency"] == "passed"


def test_idempotency_fails_when_migrate_again_changes_the_schema(
    project: Project, db: Database
) -> None:
    """An ``afterMigrate`` callback runs on every ``migrate``, even with nothing pending:
    one that creates a table makes the second ``migrate`` change the schema, and the check
    names what changed (found by digest on PostgreSQL and SQLite, by inspection on MySQL)."""
    project.write("001_users.sql", USERS)
    (project.migrations / "callbacks").mkdir()
    project.write("callbacks/afterMigrate.sql", "CREATE TABLE audit_marker (id integer);\n")
    code, doc = _json(project, db)
    assert code == 1, doc
    idem = {c["name"]: c for c in doc["checks"]}["idempotency"]
    assert idem["status"] == "failed"
    assert idem["message"] == "migrate again changed the schema:"
    assert any("audit_marker" in line for line in idem["diff"]), idem


def test_an_up_that_fails_when_run_again_after_its_down_is_reported_with_its_times(
    project: Project, db: Database
) -> None:
    """The down restores the schema but not the row the up inserted: the up again fails.
    On PostgreSQL the first up, the down and the up again run in one round trip; the
    failure must still come out as the stairway's, with the up's and the down's times,
    and the later migrations tested from the committed up."""
    project.write(
        "001_flags.sql",
        sql_migration("CREATE TABLE flags (id integer PRIMARY KEY);", "DROP TABLE flags;"),
    )
    project.write(
        "002_users.sql",
        sql_migration(
            "INSERT INTO flags VALUES (1);\n"
            "CREATE TABLE users (id integer PRIMARY KEY, email varchar(100) NOT NULL);",
            "DROP TABLE users;",
        ),
    )
    project.write("003_name.sql", NAME)
    code, doc = _json(project, db)
    assert code == 1
    checks = _checks(doc, "002")
    assert [checks[n]["status"] for n in ("up", "down", "stairway")] == [
        "passed",
        "passed",
        "failed",
    ]
    assert checks["stairway"]["message"].startswith("up again after down: ")
    second = doc["migrations"][1]
    assert second["up_ms"] is not None and second["down_ms"] is not None
    tested = [m["version"] for m in doc["migrations"]]
    if db.backend == "mysql":  # DDL commits: the database is in no known state
        assert tested == ["001", "002"]
    else:
        assert tested == ["001", "002", "003"]
        assert _checks(doc, "003")["stairway"]["status"] == "passed"
