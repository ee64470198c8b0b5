"""Bad input gets one line, a non-zero exit, and nothing lost or half-done."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from tests.backup.test_restore import backup_id
from tests.conftest import Database, Project, sql_migration

CREATE = sql_migration("CREATE TABLE t (id integer PRIMARY KEY);\nINSERT INTO t VALUES (1);")
DROP = sql_migration("DROP TABLE t;")


def one_line(err: str) -> str:
    lines = [ln for ln in err.strip().splitlines() if not ln.startswith("warning:")]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_unwritable_backup_dir_stops_migrate_before_anything_runs(
    db: Database, tmp_path: Path
) -> None:
    project = Project(tmp_path, db.url)
    (tmp_path / "not-a-dir").write_text("a file")
    (tmp_path / "dbshift.toml").write_text('backup_dir = "not-a-dir/backups"\n')
    project.write("1_create.sql", CREATE)
    assert project.run("migrate").code == 0
    project.write("2_drop.sql", DROP)

    refused = project.run("migrate", "--allow-destructive")
    assert refused.code == 2
    line = one_line(refused.err)
    assert "backup directory" in line and "not writable" in line and "--no-backup" in line
    assert "t" in db.tables()
    assert db.scalar("SELECT count(*) FROM dbshift_history") == 1

    manual = project.run("backup")
    assert manual.code == 2 and "not writable" in one_line(manual.err)
    assert project.run("migrate", "--allow-destructive", "--no-backup").code == 0
    assert "t" not in db.tables()


def _without_tools(tmp_path: Path) -> dict[str, str]:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    return {"PATH": str(empty)}


def test_missing_restore_tool_is_named_with_its_package(pg_db: Database, tmp_path: Path) -> None:
    """A missing dump tool falls back to the built-in dump (test_builtin.py); a pg_dump
    archive cannot be read without pg_restore, so that is still refused by name."""
    project = Project(tmp_path, pg_db.url)
    project.write("1_create.sql", CREATE)
    assert project.run("migrate").code == 0
    taken = project.run("backup")
    assert taken.code == 0, taken.err
    refused = project.run("restore", "latest", env=_without_tools(tmp_path))
    assert refused.code == 2
    line = one_line(refused.err)
    assert "pg_restore not found on PATH: install the PostgreSQL client tools" in line
    assert "t" in pg_db.tables()


def test_missing_mysql_restore_tool(mysql_db: Database, tmp_path: Path) -> None:
    project = Project(tmp_path, mysql_db.url)
    project.write("1_create.sql", CREATE)
    assert project.run("migrate").code == 0
    assert project.run("backup").code == 0
    refused = project.run("restore", "latest", env=_without_tools(tmp_path))
    assert refused.code == 2
    assert "mariadb or mysql not found on PATH: install the MariaDB or MySQL client" in (
        one_line(refused.err)
    )


def test_older_client_is_warned_about(pg_db: Database, tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "pg_dump"
    fake.write_text(
        '#!/bin/sh\nif [ "$1" = "--version" ]; then echo "pg_dump (PostgreSQL) 9.6.24"; exit 0; fi\n'
        'exec /usr/bin/pg_dump "$@"\n'
    )
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    project = Project(tmp_path, pg_db.url)
    project.write("1_create.sql", CREATE)
    assert project.run("migrate").code == 0
    taken = project.run("backup", env={"PATH": f"{bin_dir}:{os.environ['PATH']}"})
    assert taken.code == 0, taken.err
    assert "warning: pg_dump 9.6.24 is older than the server (PostgreSQL 15)" in taken.err


def test_restore_onto_another_kind_of_database_is_refused(
    sqlite_db: Database, tmp_path: Path
) -> None:
    project = Project(tmp_path, sqlite_db.url)
    project.write("1_create.sql", CREATE)
    assert project.run("migrate").code == 0
    taken = backup_id(project.run("backup").out)
    refused = project.run("restore", taken, "--to", "postgresql://someone:pw@127.0.0.1:1/nowhere")
    assert refused.code == 2
    line = one_line(refused.err)
    assert f"backup {taken} is a sqlite backup; it cannot be restored onto the postgresql" in line
    assert ":pw@" not in line


def test_password_never_reaches_output_or_manifest(pg_db: Database, tmp_path: Path) -> None:
    url = pg_db.url.replace("postgres@", "postgres:s3cr3t-pw@")  # trust auth ignores it
    project = Project(tmp_path, url)
    project.write("1_create.sql", CREATE)
    assert project.run("migrate").code == 0
    taken = project.run("backup")
    assert taken.code == 0, taken.err
    listed = project.run("backups", "--format", "json", url=False)
    for text in (taken.out, taken.err, listed.out):
        assert "s3cr3t" not in text
    manifest = next((tmp_path / ".dbshift" / "backups").glob("*/manifest.json"))
    assert "s3cr3t" not in manifest.read_text()
    assert json.loads(manifest.read_text())["url"].startswith("postgresql+psycopg://postgres:***@")


def test_bad_config_and_unknown_ids(tmp_path: Path) -> None:
    project = Project(tmp_path, f"sqlite:///{tmp_path / 'x.db'}")
    (tmp_path / "dbshift.toml").write_text('backup = "sometimes"\n')
    bad = project.run("backup")
    assert bad.code == 2
    assert "backup must be one of destructive, always, never, not 'sometimes'" in one_line(bad.err)
    (tmp_path / "dbshift.toml").write_text("")
    unknown = project.run("restore", "nope")
    assert unknown.code == 2 and "no backup 'nope'" in one_line(unknown.err)
    prune = project.run("backups", "prune", url=False)
    assert prune.code == 2 and "--keep" in one_line(prune.err)
