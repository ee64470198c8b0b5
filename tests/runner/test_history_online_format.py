"""History format 3: ``<history>_online``, the phases of online migrations. A history of
format 2 (no such table) is read as it is by read-only commands and upgraded in place by
the next run that takes the lock, its rows untouched."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import Database, Project, sql_migration

USERS = sql_migration(
    "CREATE TABLE users (id integer PRIMARY KEY, email varchar(200) NOT NULL);",
    "DROP TABLE users;",
)
NICKNAME = """\
[[operations]]
type = "add_column"
table = "users"
column = "nickname"
data_type = "varchar(200)"
"""


def _format(db: Database) -> str:
    key = '"key"' if db.backend != "mysql" else "`key`"
    return str(db.scalar(f"SELECT value FROM dbshift_history_meta WHERE {key} = 'format_version'"))


def _as_format_2(db: Database) -> None:
    """The tables as dbshift wrote them before format 3: no online table, format 2."""
    key = '"key"' if db.backend != "mysql" else "`key`"
    engine = db.engine()
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE dbshift_history_online")
            conn.exec_driver_sql(
                f"UPDATE dbshift_history_meta SET value = '2' WHERE {key} = 'format_version'"
            )
    finally:
        engine.dispose()


def test_history_of_format_2_is_upgraded_and_keeps_its_rows(
    project: Project, db: Database, tmp_path: Path
) -> None:
    project.write("1_users.sql", USERS)
    first = project.run("migrate")
    assert first.code == 0, first.err
    _as_format_2(db)
    assert "dbshift_history_online" not in db.tables()

    # Read-only commands read format 2 as it is, with the online file pending.
    project.write("2_nickname.toml", NICKNAME)
    status = project.run("status", "--format", "json")
    assert status.code == 0, status.err
    doc = json.loads(status.out)
    assert [m["version"] for m in doc["applied"]] == ["1"]
    assert [m["version"] for m in doc["pending"]] == ["2"]
    assert doc["online_in_flight"] == []
    history = json.loads(project.run("history", "--format", "json").out)
    assert [(h["version"], h["state"]) for h in history] == [("1", "applied")]
    assert "dbshift_history_online" not in db.tables()
    assert _format(db) == "2"

    applied = project.run("migrate")
    assert applied.code == 0, applied.err
    assert "dbshift_history_online" in db.tables()
    assert _format(db) == "3"
    history = json.loads(project.run("history", "--format", "json").out)
    assert [(h["version"], h["kind"], h["state"], h["online_mode"]) for h in history] == [
        ("1", "sql", "applied", None),
        ("2", "online", "applied", "whole"),
    ]
    assert history[0]["checksum"] == json.loads(status.out)["applied"][0]["checksum"]
    assert db.scalar("SELECT phase FROM dbshift_history_online WHERE version = '2'") == "completed"


def test_online_files_are_in_the_sum_file(project: Project) -> None:
    """Checksummed like SQL and Python files: an edit of an applied online file is named."""
    project.write("1_users.sql", USERS)
    project.write("2_nickname.toml", NICKNAME)
    listed = (project.migrations / "dbshift.sum").read_text(encoding="utf-8")
    assert "2_nickname.toml h1:" in listed
    assert project.run("migrate").code == 0

    (project.migrations / "2_nickname.toml").write_text(
        NICKNAME + "default = \"'x'\"\n", encoding="utf-8"
    )
    invalid = project.run("validate")
    assert invalid.code == 1
    assert "2_nickname.toml was edited since the last 'dbshift hash'" in invalid.err
    assert "2_nickname.toml: edited after it was applied" in invalid.err
    refused = project.run("migrate")
    assert refused.code == 1 and "2_nickname.toml" in refused.err


def test_validate_reports_a_malformed_online_file(project: Project) -> None:
    project.write("1_users.sql", USERS)
    project.write("2_nickname.toml", '[[operations]]\ntype = "add_colum"\ntable = "users"\n')
    invalid = project.run("validate")
    assert invalid.code == 1
    assert "2_nickname.toml: operations[0]: unknown type 'add_colum'" in invalid.err
