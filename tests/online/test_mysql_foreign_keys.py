"""Foreign keys into and out of a table the MySQL engine copies (issue 17, MySQL gaps):
after complete every key is on the final table exactly as the same change made with plain
DDL gives it (names, columns, rules, the children's indexes), pointing at the table in the
base database; after rollback the catalog is what it was before start. Both under the
harness's writers through both versions, judged by the harness's catalog judge
(information_schema.REFERENTIAL_CONSTRAINTS joined to KEY_COLUMN_USAGE), and the keys are
then shown to be enforced and to cascade."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pymysql
import pytest

from tests.conftest import Database, Project, scratch_database
from tests.online.harness import judge
from tests.online.harness.connect import mysql_connect
from tests.online.harness.drive import cli, execute, query, refused
from tests.online.harness.load import Writer, deal, expected_rows

pytestmark = [pytest.mark.mysql, pytest.mark.slow]
NAME = "20261206_fk"
ROWS = 2000

SETUP = [
    "CREATE TABLE owners (id integer PRIMARY KEY)",
    "INSERT INTO owners (id) SELECT seq FROM seq_0_to_99",
    "CREATE TABLE items (id bigint AUTO_INCREMENT PRIMARY KEY, code varchar(64) NOT NULL, "
    "note varchar(200), qty integer NOT NULL DEFAULT 0, "
    "CONSTRAINT items_qty_owner FOREIGN KEY (qty) REFERENCES owners (id) ON UPDATE CASCADE)",
    f"INSERT INTO items (code, note, qty) SELECT concat('c', seq), concat('n', seq), seq % 100 "
    f"FROM seq_1_to_{ROWS}",
    # A named key with ON DELETE CASCADE, and an unnamed one whose index InnoDB generates
    # (named after the column; MariaDB renames such an index when a key is re-added).
    "CREATE TABLE tags (id integer AUTO_INCREMENT PRIMARY KEY, item_id bigint NOT NULL, "
    "CONSTRAINT tags_item FOREIGN KEY (item_id) REFERENCES items (id) ON DELETE CASCADE)",
    f"INSERT INTO tags (item_id) SELECT seq FROM seq_1_to_{ROWS}",
    "CREATE TABLE notes (id integer AUTO_INCREMENT PRIMARY KEY, item_id bigint, "
    "FOREIGN KEY (item_id) REFERENCES items (id) ON DELETE SET NULL)",
    f"INSERT INTO notes (item_id) SELECT seq FROM seq_1_to_{ROWS} WHERE seq % 2 = 0",
]

SET_NOT_NULL = """safety_period = 0
[[operations]]
type = "alter_column"
table = "items"
column = "note"
not_null = true
up = "coalesce(note, '-')"
"""
DESIRED = ["ALTER TABLE items MODIFY note varchar(200) NOT NULL"]


def _writers(db: Database, version: str) -> tuple[list[Writer], list[Writer]]:
    hands = deal(list(range(1, ROWS + 1)), 4)

    def make(i: int, which: str) -> Writer:
        database = version if which == "new" else None
        note = (
            (lambda c: None if c % 3 == 0 else f"o{c}") if which == "old" else (lambda c: f"r{c}")
        )
        return Writer(
            f"{which}{i}",
            which,
            lambda: mysql_connect(db.url, database),
            "items",
            lambda c: {"code": f"{which}{c}", "note": note(c), "qty": c % 100},
            hands[i],
            returning=False,
            offset=i * 10_000_000,
        )

    return [make(0, "old"), make(1, "old")], [make(2, "new"), make(3, "new")]


def _run(db: Database, tmp_path: Path, finish: str) -> tuple[list[Writer], dict[str, Any]]:
    (tmp_path / f"{NAME}.toml").write_text(SET_NOT_NULL, encoding="utf-8")
    project = Project(tmp_path, db.url)
    old, _ = _writers(db, "")
    running = list(old)
    try:
        for w in old:
            w.start()
        time.sleep(0.3)
        entry = cli(project, "start", f"{NAME}.toml", "--batch-size", "100", "--target-ms", "10")
        assert entry["phase"] == "active", entry
        new = _writers(db, entry["version_schema"])[1]
        running += new
        for w in new:
            w.start()
        time.sleep(1.0)
        first, then = (old, new) if finish == "complete" else (new, old)
        for w in first:
            w.finish()
        done = cli(project, finish, NAME)
        time.sleep(0.3)
        for w in then:
            w.finish()
    finally:
        for w in running:
            w.stop.set()
        for w in running:
            if w.thread is not None:
                w.thread.join(timeout=60)
    for w in running:
        assert not w.errors, (w.name, w.errors)
        assert w.deadlocks == 0, (w.name, w.deadlocks)
        assert w.operations > 20, (w.name, w.operations)
    return running, done


def _keys(url: str) -> list[tuple[Any, ...]]:
    """Every foreign key of the database: where it points, by name, as the catalog says."""
    return query(
        "mysql",
        url,
        "SELECT r.TABLE_NAME, r.CONSTRAINT_NAME, k.COLUMN_NAME, r.UNIQUE_CONSTRAINT_SCHEMA = "
        "DATABASE(), r.REFERENCED_TABLE_NAME, k.REFERENCED_TABLE_SCHEMA = DATABASE(), "
        "k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME, r.UPDATE_RULE, r.DELETE_RULE "
        "FROM information_schema.REFERENTIAL_CONSTRAINTS r "
        "JOIN information_schema.KEY_COLUMN_USAGE k ON k.CONSTRAINT_SCHEMA = r.CONSTRAINT_SCHEMA "
        "AND k.CONSTRAINT_NAME = r.CONSTRAINT_NAME AND k.TABLE_NAME = r.TABLE_NAME "
        "WHERE r.CONSTRAINT_SCHEMA = DATABASE() ORDER BY 1, 2",
    )


def _same_tables(actual: dict[str, Any], wanted: dict[str, Any]) -> None:
    assert sorted(actual) == sorted(wanted)
    for table, parts in wanted.items():
        for part, value in parts.items():
            assert actual[table][part] == value, (table, part, actual[table][part], value)


def _enforced(url: str) -> None:
    """The keys hold and act on the table the applications now use."""
    with mysql_connect(url) as conn:
        cur = conn.cursor()
        with pytest.raises(pymysql.err.IntegrityError) as bad_child:
            cur.execute("INSERT INTO tags (item_id) VALUES (999999999)")
        assert bad_child.value.args[0] == 1452
        with pytest.raises(pymysql.err.IntegrityError) as bad_parent:
            cur.execute("INSERT INTO items (code, note, qty) VALUES ('x', 'x', 12345)")
        assert bad_parent.value.args[0] == 1452
        cur.execute("SELECT min(item_id) FROM tags")
        (victim,) = cur.fetchone()
        cur.execute("DELETE FROM items WHERE id = %s", [victim])
        cur.execute("SELECT count(*) FROM tags WHERE item_id = %s", [victim])
        assert cur.fetchone() == (0,)  # ON DELETE CASCADE from the final table


def _no_orphans(url: str) -> None:
    (row,) = query(
        "mysql",
        url,
        "SELECT (SELECT count(*) FROM tags t LEFT JOIN items i ON i.id = t.item_id "
        "WHERE i.id IS NULL), (SELECT count(*) FROM notes n LEFT JOIN items i "
        "ON i.id = n.item_id WHERE n.item_id IS NOT NULL AND i.id IS NULL), "
        "(SELECT count(*) FROM items i LEFT JOIN owners o ON o.id = i.qty WHERE o.id IS NULL)",
    )
    assert row == (0, 0, 0)


@pytest.mark.parametrize("finish", ["complete", "rollback"])
def test_foreign_keys_in_and_out_of_a_copied_table_under_load(
    mysql_db: Database, tmp_path: Path, finish: str
) -> None:
    execute("mysql", mysql_db.url, SETUP)
    before = judge.snapshot("mysql", mysql_db.url)
    keys_before = _keys(mysql_db.url)
    initial = {i: {"code": f"c{i}", "note": f"n{i}", "qty": i % 100} for i in range(1, ROWS + 1)}
    writers, done = _run(mysql_db, tmp_path, finish)
    after = judge.snapshot("mysql", mysql_db.url)
    if finish == "complete":
        assert done["phase"] == "completed", done
        (tmp_path / "ref").mkdir()
        with scratch_database("mysql", tmp_path / "ref") as ref:
            execute("mysql", ref.url, [*SETUP, *DESIRED])
            wanted = judge.snapshot("mysql", ref.url)
            keys_wanted = _keys(ref.url)
        _same_tables(after["tables"], wanted["tables"])
        assert after["triggers"] == wanted["triggers"] == []
        assert _keys(mysql_db.url) == keys_wanted
        rows = expected_rows(
            initial,
            writers,
            old=lambda r, b: {**r, "note": r["note"] if r["note"] is not None else "-"},
            new=lambda r, b: dict(r),
        )
    else:
        assert done["phase"] == "rolled_back", done
        _same_tables(after["tables"], before["tables"])
        assert after["triggers"] == before["triggers"] == []
        assert after["version_databases"] == []
        assert _keys(mysql_db.url) == keys_before
        rows = expected_rows(initial, writers, old=lambda r, b: dict(r), new=lambda r, b: dict(r))
    got = {
        int(r[0]): {"code": r[1], "note": r[2], "qty": r[3]}
        for r in query("mysql", mysql_db.url, "SELECT id, code, note, qty FROM items")
    }
    assert got == rows
    _no_orphans(mysql_db.url)
    _enforced(mysql_db.url)


def test_a_key_to_its_own_table_is_refused_before_anything_changes(
    mysql_db: Database, tmp_path: Path
) -> None:
    execute(
        "mysql",
        mysql_db.url,
        [
            "CREATE TABLE items (id bigint AUTO_INCREMENT PRIMARY KEY, parent bigint, "
            "note varchar(200), CONSTRAINT items_parent FOREIGN KEY (parent) REFERENCES items (id))",
            "INSERT INTO items (note) VALUES ('a'), (NULL)",
        ],
    )
    before = judge.snapshot("mysql", mysql_db.url)
    (tmp_path / f"{NAME}.toml").write_text(SET_NOT_NULL, encoding="utf-8")
    line = refused(Project(tmp_path, mysql_db.url), "start", f"{NAME}.toml")
    assert "items_parent" in line and "its own table" in line
    assert judge.snapshot("mysql", mysql_db.url) == before


def test_a_key_column_the_migration_retypes_is_refused(mysql_db: Database, tmp_path: Path) -> None:
    execute("mysql", mysql_db.url, SETUP[:3])
    before = judge.snapshot("mysql", mysql_db.url)
    (tmp_path / f"{NAME}.toml").write_text(
        'safety_period = 0\n[[operations]]\ntype = "alter_column"\ntable = "items"\n'
        'column = "qty"\ndata_type = "bigint"\n',
        encoding="utf-8",
    )
    line = refused(Project(tmp_path, mysql_db.url), "start", f"{NAME}.toml")
    assert "items_qty_owner" in line and "type" in line
    assert judge.snapshot("mysql", mysql_db.url) == before


def _killed(project: Project, step: str, *args: str) -> None:
    result = project.run("online", *args, env={"DBSHIFT_ONLINE_CRASH_AT": step})
    assert result.code == 137, (step, result.err)


def test_complete_killed_after_the_swap_is_finished_by_running_it_again(
    mysql_db: Database, tmp_path: Path
) -> None:
    """Killed between the swap and the children's keys getting their names back: the
    next complete gives them back (and the index InnoDB renamed)."""
    execute("mysql", mysql_db.url, SETUP)
    (tmp_path / f"{NAME}.toml").write_text(SET_NOT_NULL, encoding="utf-8")
    project = Project(tmp_path, mysql_db.url)
    cli(project, "start", f"{NAME}.toml")
    _killed(project, "after-swap", "complete", NAME)
    names = {r[1] for r in _keys(mysql_db.url)}
    assert "_dbshift_fk_tags_item" in names  # the state the kill left
    assert cli(project, "complete", NAME)["phase"] == "completed"
    (tmp_path / "ref").mkdir()
    with scratch_database("mysql", tmp_path / "ref") as ref:
        execute("mysql", ref.url, [*SETUP, *DESIRED])
        _same_tables(
            judge.snapshot("mysql", mysql_db.url)["tables"],
            judge.snapshot("mysql", ref.url)["tables"],
        )
    _enforced(mysql_db.url)


def test_rollback_after_a_complete_killed_before_the_swap_points_the_keys_back(
    mysql_db: Database, tmp_path: Path
) -> None:
    """Killed with the children pointing at the shadow and the table's own key dropped:
    rollback points them back and adds the key again, before the shadow goes."""
    execute("mysql", mysql_db.url, SETUP)
    before = judge.snapshot("mysql", mysql_db.url)
    (tmp_path / f"{NAME}.toml").write_text(SET_NOT_NULL, encoding="utf-8")
    project = Project(tmp_path, mysql_db.url)
    cli(project, "start", f"{NAME}.toml")
    _killed(project, "before-swap", "complete", NAME)
    keys = _keys(mysql_db.url)
    assert not any(r[1] == "items_qty_owner" for r in keys)  # the state the kill left
    assert any(r[1] == "_dbshift_fk_tags_item" and not r[3] for r in keys)
    assert cli(project, "rollback", NAME)["phase"] == "rolled_back"
    after = judge.snapshot("mysql", mysql_db.url)
    _same_tables(after["tables"], before["tables"])
    assert after["version_databases"] == []
    _enforced(mysql_db.url)
