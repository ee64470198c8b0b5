"""When migrate and rollback back up, what they copy, and how backups are pruned."""

from __future__ import annotations

import json
from pathlib import Path

from dbshift.backup.targets import at_risk
from dbshift.dialects import named
from dbshift.migrations import loader
from tests.backup.test_restore import backup_id
from tests.conftest import Database, Project, sql_migration


def listed(project: Project) -> list[dict]:  # type: ignore[type-arg]
    result = project.run("backups", "--format", "json", url=False)
    assert result.code == 0, result.err
    return json.loads(result.out)  # type: ignore[no-any-return]


def test_rollback_backs_up_what_its_down_section_drops(db: Database, tmp_path: Path) -> None:
    project = Project(tmp_path, db.url)
    project.write(
        "1_keep.sql",
        sql_migration("CREATE TABLE keep (id integer PRIMARY KEY);", "DROP TABLE keep;"),
    )
    project.write(
        "2_notes.sql",
        sql_migration(
            "CREATE TABLE notes (id integer PRIMARY KEY, body text);\n"
            "INSERT INTO notes VALUES (1, 'precious');",
            "DROP TABLE notes;",
        ),
    )
    assert project.run("migrate").code == 0
    assert not listed(project)  # nothing destructive ran

    rolled = project.run("rollback", "--allow-destructive")
    assert rolled.code == 0, rolled.err
    (entry,) = listed(project)
    assert entry["id"] == backup_id(rolled.out)
    assert entry["reason"].startswith("before rollback 2: migrations/2_notes.sql:")
    names = [t["name"].split(".")[-1] for t in entry["tables"]]
    assert "notes" in names
    if db.backend != "sqlite":  # SQLite's backup API always copies the whole file
        assert "keep" not in names and entry["scope"] == "tables"
    assert "notes" not in db.tables()

    restored = project.run("restore", entry["id"])  # history matches: no --force needed
    assert restored.code == 0, restored.err
    assert db.scalar("SELECT body FROM notes") == "precious"


def test_backup_setting_never_always_and_no_backup(sqlite_db: Database, tmp_path: Path) -> None:
    project = Project(tmp_path, sqlite_db.url)
    config = tmp_path / "dbshift.toml"
    config.write_text('backup = "never"\n')
    project.write("1_a.sql", sql_migration("CREATE TABLE a (id integer);"))
    project.write("2_drop.sql", sql_migration("DROP TABLE a;"))
    assert project.run("migrate", "--allow-destructive", "--to", "1").code == 0
    assert project.run("migrate", "--allow-destructive").code == 0
    assert not listed(project)

    config.write_text('backup = "always"\n')
    project.write("3_b.sql", sql_migration("CREATE TABLE b (id integer);"))
    assert project.run("migrate").code == 0
    (entry,) = listed(project)
    assert entry["scope"] == "full" and entry["history_version"] == "2"

    project.write("4_c.sql", sql_migration("CREATE TABLE c (id integer);"))
    assert project.run("migrate", "--no-backup").code == 0
    assert len(listed(project)) == 1


def test_table_created_in_the_same_run_is_not_backed_up(pg_db: Database, tmp_path: Path) -> None:
    project = Project(tmp_path, pg_db.url)
    project.write(
        "1_scratch.sql",
        sql_migration("CREATE TABLE scratch (id integer);\nDROP TABLE scratch;"),
    )
    migrated = project.run("migrate", "--allow-destructive")
    assert migrated.code == 0, migrated.err
    assert not listed(project)


def test_prune_keeps_the_newest(sqlite_db: Database, tmp_path: Path) -> None:
    project = Project(tmp_path, sqlite_db.url)
    project.write("1_a.sql", sql_migration("CREATE TABLE a (id integer);"))
    assert project.run("migrate").code == 0
    ids = [backup_id(project.run("backup").out) for _ in range(3)]
    (tmp_path / ".dbshift" / "backups" / "x.partial").mkdir()  # a fresh leftover stays
    pruned = project.run("backups", "prune", "--keep", "1", url=False)
    assert pruned.code == 0, pruned.err
    assert [e["id"] for e in listed(project)] == ids[-1:]
    assert "removed " + ids[0] in pruned.out and "removed " + ids[1] in pruned.out
    assert project.run("backups", "prune", "--keep-days", "1", url=False).code == 0
    assert [e["id"] for e in listed(project)] == ids[-1:]
    (tmp_path / "dbshift.toml").write_text("backup_keep = 2\n")
    project.run("backup")
    project.run("backup")
    assert len(listed(project)) == 2


def test_at_risk_reads_drops_type_changes_and_data_changes(tmp_path: Path) -> None:
    d = tmp_path / "migrations"
    d.mkdir()
    (d / "1_x.sql").write_text(
        sql_migration(
            "-- dbshift:ignore drop-table confirmed\nDROP TABLE gone;\n"
            "ALTER TABLE users ALTER COLUMN age TYPE bigint;\n"
            "UPDATE accounts SET balance = 0 WHERE id = 1;\n"
            "DELETE FROM logs WHERE at < now();\n"
            "TRUNCATE cache;\n"
            "CREATE TABLE fresh (id int);\n"
            "ALTER TABLE fresh ADD COLUMN x int;",
            "DROP TABLE downonly;",
        )
    )
    migrations = loader.load(d, named("postgresql"))
    up = at_risk(migrations, named("postgresql"), down=False)
    assert up.tables == ["gone", "users", "cache"]
    assert {t: [r.where for r in sets] for t, sets in up.rows.items()} == {
        "accounts": ["id = 1"],
        "logs": ["at < now()"],
    }
    assert not up.full
    assert at_risk(migrations, named("postgresql"), down=True).tables == ["downonly"]
    (d / "2_y.sql").write_text(sql_migration("DROP SCHEMA old CASCADE;"))
    assert at_risk(loader.load(d, named("postgresql")), named("postgresql"), down=False).full


def test_at_risk_saves_rows_only_where_the_statement_says_which(tmp_path: Path) -> None:
    d = tmp_path / "migrations"
    d.mkdir()
    (d / "1_x.sql").write_text(
        sql_migration(
            "UPDATE a SET v = 1 WHERE id IN (1, 2) AND note = $$it's$$;\n"
            "UPDATE a AS x SET v = 2 WHERE x.id > 10 RETURNING x.id;\n"
            "UPDATE b SET v = 1 FROM c WHERE b.id = c.id;\n"
            "DELETE FROM d WHERE id IN (SELECT id FROM c);\n"
            "DELETE FROM e WHERE random() < 0.5;\n"
            "ALTER TABLE f ADD COLUMN flag int;\n"
            "UPDATE f SET flag = 1 WHERE id = 3;\n"
            "DELETE FROM g WHERE id = 1;\n"
            "DROP TABLE g;\n"
            "UPDATE h SET v = 0;"
        )
    )
    risk = at_risk(loader.load(d, named("postgresql")), named("postgresql"), down=False)
    assert {t: [(r.alias, r.where) for r in sets] for t, sets in risk.rows.items()} == {
        "a": [(None, "id IN (1, 2) AND note = $$it's$$"), ("x", "x.id > 10")]
    }
    assert risk.tables == ["b", "d", "e", "f", "g", "h"]
    notes = "\n".join(risk.notes)
    assert "whole table b: the rows this statement touches cannot be told (it has FROM" in notes
    assert (
        "whole table d: the rows this statement touches cannot be told (its WHERE has a subquery)"
        in notes
    )
    assert "calls random()" in notes
    assert "whole table f: an earlier statement of this run changes its columns" in notes
