"""A backup holds every table of dbshift's own (``runner.table_names``), and a restore
never leaves the history and the online phases (``<history>_online``) contradicting
each other: an online migration that moved since the backup is refused by name, and a
forced restore puts the history and the phases back together."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.backup.test_restore import backup_id
from tests.conftest import Database, Project, scratch_database, sql_migration
from tests.online.harness.connect import mysql_connect

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
up = "email"
"""
ONLINE = "0002_nickname"


def _ok(result: object) -> None:
    assert getattr(result, "code", 1) == 0, f"{result.out}{result.err}"  # type: ignore[attr-defined]


def _project(tmp_path: Path, db: Database) -> Project:
    project = Project(tmp_path, db.url)
    project.write("0001_users.sql", USERS, rehash=False)
    project.write(f"{ONLINE}.toml", NICKNAME)
    _ok(project.run("migrate", "--to", "0001"))
    with db.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO users (id, email) VALUES (1, 'ann@example.com'), (2, 'bob@example.com')"
        )
    return project


def _manifest(project: Project) -> dict[str, object]:
    (entry,) = json.loads(project.run("backups", "--format", "json", url=False).out)
    assert isinstance(entry, dict)
    return entry


def _phases(db: Database) -> list[tuple[str, str]]:
    with db.connect() as conn:
        rows = conn.exec_driver_sql("SELECT version, phase FROM dbshift_history_online").all()
    return sorted((str(v), str(p)) for v, p in rows)


@pytest.mark.parametrize("backend", ["postgresql", "mysql"])
def test_restore_refuses_a_history_older_than_an_online_start(backend: str, tmp_path: Path) -> None:
    with scratch_database(backend, tmp_path) as db:
        project = _project(tmp_path, db)
        taken = backup_id(project.run("backup", "--tables", "users").out)
        entry = _manifest(project)
        names = {str(t["name"]).split(".")[-1] for t in entry["tables"]}  # type: ignore[attr-defined]
        # The same list as inspection leaves out: the phases and the batch checkpoints too.
        assert {"users", "dbshift_history", "dbshift_history_online"} <= names, names
        assert entry["online_phases"] == {}
        try:
            _ok(project.run("online", "start", f"migrations/{ONLINE}.toml"))
            assert _phases(db) == [("0002", "started")]

            refused = project.run("restore", taken)
            assert refused.code == 1, refused.out + refused.err
            assert len(refused.err.strip().splitlines()) == 1, refused.err
            assert f"online migration(s) {ONLINE} (started since the backup)" in refused.err
            assert "--force" in refused.err
            assert _phases(db) == [("0002", "started")]  # nothing was restored

            # Only the history chosen (the table itself still has the views of the
            # version schema on it): its phases come back with it.
            forced = project.run("restore", taken, "--tables", "dbshift_history", "--force")
            _ok(forced)
            # History and phases from the backup, together: 0002 is pending, not started.
            assert _phases(db) == []
            history = json.loads(project.run("history", "--format", "json").out)
            assert [(h["version"], h["online_phase"]) for h in history] == [("0001", None)]
            assert f"online migration {ONLINE}" in forced.out + forced.err
        finally:
            if backend == "mysql":
                with mysql_connect(db.url) as conn:
                    base = make_url(db.url).database
                    conn.cursor().execute(f"DROP DATABASE IF EXISTS `{base}_{ONLINE}`")
