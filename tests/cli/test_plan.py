"""``dbshift plan`` on the real servers: the locks, rewrites and times each pending
statement takes on a scratch copy, and a target left exactly as it was."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from tests.cli.helpers import scratch_names
from tests.conftest import (
    MYSQL_URL,
    POSTGRES_URL,
    Database,
    Project,
    scratch_database,
    sql_migration,
)

USERS = "CREATE TABLE users (id integer PRIMARY KEY, email varchar(100), n integer);"


def _planned(project: Project, *args: str) -> dict[str, Any]:
    result = project.run("plan", "--format", "json", *args)
    assert result.code == 0, result.err
    doc: dict[str, Any] = json.loads(result.out)
    return doc


def _statements(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for m in doc["migrations"] for s in m["statements"]]


def _lock(statement: dict[str, Any], table: str) -> dict[str, Any]:
    locks = {lock["table"]: lock for lock in statement["locks"]}
    assert table in locks, statement
    return locks[table]


def _applied(project: Project, db: Database, *migrations: str) -> None:
    """Write ``migrations`` as 001, 002, ...; apply the first one only."""
    for number, text in enumerate(migrations, start=1):
        project.write(f"{number:03d}_step.sql", text)
    done = project.run("migrate", "--to", "1")
    assert done.code == 0, done.err


def pending(
    db: Database, tmp_path: Any, up: str, *, first: str = USERS, no_transaction: bool = False
) -> Project:
    """A project on ``db`` with ``first`` applied as 001 and ``up`` pending as 002."""
    project = Project(tmp_path, db.url)
    _applied(project, db, sql_migration(first), sql_migration(up, no_transaction=no_transaction))
    return project


def _assert_scratch_dropped(db: Database, before: set[str]) -> None:
    """Other runs on this server may hold scratch databases of their own for a moment;
    ours would never go away."""
    deadline = time.monotonic() + 15
    while (left := scratch_names(db) - before) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not left


# -- PostgreSQL ---------------------------------------------------------------------------


@pytest.mark.postgres
def test_postgres_plan_reads_locks_and_rewrites_from_the_server(
    pg_db: Database, tmp_path: Any
) -> None:
    project = pending(
        pg_db,
        tmp_path,
        "CREATE INDEX users_email_idx ON users (email);\n"
        "ALTER TABLE users ALTER COLUMN n TYPE bigint;\n"
        "ALTER TABLE users ADD COLUMN note text;",
    )
    scratch_before = scratch_names(pg_db)

    doc = _planned(project, "--dev-url", POSTGRES_URL)

    index, retype, add = _statements(doc)
    assert index["where"].endswith("002_step.sql:2")
    assert _lock(index, "users")["mode"] == "SHARE"
    assert _lock(index, "users")["blocks_writes"] and not _lock(index, "users")["blocks_reads"]
    assert index["rewrite"] is False
    assert _lock(retype, "users")["mode"] == "ACCESS EXCLUSIVE"
    assert retype["rewrite"] is True and retype["rewritten"] == ["users"]
    assert _lock(add, "users")["mode"] == "ACCESS EXCLUSIVE"
    assert add["rewrite"] is False
    assert all(s["lock_source"] == "pg_locks" and s["ms"] >= 0 for s in (index, retype, add))
    held = doc["migrations"][0]["held_until_commit"]
    assert [(lock["table"], lock["mode"]) for lock in held] == [("users", "ACCESS EXCLUSIVE")]

    # The target is exactly as before, and the scratch database is gone.
    assert pg_db.scalar("SELECT count(*) FROM pg_indexes WHERE indexname = 'users_email_idx'") == 0
    assert (
        pg_db.scalar(
            "SELECT data_type FROM information_schema.columns "
            "WHERE table_name = 'users' AND column_name = 'n'"
        )
        == "integer"
    )
    assert pg_db.scalar("SELECT count(*) FROM dbshift_history") == 1
    _assert_scratch_dropped(pg_db, scratch_before)


@pytest.mark.postgres
def test_postgres_foreign_key_locks_both_tables_and_volatile_default_rewrites(
    pg_db: Database, tmp_path: Any
) -> None:
    project = pending(
        pg_db,
        tmp_path,
        "ALTER TABLE orders ADD CONSTRAINT orders_user_fk "
        "FOREIGN KEY (user_id) REFERENCES users (id);\n"
        "ALTER TABLE orders ADD COLUMN at timestamptz DEFAULT clock_timestamp();",
        first=USERS + "\nCREATE TABLE orders (id integer PRIMARY KEY, user_id integer);",
    )
    fk, default = _statements(_planned(project, "--dev-url", POSTGRES_URL))
    assert _lock(fk, "orders")["mode"] == "SHARE ROW EXCLUSIVE"
    assert _lock(fk, "users")["mode"] == "SHARE ROW EXCLUSIVE"
    assert fk["rewrite"] is False
    assert default["rewritten"] == ["orders"]


@pytest.mark.postgres
def test_postgres_tables_created_in_the_same_migration_block_nobody(
    pg_db: Database, tmp_path: Any
) -> None:
    project = Project(tmp_path, pg_db.url)
    project.write(
        "001_step.sql",
        sql_migration(USERS + "\nCREATE INDEX users_email_idx ON users (email);"),
    )
    create, index = _statements(_planned(project, "--dev-url", POSTGRES_URL))
    assert _lock(create, "users")["new_table"] and not _lock(create, "users")["blocks_reads"]
    assert _lock(index, "users")["mode"] == "SHARE"
    assert _lock(index, "users")["new_table"] and not _lock(index, "users")["blocks_writes"]
    assert pg_db.tables() == set()


@pytest.mark.postgres
def test_postgres_create_index_concurrently_runs_outside_a_transaction(
    pg_db: Database, tmp_path: Any
) -> None:
    project = pending(
        pg_db,
        tmp_path,
        "CREATE INDEX CONCURRENTLY users_email_idx ON users (email);",
        no_transaction=True,
    )
    (statement,) = _statements(_planned(project, "--dev-url", POSTGRES_URL))
    lock = _lock(statement, "users")
    assert lock["mode"] == "SHARE UPDATE EXCLUSIVE"
    assert not lock["blocks_reads"] and not lock["blocks_writes"]
    assert statement["lock_source"] == "documented"
    assert statement["notes"] == ["runs outside a transaction"]


@pytest.mark.postgres
def test_postgres_concurrently_in_a_transactional_migration_fails_as_migrate_would(
    pg_db: Database, tmp_path: Any
) -> None:
    project = pending(
        pg_db, tmp_path, "CREATE INDEX CONCURRENTLY users_email_idx ON users (email);"
    )
    failed = project.run("plan", "--dev-url", POSTGRES_URL)
    assert failed.code == 1
    assert "002_step.sql:2:" in failed.err and "SQLSTATE 25001" in failed.err


@pytest.mark.postgres
def test_postgres_plan_text_table_and_nothing_pending(pg_db: Database, tmp_path: Any) -> None:
    project = pending(pg_db, tmp_path, "ALTER TABLE users ALTER COLUMN n TYPE bigint;")
    shown = project.run("plan", "--dev-url", POSTGRES_URL)
    assert shown.code == 0, shown.err
    assert "002_step.sql (one transaction)" in shown.out
    assert "users: ACCESS EXCLUSIVE" in shown.out
    assert "reads, writes" in shown.out and "yes: users" in shown.out

    nothing = project.run("plan", "--to", "1", "--dev-url", POSTGRES_URL)
    assert nothing.code == 0, nothing.err
    assert nothing.out.strip() == "nothing to plan: no pending or stopped migrations"


@pytest.mark.postgres
def test_postgres_replay_builds_what_the_schema_copy_cannot(pg_db: Database, tmp_path: Any) -> None:
    project = Project(tmp_path, pg_db.url)
    _applied(
        project,
        pg_db,
        # An extension installed into another schema than the one copied: its type is
        # named, but the copy has neither the schema nor the extension.
        sql_migration(
            "CREATE SCHEMA ext; CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA ext;\n"
            "CREATE TABLE users (id integer PRIMARY KEY, email ext.citext);"
        ),
        sql_migration("CREATE INDEX users_email_idx ON users (email);"),
    )
    # Extensions are modelled now (fidelity-objects), so the copy usually builds this one
    # too; where it cannot (the extension lives in a schema the copy does not create), the
    # error must name --replay.
    copied = project.run("plan", "--dev-url", POSTGRES_URL, "--format", "json")
    if copied.code == 0:
        (statement,) = _statements(json.loads(copied.out))
        assert _lock(statement, "users")["mode"] == "SHARE"
    else:
        assert "cannot copy the target's schema" in copied.err and "--replay" in copied.err

    (index,) = _statements(_planned(project, "--dev-url", POSTGRES_URL, "--replay"))
    assert _lock(index, "users")["mode"] == "SHARE"
    assert pg_db.scalar("SELECT count(*) FROM dbshift_history") == 1


@pytest.mark.postgres
def test_plan_needs_a_dev_url_for_a_server(pg_db: Database, tmp_path: Any) -> None:
    project = pending(pg_db, tmp_path, "ALTER TABLE users ADD x int;")
    refused = project.run("plan")
    assert refused.code == 2
    assert "dev_url" in refused.err


# -- MariaDB / MySQL ----------------------------------------------------------------------


@pytest.mark.mysql
def test_mysql_plan_reports_the_algorithm_the_server_accepts(
    mysql_db: Database, tmp_path: Any
) -> None:
    project = pending(
        mysql_db,
        tmp_path,
        "ALTER TABLE users ADD COLUMN note text;\n"
        "ALTER TABLE users MODIFY n bigint;\n"
        "ALTER TABLE users ADD INDEX users_email_idx (email);\n"
        "ALTER TABLE users ADD COLUMN y int, ALGORITHM=INPLACE;",
    )
    scratch_before = scratch_names(mysql_db)

    add, modify, index, declared = _statements(_planned(project, "--dev-url", MYSQL_URL))

    assert add["server_chose"] == "ALGORITHM=INSTANT"
    assert _lock(add, "users")["mode"] == "INSTANT" and add["rewrite"] is False
    assert modify["server_chose"] == "ALGORITHM=COPY, LOCK=SHARED"
    assert _lock(modify, "users")["blocks_writes"] and modify["rewritten"] == ["users"]
    # MariaDB answers NOCOPY (in place, no rebuild); MySQL 8, which has no NOCOPY, INPLACE.
    assert index["server_chose"] in ("ALGORITHM=NOCOPY, LOCK=NONE", "ALGORITHM=INPLACE, LOCK=NONE")
    assert not _lock(index, "users")["blocks_writes"] and index["rewrite"] is False
    assert declared["declared"] == "ALGORITHM=INPLACE"
    assert declared["server_chose"] == "ALGORITHM=INPLACE, LOCK=NONE"
    assert all(s["lock_source"] == "online DDL probe" for s in (add, modify, index, declared))

    # The target is untouched: no probe ran there.
    columns = mysql_db.scalar(
        "SELECT GROUP_CONCAT(COLUMN_NAME ORDER BY ORDINAL_POSITION) FROM information_schema.COLUMNS "
        "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'users'"
    )
    assert columns == "id,email,n"
    _assert_scratch_dropped(mysql_db, scratch_before)


@pytest.mark.mysql
def test_mysql_drop_index_is_probed_as_alter_table(mysql_db: Database, tmp_path: Any) -> None:
    project = pending(
        mysql_db,
        tmp_path,
        "DROP INDEX users_n_idx ON users;\nRENAME TABLE users TO people;",
        first=USERS + "\nCREATE INDEX users_n_idx ON users (n);",
    )
    drop, rename = _statements(_planned(project, "--dev-url", MYSQL_URL))
    assert drop["lock_source"] == "online DDL probe"
    assert not _lock(drop, "users")["blocks_writes"]
    assert _lock(rename, "users")["mode"] == "RENAME TO people"


# -- SQLite -------------------------------------------------------------------------------


def test_sqlite_table_rebuild_shows_as_a_rewrite(sqlite_db: Database, tmp_path: Any) -> None:
    project = pending(
        sqlite_db,
        tmp_path,
        "ALTER TABLE users ADD COLUMN note text;\n"
        "CREATE TABLE users_new (id integer PRIMARY KEY, email varchar(100) NOT NULL, "
        "n integer, note text);\n"
        "INSERT INTO users_new SELECT id, coalesce(email, ''), n, note FROM users;\n"
        "DROP TABLE users;\n"
        "ALTER TABLE users_new RENAME TO users;",
    )
    statements = _statements(_planned(project))
    assert [s["rewrite"] for s in statements] == [False, False, False, False, True]
    assert statements[-1]["rewritten"] == ["users"]
    assert all(_lock(s, "(database)")["blocks_writes"] for s in statements)
    assert sqlite_db.scalar("SELECT count(*) FROM pragma_table_info('users')") == 3


def test_sqlite_drop_column_is_a_rewrite_in_place(sqlite_db: Database, tmp_path: Any) -> None:
    project = pending(
        sqlite_db,
        tmp_path,
        'ALTER TABLE "users" DROP COLUMN n;\nALTER TABLE users ADD COLUMN m int;',
    )
    drop, add = _statements(_planned(project))
    assert drop["rewritten"] == ["users"]
    assert drop["notes"] == ["DROP COLUMN rewrites every row in place (documented)"]
    assert add["rewrite"] is False


# -- both servers -------------------------------------------------------------------------

#: Per server: a dev URL, a statement that fails there, and what its one-line error says.
FAILING = {
    "postgresql": (
        POSTGRES_URL,
        "ALTER TABLE nope ADD COLUMN y int;",
        'relation "nope" does not exist',
    ),
    "mysql": (MYSQL_URL, "ALTER TABLE users DROP COLUMN nope;", "nope"),
}


@pytest.mark.parametrize(
    "backend",
    [
        pytest.param("postgresql", marks=pytest.mark.postgres),
        pytest.param("mysql", marks=pytest.mark.mysql),
    ],
)
def test_failing_statement_is_one_line_and_the_scratch_database_goes(
    backend: str, tmp_path: Any
) -> None:
    dev_url, statement, message = FAILING[backend]
    with scratch_database(backend, tmp_path) as server:
        project = pending(server, tmp_path, f"ALTER TABLE users ADD COLUMN x int;\n{statement}")
        scratch_before = scratch_names(server)
        failed = project.run("plan", "--dev-url", dev_url)
        assert failed.code == 1
        assert failed.out == ""
        lines = failed.err.strip().splitlines()
        assert len(lines) == 1
        assert "002_step.sql:3:" in lines[0] and message in lines[0]
        _assert_scratch_dropped(server, scratch_before)
