"""The prior backup: before an UPDATE/DELETE with a WHERE, only the rows it will touch are
saved, and ``restore --rows`` (or ``--tables`` for a table held only as rows) puts them
back by primary key, on all three servers."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.backup import judge
from tests.backup.test_restore import backup_id, create, fill
from tests.conftest import Database, Project, sql_migration

CHANGE = sql_migration(
    "UPDATE users SET email = upper(email), name = NULL WHERE id <= 40;\n"
    "DELETE FROM orders WHERE total > 90;"
)


def _data(db: Database) -> dict[str, str]:
    data = judge.data(db)
    return {t: data[t] for t in ("users", "orders", "audit")}


def test_update_and_delete_save_only_their_rows_and_restore_puts_them_back(
    db: Database, tmp_path: Path
) -> None:
    project = Project(tmp_path, db.url)
    project.write("1_create.sql", create(db.backend))
    assert project.run("migrate").code == 0
    fill(db)
    before = _data(db)

    project.write("2_change.sql", CHANGE)
    migrated = project.run("migrate", "--allow-destructive")
    assert migrated.code == 0, migrated.err
    taken = backup_id(migrated.out)
    assert "users (40 rows about to change)" in migrated.out or db.backend == "sqlite"
    changed = _data(db)
    assert changed["users"] != before["users"] and changed["orders"] != before["orders"]

    (entry,) = json.loads(project.run("backups", "--format", "json", url=False).out)
    tables = {t["name"].split(".")[-1]: t for t in entry["tables"]}
    assert tables["users"]["prior"]["rows"] == 40
    assert tables["users"]["prior"]["where"] == ["id <= 40"]
    assert tables["orders"]["prior"]["rows"] == 100  # totals x.25 with x in 90..99
    if db.backend != "sqlite":  # SQLite's backup API copies the whole file anyway
        assert not tables["users"]["whole"] and not tables["orders"]["whole"]
        assert tables["users"]["rows"] == 40 and "audit" not in tables
    files = {f["path"]: f for f in entry["files"]}
    prior_file = tables["users"]["prior"]["file"]
    assert prior_file.startswith("rows/") and len(files[prior_file]["sha256"]) == 64

    restored = project.run("restore", taken, "--rows", "--force")
    assert restored.code == 0, restored.err
    assert "140 saved row(s) put back by key" in restored.out
    assert _data(db) == before
    # the history was left alone: migration 2 is still applied
    assert re.search(r"2 +change +applied", project.run("status").out)

    if db.backend != "sqlite":
        # --tables on a table held only as rows upserts them, the other one stays as is
        with db.begin() as conn:
            conn.exec_driver_sql("UPDATE users SET email = 'x' WHERE id = 3")
            conn.exec_driver_sql("DELETE FROM orders WHERE id = 91")
        again = project.run("restore", taken, "--tables", "users", "--force")
        assert again.code == 0, again.err
        after = _data(db)
        assert after["users"] == before["users"] and after["orders"] != before["orders"]


def test_statement_whose_rows_cannot_be_told_backs_up_the_whole_table(
    db: Database, tmp_path: Path
) -> None:
    project = Project(tmp_path, db.url)
    project.write("1_create.sql", create(db.backend))
    assert project.run("migrate").code == 0
    fill(db, users=30, orders=60)
    project.write(
        "2_change.sql",
        sql_migration(
            "DELETE FROM orders WHERE user_id IN (SELECT id FROM users WHERE id < 5);\n"
            "UPDATE audit SET what = 'x' WHERE id = 1;"
        ),
    )
    migrated = project.run("migrate", "--allow-destructive")
    assert migrated.code == 0, migrated.err
    assert "backing up the whole table orders" in migrated.err
    assert "its WHERE has a subquery" in migrated.err
    (entry,) = json.loads(project.run("backups", "--format", "json", url=False).out)
    tables = {t["name"].split(".")[-1]: t for t in entry["tables"]}
    assert tables["orders"]["whole"] and tables["orders"]["rows"] == 60
    assert tables["audit"]["prior"]["rows"] == 1


def test_rows_without_a_key_or_moving_keys_back_up_the_whole_table(
    db: Database, tmp_path: Path
) -> None:
    project = Project(tmp_path, db.url)
    project.write("1_create.sql", create(db.backend))
    project.write(
        "2_nokey.sql",
        sql_migration("CREATE TABLE nokey (a integer);\nINSERT INTO nokey VALUES (1), (2);"),
    )
    assert project.run("migrate").code == 0
    fill(db, users=10, orders=10)
    project.write(
        "3_change.sql",
        sql_migration(
            "UPDATE nokey SET a = 3 WHERE a = 2;\n"
            "DELETE FROM orders WHERE id = 3;\n"
            "UPDATE audit SET id = 10 WHERE id = 1;"
        ),
    )
    migrated = project.run("migrate", "--allow-destructive")
    assert migrated.code == 0, migrated.err
    assert re.search(r"whole table \S*nokey: it has no primary key", migrated.err)
    assert re.search(r"whole table \S*audit: it sets its key column id", migrated.err)
    (entry,) = json.loads(project.run("backups", "--format", "json", url=False).out)
    tables = {t["name"].split(".")[-1]: t for t in entry["tables"]}
    assert tables["nokey"]["whole"] and tables["nokey"]["rows"] == 2
    assert tables["audit"]["whole"] and tables["audit"]["prior"] is None
    assert tables["orders"]["prior"]["rows"] == 1
