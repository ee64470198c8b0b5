"""``dbshift online`` messages: pausing what has nothing left to pause, unversioned files."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy

from tests.conftest import Database, Project

ALTER = """safety_period = 0
[[operations]]
type = "alter_column"
table = "items"
column = "code"
data_type = "text"
up = "upper(code)"
down = "lower(code)"
"""


def _setup(db: Database) -> None:
    with db.begin(autocommit=False) as conn:
        key = "id INTEGER PRIMARY KEY" if db.backend == "sqlite" else "id bigint PRIMARY KEY"
        conn.exec_driver_sql(f"CREATE TABLE items ({key}, code varchar(20) NOT NULL)")
        conn.execute(
            sqlalchemy.text("INSERT INTO items (id, code) VALUES (:i, :c)"),
            [{"i": i, "c": f"c{i}"} for i in range(1, 21)],
        )


@pytest.mark.parametrize("name", ["change", "add_email", "v1_change"])
def test_online_file_without_version_prefix_is_refused(
    sqlite_db: Database, tmp_path: Path, name: str
) -> None:
    _setup(sqlite_db)
    (tmp_path / f"{name}.toml").write_text(ALTER)
    result = Project(tmp_path, sqlite_db.url).run("online", "start", f"{name}.toml")
    assert result.code == 2, result.out
    assert "an online migration is named <version>_<description>.toml" in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert sqlite_db.scalar("SELECT code FROM items WHERE id = 1") == "c1"


@pytest.fixture(params=["postgresql", "mysql"])
def server_db(request: pytest.FixtureRequest) -> Database:
    fixture = "pg_db" if request.param == "postgresql" else "mysql_db"
    db: Database = request.getfixturevalue(fixture)
    return db


def test_pause_after_the_backfill_finished_says_so(server_db: Database, tmp_path: Path) -> None:
    _setup(server_db)
    (tmp_path / "1_code.toml").write_text(ALTER)
    project = Project(tmp_path, server_db.url)
    started = project.run("online", "start", "1_code.toml")
    assert started.code == 0, started.err
    paused = project.run("online", "pause", "1_code")
    assert paused.code == 0, paused.err
    assert "nothing to pause: the backfill has finished" in paused.out
    assert "dbshift online complete 1_code" in paused.out
    status = project.run("online", "status", "--format", "json")
    assert '"paused": false' in status.out
    completed = project.run("online", "complete", "1_code")
    assert completed.code == 0, completed.err
    again = project.run("online", "pause", "1_code")
    assert "nothing to pause: the migration is completed" in again.out


def test_pause_on_a_completed_sqlite_migration_says_so(sqlite_db: Database, tmp_path: Path) -> None:
    _setup(sqlite_db)
    (tmp_path / "1_code.toml").write_text(ALTER)
    project = Project(tmp_path, sqlite_db.url)
    assert project.run("online", "start", "1_code.toml").code == 0
    paused = project.run("online", "pause", "1_code")
    assert paused.code == 0 and "nothing to pause: the migration is completed" in paused.out


def test_pause_of_an_unknown_migration_is_a_usage_error(
    sqlite_db: Database, tmp_path: Path
) -> None:
    result = Project(tmp_path, sqlite_db.url).run("online", "pause", "1_nope")
    assert result.code == 2 and "no online migration '1_nope'" in result.err


def test_online_actions_speak_json(sqlite_db: Database, tmp_path: Path) -> None:
    import json

    _setup(sqlite_db)
    (tmp_path / "1_code.toml").write_text(ALTER)
    project = Project(tmp_path, sqlite_db.url)
    started = project.run("--format", "json", "online", "start", "1_code.toml")
    assert started.code == 0, started.err
    doc = json.loads(started.out)
    assert doc["name"] == "1_code" and doc["phase"] == "completed"
    paused = json.loads(project.run("online", "pause", "1_code", "--format", "json").out)
    assert paused["pausing"] is False and "nothing to pause" in paused["message"]
