"""The built-in dump: with no dump tool on PATH (or ``backup_tool = "builtin"``), a
backup is still taken and restored, and the schema (by the server's catalog) and the data
come back exactly, on PostgreSQL and MariaDB."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.backup.test_restore import DESTROY, backup_id, create, fill, snapshot
from tests.conftest import Database, Project, sql_migration

BACKENDS = ["pg_db", "mysql_db"]


@pytest.mark.parametrize("fixture", BACKENDS)
def test_missing_dump_tool_falls_back_to_the_builtin_dump(
    fixture: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    db: Database = request.getfixturevalue(fixture)
    bare = {"PATH": str(tmp_path / "no-tools")}  # no pg_dump, mariadb-dump, psql, ...
    project = Project(tmp_path, db.url)
    project.write("1_create.sql", create(db.backend))
    assert project.run("migrate").code == 0
    fill(db)
    before = snapshot(db)

    project.write("2_destroy.sql", DESTROY)
    migrated = project.run("migrate", "--allow-destructive", env=bare)
    assert migrated.code == 0, migrated.err
    assert "not found on PATH: using dbshift's built-in dump" in migrated.err
    assert "install the " in migrated.err  # names the package that would be faster
    taken = backup_id(migrated.out)
    (entry,) = json.loads(project.run("backups", "--format", "json", url=False).out)
    assert entry["tool"].startswith("dbshift built-in dump")
    assert snapshot(db) != before

    restored = project.run("restore", taken, "--force", env=bare)
    assert restored.code == 0, restored.err
    assert snapshot(db) == before


@pytest.mark.parametrize("fixture", BACKENDS)
def test_builtin_setting_full_backup_restores_schema_and_data(
    fixture: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    db: Database = request.getfixturevalue(fixture)
    project = Project(tmp_path, db.url)
    (tmp_path / "dbshift.toml").write_text('backup_tool = "builtin"\n')
    project.write("1_create.sql", create(db.backend))
    assert project.run("migrate").code == 0
    fill(db, users=120, orders=400)
    before = snapshot(db)
    full = project.run("backup")
    assert full.code == 0, full.err
    assert "not found" not in full.err  # chosen by the setting, not by a missing tool
    taken = backup_id(full.out)

    project.write(
        "2_more.sql",
        sql_migration(
            "CREATE TABLE extra (id integer PRIMARY KEY);\n"
            "CREATE VIEW extra_view AS SELECT id FROM extra;\n"
            "ALTER TABLE users DROP COLUMN name;\n"
            "DROP VIEW big_orders;\n"
            "DROP TABLE audit;"
        ),
    )
    assert project.run("migrate", "--allow-destructive", "--no-backup").code == 0
    restored = project.run("restore", taken, "--force")
    assert restored.code == 0, restored.err
    assert snapshot(db) == before


def test_unknown_backup_tool_is_one_line(sqlite_db: Database, tmp_path: Path) -> None:
    project = Project(tmp_path, sqlite_db.url)
    (tmp_path / "dbshift.toml").write_text('backup_tool = "pgdump"\n')
    result = project.run("backup")
    assert result.code != 0
    assert "backup_tool must be one of auto, builtin, not 'pgdump'" in result.err
    assert len(result.err.strip().splitlines()) == 1
