"""``rollback``: the destructive gate of ``migrate``, an audit row per reverted migration
(shown by ``history``, never by ``status``), a count it cannot exceed, and the history
format upgrade that brought the audit log."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import Database, Project, sql_migration

USERS = sql_migration(
    "CREATE TABLE users (id integer PRIMARY KEY);\nINSERT INTO users (id) VALUES (1);",
    "DROP TABLE users;",
)
INDEX = sql_migration(
    "CREATE INDEX users_id_idx ON users (id);",
    "DROP INDEX users_id_idx;",
)
INDEX_MYSQL = sql_migration(
    "CREATE INDEX users_id_idx ON users (id);",
    "DROP INDEX users_id_idx ON users;",
)


def _doc(project: Project, *args: str) -> object:
    result = project.run(*args, "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def _project(db: Database, tmp_path: Path) -> Project:
    project = Project(tmp_path, db.url)
    project.write("1_users.sql", USERS)
    project.write("2_index.sql", INDEX_MYSQL if db.backend == "mysql" else INDEX)
    assert project.run("migrate").code == 0
    return project


def test_rollback_leaves_an_audit_row_that_history_shows_and_status_does_not(
    project: Project, db: Database, tmp_path: Path
) -> None:
    project = _project(db, tmp_path)
    reverted = project.run("rollback")  # DROP INDEX loses no data: no confirmation
    assert reverted.code == 0, reverted.err

    rows = _doc(project, "history")
    assert isinstance(rows, list)
    assert [(r["version"], r["kind"], r["state"]) for r in rows] == [
        ("1", "sql", "applied"),
        ("2", "rollback", "rolled_back"),
    ]
    audit = rows[1]
    assert "@" in audit["applied_by"] and isinstance(audit["execution_ms"], int)
    assert audit["description"] == "index" and len(audit["checksum"]) == 64
    text = project.run("history")
    assert text.code == 0 and "rolled back" in text.out and "rollback" in text.out

    status = _doc(project, "status")
    assert isinstance(status, dict)
    assert [a["version"] for a in status["applied"]] == ["1"]
    assert [p["version"] for p in status["pending"]] == ["2"]

    # Applied again: the applied row and the audit row of the earlier rollback both stay.
    assert project.run("migrate").code == 0
    rows = _doc(project, "history")
    assert isinstance(rows, list)
    assert [(r["version"], r["state"]) for r in rows] == [
        ("1", "applied"),
        ("2", "rolled_back"),
        ("2", "applied"),
    ]


def test_rollback_of_a_table_with_rows_is_refused_without_a_terminal(
    project: Project, db: Database, tmp_path: Path
) -> None:
    project = _project(db, tmp_path)
    refused = project.run("rollback", "2")
    assert refused.code == 1
    assert 'migrations/1_users.sql:6: DROP TABLE "users"' in refused.err
    assert "dbshift rollback --allow-destructive" in refused.err
    # Nothing reverted, not even 2_index whose down section loses nothing.
    status = _doc(project, "status")
    assert isinstance(status, dict)
    assert [a["version"] for a in status["applied"]] == ["1", "2"]
    assert "users" in db.tables()

    allowed = project.run("rollback", "2", "--allow-destructive")
    assert allowed.code == 0, allowed.err
    assert "users" not in db.tables()
    # Nothing is applied any more, yet the history remembers both.
    text = project.run("history")
    assert text.code == 0 and "no migrations recorded yet" not in text.out
    assert text.out.count("rolled back") == 2


def test_ignore_line_in_the_down_section_is_the_confirmation(
    sqlite_db: Database, tmp_path: Path
) -> None:
    project = Project(tmp_path, sqlite_db.url)
    project.write(
        "1_users.sql",
        sql_migration(
            "CREATE TABLE users (id integer);",
            "-- dbshift:ignore drop-table created by this migration, nothing else uses it\n"
            "DROP TABLE users;",
        ),
    )
    assert project.run("migrate").code == 0
    reverted = project.run("rollback")
    assert reverted.code == 0, reverted.err


def test_rollback_asks_on_a_terminal(sqlite_db: Database, tmp_path: Path) -> None:
    project = _project(sqlite_db, tmp_path)

    code, err = project.answered("n", "rollback", "--to", "0")
    assert code == 1 and "revert 1 destructive statement(s)? [y/N]" in err
    assert "nothing was reverted" in err
    assert "users_id_idx" in str(sqlite_db.scalar("SELECT group_concat(name) FROM sqlite_master"))
    code, err = project.answered("y", "rollback", "--to", "0")
    assert code == 0, err
    assert "users" not in sqlite_db.tables()


def test_rollback_count_larger_than_applied_is_refused(project: Project, db: Database) -> None:
    project.write("1_users.sql", USERS)
    assert project.run("migrate").code == 0
    refused = project.run("rollback", "99", "--allow-destructive")
    assert refused.code == 2
    assert "cannot roll back 99 migration(s): only 1 is applied" in refused.err
    assert "users" in db.tables()
    assert project.run("rollback", "1", "--allow-destructive").code == 0
    assert "users" not in db.tables()


def test_baseline_is_not_counted_as_revertible(sqlite_db: Database, tmp_path: Path) -> None:
    project = Project(tmp_path, sqlite_db.url)
    project.write("1_users.sql", USERS)
    project.write("2_index.sql", INDEX)
    with sqlite_db.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE users (id integer PRIMARY KEY)")
    assert project.run("baseline", "1").code == 0
    assert project.run("migrate").code == 0
    refused = project.run("rollback", "2")
    assert refused.code == 2 and "only 1 is applied (the baseline cannot" in refused.err


def test_history_tables_of_format_1_are_upgraded(
    project: Project, db: Database, tmp_path: Path
) -> None:
    """A database migrated by a dbshift before the audit log: history and meta tables only,
    format_version 1. The next run adds the log table and records format 2."""
    project.write("1_users.sql", USERS)
    project.write("2_index.sql", INDEX_MYSQL if db.backend == "mysql" else INDEX)
    assert project.run("migrate").code == 0
    with db.begin() as conn:
        conn.exec_driver_sql("DROP TABLE dbshift_history_log")
        conn.exec_driver_sql(
            "UPDATE dbshift_history_meta SET value = '1' WHERE "
            + ('"key"' if db.backend != "mysql" else "`key`")
            + " = 'format_version'"
        )
    assert "dbshift_history_log" not in db.tables()
    # Read-only commands read the old format as it is.
    rows = _doc(project, "history")
    assert isinstance(rows, list) and [r["state"] for r in rows] == ["applied", "applied"]

    reverted = project.run("rollback")
    assert reverted.code == 0, reverted.err
    assert "dbshift_history_log" in db.tables()
    key = "`key`" if db.backend == "mysql" else '"key"'
    version = f"SELECT value FROM dbshift_history_meta WHERE {key} = 'format_version'"
    assert db.scalar(version) == "3"  # 1 -> 2 -> 3
    rows = _doc(project, "history")
    assert isinstance(rows, list)
    assert [(r["version"], r["state"]) for r in rows] == [("1", "applied"), ("2", "rolled_back")]
