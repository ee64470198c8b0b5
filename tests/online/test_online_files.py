"""Online files (``<version>_<name>.toml``) are migrations of the directory: in
``dbshift.sum``, in the history with their phase, shown by ``status``, never passed by
``migrate`` while in flight, and applied whole by ``migrate`` where their tables are
empty, so a fresh database built by ``migrate`` equals, by the server's own catalog, the
database that went through ``online start`` and ``online complete``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from tests.conftest import (
    MYSQL_URL,
    POSTGRES_URL,
    Database,
    Project,
    scratch_database,
    sql_migration,
)
from tests.online.harness.connect import mysql_connect, pg_connect
from tests.online.harness.judge import snapshot

USERS = sql_migration(
    "CREATE TABLE users (id integer PRIMARY KEY, email varchar(200) NOT NULL);",
    "DROP TABLE users;",
)
NICKNAME = """\
description = "users get a nickname, derived from the email for existing rows"

[[operations]]
type = "add_column"
table = "users"
column = "nickname"
data_type = "varchar(200)"
up = "email"

[[operations]]
type = "create_index"
table = "users"
name = "users_nickname_idx"
columns = ["nickname"]
"""
EMAIL_INDEX = sql_migration(
    "CREATE INDEX users_email_idx ON users (email);", "DROP INDEX users_email_idx ON users;"
)
ONLINE = "0002_nickname"


def _directory(project: Project, backend: str) -> None:
    project.write("0001_users.sql", USERS, rehash=False)
    project.write(f"{ONLINE}.toml", NICKNAME, rehash=False)
    down = "" if backend == "mysql" else "DROP INDEX users_email_idx;"
    text = (
        EMAIL_INDEX
        if backend == "mysql"
        else EMAIL_INDEX.replace("DROP INDEX users_email_idx ON users;", down)
    )
    project.write("0003_email_index.sql", text)


def _ok(result: Any) -> None:
    assert result.code == 0, result.out + result.err


def _insert_users(db: Database) -> None:
    engine = db.engine()
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO users (id, email) VALUES (1, 'ann@example.com'), (2, 'bob@example.com')"
            )
    finally:
        engine.dispose()


def _version_schema(backend: str, url: str) -> str:
    """The version schema (MySQL: database) the phased workflow keeps after complete."""
    base = "public" if backend == "postgresql" else make_url(url).database
    return f"{base}_{ONLINE}"


def _drop_version_database(url: str) -> None:
    with mysql_connect(url) as conn:
        conn.cursor().execute(f"DROP DATABASE IF EXISTS `{_version_schema('mysql', url)}`")


def _without_version_schema(backend: str, url: str, snap: dict[str, Any]) -> dict[str, Any]:
    """The snapshot without the one thing the phased workflow keeps and a whole apply
    drops: the version schema (MySQL: database) that new application instances may still
    use until the next online migration completes. Asserted present, then removed."""
    if backend == "postgresql":
        assert _version_schema(backend, url) in snap["schemas"]
        return {**snap, "schemas": [s for s in snap["schemas"] if s != f"public_{ONLINE}"]}
    if backend == "mysql":
        assert f"_{ONLINE}" in snap["version_databases"]
        return {
            **snap,
            "version_databases": [v for v in snap["version_databases"] if v != f"_{ONLINE}"],
        }
    return snap


def test_fresh_migrate_equals_online_start_then_complete(db: Database, tmp_path: Path) -> None:
    """CI builds the directory with ``migrate``; production ran the online file through
    its phases between two ordinary migrations. Both catalogs are the same."""
    (tmp_path / "fresh").mkdir()
    fresh = Project(tmp_path / "fresh", db.url)
    _directory(fresh, db.backend)
    applied = fresh.run("migrate")
    _ok(applied)
    assert f"{ONLINE}.toml" in applied.out

    (tmp_path / "phased").mkdir()
    with scratch_database(db.backend, tmp_path / "phased") as other:
        live = Project(tmp_path / "phased", other.url)
        _directory(live, db.backend)
        _ok(live.run("migrate", "--to", "0001"))
        _insert_users(other)
        try:
            refused = live.run("migrate")
            assert refused.code == 1
            assert "table users has rows" in refused.err
            assert f"dbshift online start migrations/{ONLINE}.toml" in refused.err
            assert "--offline-ok" in refused.err
            assert len(refused.err.strip().splitlines()) == 1, refused.err
            _ok(live.run("online", "start", f"migrations/{ONLINE}.toml"))
            if db.backend != "sqlite":  # SQLite's engine applies the file whole at start
                _ok(live.run("online", "complete", ONLINE, "--force"))
            _ok(live.run("migrate"))
            history = json.loads(live.run("history", "--format", "json").out)
            assert [(h["version"], h["kind"], h["state"]) for h in history] == [
                ("0001", "sql", "applied"),
                ("0002", "online", "applied"),
                ("0003", "sql", "applied"),
            ]
            assert history[1]["online_phase"] == "completed"
            assert history[1]["online_mode"] == "online"
            phased = snapshot(db.backend, other.url)
        finally:
            if db.backend == "mysql":
                _drop_version_database(other.url)

    built = snapshot(db.backend, db.url)
    assert "nickname" in str(built["tables"]["users"])
    assert built == _without_version_schema(db.backend, other.url, phased)
    fresh_history = json.loads(fresh.run("history", "--format", "json").out)
    assert fresh_history[1]["online_mode"] == "whole"
    assert fresh_history[1]["online_phase"] == "completed"


@pytest.mark.parametrize("backend", ["postgresql", "mysql"])
def test_migrate_never_passes_an_online_migration_in_flight(backend: str, tmp_path: Path) -> None:
    with scratch_database(backend, tmp_path) as db:
        project = Project(tmp_path, db.url)
        _directory(project, backend)
        _ok(project.run("migrate", "--to", "0001"))
        _insert_users(db)
        try:
            _ok(project.run("online", "start", f"migrations/{ONLINE}.toml"))

            status = project.run("status")
            _ok(status)
            assert "online: started, not completed" in status.out
            assert f"'dbshift online complete {ONLINE}'" in status.out
            doc = json.loads(project.run("status", "--format", "json").out)
            assert [m["version"] for m in doc["online_in_flight"]] == ["0002"]
            assert [m["version"] for m in doc["pending"]] == ["0002", "0003"]

            refused = project.run("migrate")
            assert refused.code == 1
            assert refused.err.strip().splitlines() == [
                f"dbshift: error: migrations/{ONLINE}.toml: online migration in flight "
                f"(started, not completed): run 'dbshift online complete {ONLINE}' (or "
                f"'dbshift online rollback {ONLINE}') before migrating past it; nothing was applied"
            ]
            # Nothing after it ran.
            applied = json.loads(project.run("status", "--format", "json").out)["applied"]
            assert [m["version"] for m in applied] == ["0001"]

            history = json.loads(project.run("history", "--format", "json").out)
            assert [(h["version"], h["state"], h["online_phase"]) for h in history] == [
                ("0001", "applied", None),
                ("0002", "started", "started"),
            ]
            validate = project.run("validate")
            _ok(validate)
            assert f"{ONLINE}.toml: online migration in flight" in validate.err

            _ok(project.run("online", "rollback", ONLINE))
            history = json.loads(project.run("history", "--format", "json").out)
            assert history[1]["state"] == "rolled_back"
            assert history[1]["online_phase"] == "rolled_back"
            # Rolled back, it is pending again: the table has rows, so not applied whole.
            again = project.run("migrate")
            assert again.code == 1
            assert "table users has rows" in again.err

            _ok(project.run("online", "start", f"migrations/{ONLINE}.toml"))
            _ok(project.run("online", "complete", ONLINE, "--force"))
            status = json.loads(project.run("status", "--format", "json").out)
            assert status["online_in_flight"] == []
            assert [m["version"] for m in status["applied"]] == ["0001", "0002"]
            done = project.run("migrate")
            _ok(done)
            assert "0003_email_index.sql" in done.out
        finally:
            if backend == "mysql":
                _drop_version_database(db.url)


def test_offline_ok_applies_the_file_whole_on_a_table_with_rows(
    db: Database, tmp_path: Path
) -> None:
    project = Project(tmp_path, db.url)
    _directory(project, db.backend)
    _ok(project.run("migrate", "--to", "0001"))
    _insert_users(db)
    _ok(project.run("migrate", "--offline-ok"))
    engine = db.engine()
    try:
        with engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT id, nickname FROM users ORDER BY id").fetchall()
    finally:
        engine.dispose()
    assert [tuple(r) for r in rows] == [(1, "ann@example.com"), (2, "bob@example.com")]


def test_generate_and_diff_after_complete_see_no_change(db: Database, tmp_path: Path) -> None:
    """``generate`` replays the directory; the online file used to be left out, so it
    wrote a migration dropping the column the online migration had added."""
    project = Project(tmp_path, db.url)
    _directory(project, db.backend)
    _ok(project.run("migrate", "--to", "0001"))
    _insert_users(db)
    try:
        _ok(project.run("online", "start", f"migrations/{ONLINE}.toml"))
        if db.backend != "sqlite":
            _ok(project.run("online", "complete", ONLINE, "--force"))
        _ok(project.run("migrate"))
        dev = {"postgresql": ["--dev-url", POSTGRES_URL], "mysql": ["--dev-url", MYSQL_URL]}
        extra = dev.get(db.backend, [])
        generated = project.run("generate", "after_online", "--to", db.url, *extra)
        _ok(generated)
        assert "no changes" in generated.out
        assert sorted(p.name for p in project.migrations.iterdir()) == [
            "0001_users.sql",
            f"{ONLINE}.toml",
            "0003_email_index.sql",
            "dbshift.sum",
        ]
        diff = project.run("diff", "--from", "migrations", "--to", db.url, *extra)
        _ok(diff)
        assert "no differences" in diff.out
    finally:
        if db.backend == "mysql":
            _drop_version_database(db.url)


def test_dbshift_test_replays_online_files(db: Database, tmp_path: Path) -> None:
    project = Project(tmp_path, db.url)
    _directory(project, db.backend)
    dev = {"postgresql": ["--dev-url", POSTGRES_URL], "mysql": ["--dev-url", MYSQL_URL]}
    result = project.run("test", *dev.get(db.backend, []))
    _ok(result)
    assert f"ok   {ONLINE}.toml" in result.out
    assert "online migration: 'dbshift online rollback' undoes it before complete" in result.out
    assert "idempotency: passed" in result.out


def test_no_version_schema_outlives_a_whole_apply(pg_db: Database, tmp_path: Path) -> None:
    project = Project(tmp_path, pg_db.url)
    _directory(project, "postgresql")
    _ok(project.run("migrate"))
    with pg_connect(pg_db.url) as conn:
        schemas = [r[0] for r in conn.execute("SELECT nspname FROM pg_namespace").fetchall()]
    assert f"public_{ONLINE}" not in schemas


def test_rollback_refuses_a_completed_online_migration(sqlite_db: Database, tmp_path: Path) -> None:
    project = Project(tmp_path, sqlite_db.url)
    _directory(project, "sqlite")
    _ok(project.run("migrate"))
    _ok(project.run("rollback"))  # 0003: an ordinary down
    refused = project.run("rollback")
    assert refused.code == 1
    assert f"migrations/{ONLINE}.toml: a completed online migration has no down" in refused.err
    status = json.loads(project.run("status", "--format", "json").out)
    assert [m["version"] for m in status["applied"]] == ["0001", "0002"]


def test_migrate_sql_refuses_an_online_file_by_name(sqlite_db: Database, tmp_path: Path) -> None:
    project = Project(tmp_path, sqlite_db.url)
    _directory(project, "sqlite")
    script = project.run("migrate", "--sql")
    assert script.code == 2
    assert f"{ONLINE}.toml: an online migration cannot be rendered as offline SQL" in script.err
