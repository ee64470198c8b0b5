"""Online migrations on SQLite: ``start`` applies the whole file in one transaction (no
second version to serve), ``complete`` is a no-op and ``rollback`` is refused.

Real database files in tmp_path, driven through the CLI (in-process for speed; the error
path also through the installed entry point)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from pathlib import Path

import pytest

from dbshift.cli.main import main
from tests.conftest import Result, dbshift_executable

NAME = "20260101000000_change"

SETUP = """
CREATE TABLE owners (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE items (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL,
    note TEXT,
    qty INTEGER NOT NULL DEFAULT 0,
    owner_id INTEGER
);
CREATE INDEX items_code_idx ON items (code);
CREATE TABLE audit (item_id INTEGER, qty INTEGER);
CREATE TRIGGER items_audit AFTER UPDATE OF qty ON items
BEGIN
    INSERT INTO audit VALUES (NEW.id, NEW.qty);
END;
CREATE VIEW item_codes AS SELECT id, code FROM items;
INSERT INTO owners VALUES (1, 'ann'), (2, 'bob');
INSERT INTO items VALUES (1, 'A-1', 'first', 7, 1), (2, 'B-2', NULL, 0, 2), (3, 'c-3', 'third', 42, NULL);
"""


class Db:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.url = f"sqlite:///{path}"

    def rows(self, sql: str) -> list[tuple[object, ...]]:
        with sqlite3.connect(self.path) as conn:
            return conn.execute(sql).fetchall()

    def columns(self, table: str) -> list[tuple[str, str, int, object]]:
        """(name, type, notnull, default) per column, in order."""
        return [
            (r[1], r[2], r[3], r[4])  # type: ignore[misc]
            for r in self.rows(f"SELECT * FROM pragma_table_info('{table}')")
        ]

    def indexes(self, table: str) -> set[str]:
        return {str(r[0]) for r in self.rows(f"SELECT name FROM pragma_index_list('{table}')")}

    def objects(self) -> set[str]:
        return {str(r[0]) for r in self.rows("SELECT name FROM sqlite_schema")}

    def dump(self) -> list[str]:
        conn = sqlite3.connect(self.path)
        try:
            return list(conn.iterdump())
        finally:
            conn.close()


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Db:
    monkeypatch.chdir(tmp_path)
    for var in ("DBSHIFT_URL", "DATABASE_URL"):
        monkeypatch.delenv(var, raising=False)
    path = tmp_path / "app.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(SETUP)
    conn.close()
    return Db(path)


def online(db: Db, capsys: pytest.CaptureFixture[str], *args: str) -> Result:
    code = main(["online", *args, "--url", db.url])
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)


def start(db: Db, capsys: pytest.CaptureFixture[str], toml: str) -> Result:
    path = db.path.parent / f"{NAME}.toml"
    path.write_text(toml, encoding="utf-8")
    return online(db, capsys, "start", str(path))


def applied(db: Db, capsys: pytest.CaptureFixture[str], toml: str) -> None:
    r = start(db, capsys, toml)
    assert r.code == 0, r.err
    assert f"{NAME}: completed" in r.out
    # The rebuilt tables keep their view and trigger working.
    assert db.rows("PRAGMA integrity_check") == [("ok",)]
    assert db.rows("PRAGMA foreign_key_check") == []


# -- one test per operation ------------------------------------------------------------


def test_add_column_with_up_and_not_null(db: Db, capsys: pytest.CaptureFixture[str]) -> None:
    applied(
        db,
        capsys,
        """
[[operations]]
type = "add_column"
table = "items"
column = "label"
data_type = "TEXT"
not_null = true
up = "lower(code) || ':' || qty"

[[operations]]
type = "add_column"
table = "items"
column = "rank"
data_type = "INTEGER"
not_null = true
default = "5"

[[operations]]
type = "add_column"
table = "items"
column = "memo"
data_type = "TEXT"
up = "note"
""",
    )
    cols = db.columns("items")
    assert cols[-3:] == [
        ("label", "TEXT", 1, None),
        ("rank", "INTEGER", 1, "5"),
        ("memo", "TEXT", 0, None),
    ]
    assert db.rows("SELECT id, label, rank, memo FROM items ORDER BY id") == [
        (1, "a-1:7", 5, "first"),
        (2, "b-2:0", 5, None),
        (3, "c-3:42", 5, "third"),
    ]
    assert "items_code_idx" in db.indexes("items")
    assert "items_audit" in db.objects()


def test_drop_column(db: Db, capsys: pytest.CaptureFixture[str]) -> None:
    applied(
        db,
        capsys,
        """
[[operations]]
type = "drop_column"
table = "items"
column = "note"
down = "'x'"

[[operations]]
type = "drop_column"
table = "items"
column = "owner_id"
""",
    )
    assert [c[0] for c in db.columns("items")] == ["id", "code", "qty"]
    assert db.rows("SELECT * FROM items ORDER BY id") == [
        (1, "A-1", 7),
        (2, "B-2", 0),
        (3, "c-3", 42),
    ]


def test_drop_indexed_column_rebuilds_without_its_index(
    db: Db, capsys: pytest.CaptureFixture[str]
) -> None:
    db.rows("CREATE INDEX items_qty_idx ON items (qty)")
    applied(db, capsys, '[[operations]]\ntype = "drop_column"\ntable = "items"\ncolumn = "qty"\n')
    assert "qty" not in [c[0] for c in db.columns("items")]
    assert db.indexes("items") == {"items_code_idx"}
    assert db.rows("SELECT id, code FROM items ORDER BY id")[0] == (1, "A-1")


def test_rename_column(db: Db, capsys: pytest.CaptureFixture[str]) -> None:
    applied(
        db,
        capsys,
        """
[[operations]]
type = "rename_column"
table = "items"
column = "code"
new_name = "sku"
""",
    )
    assert [c[0] for c in db.columns("items")][:2] == ["id", "sku"]
    assert db.rows("SELECT sku FROM items WHERE id = 1") == [("A-1",)]
    # The index and the view follow the column.
    assert db.rows("SELECT name FROM pragma_index_info('items_code_idx')") == [("sku",)]
    assert db.rows("SELECT sku FROM item_codes WHERE id = 3") == [("c-3",)]


def test_alter_column_type_with_up(db: Db, capsys: pytest.CaptureFixture[str]) -> None:
    db.rows("CREATE INDEX items_qty_idx ON items (qty)")
    applied(
        db,
        capsys,
        """
[[operations]]
type = "alter_column"
table = "items"
column = "qty"
data_type = "TEXT"
up = "printf('%05d', qty)"
down = "CAST(qty AS INTEGER)"
not_null = true
default = "'00000'"
""",
    )
    assert ("qty", "TEXT", 1, "'00000'") in db.columns("items")
    # Evaluated in the copy into the TEXT column: no INTEGER affinity turns '00007' into 7.
    assert db.rows("SELECT qty, typeof(qty) FROM items ORDER BY id") == [
        ("00007", "text"),
        ("00000", "text"),
        ("00042", "text"),
    ]
    assert db.indexes("items") == {"items_code_idx", "items_qty_idx"}
    db.rows("UPDATE items SET qty = '00009' WHERE id = 1")
    assert db.rows("SELECT * FROM audit") == [(1, 9)]  # the trigger was recreated


def test_alter_column_sets_not_null_and_default(db: Db, capsys: pytest.CaptureFixture[str]) -> None:
    applied(
        db,
        capsys,
        """
[[operations]]
type = "alter_column"
table = "items"
column = "note"
up = "coalesce(note, '-')"
not_null = true
default = "'-'"
""",
    )
    assert ("note", "TEXT", 1, "'-'") in db.columns("items")
    assert db.rows("SELECT note FROM items ORDER BY id") == [("first",), ("-",), ("third",)]
    db.rows("INSERT INTO items (id, code) VALUES (9, 'z')")
    assert db.rows("SELECT note FROM items WHERE id = 9") == [("-",)]


def test_add_check(db: Db, capsys: pytest.CaptureFixture[str]) -> None:
    db.rows("UPDATE items SET qty = -3 WHERE id = 2")
    applied(
        db,
        capsys,
        """
[[operations]]
type = "add_check"
table = "items"
column = "qty"
name = "items_qty_positive"
check = "qty >= 0"
up = "max(qty, 0)"
not_null = true
""",
    )
    assert db.rows("SELECT qty FROM items ORDER BY id") == [(7,), (0,), (42,)]
    with pytest.raises(sqlite3.IntegrityError, match="items_qty_positive"):
        db.rows("UPDATE items SET qty = -1 WHERE id = 1")


def test_add_unique(db: Db, capsys: pytest.CaptureFixture[str]) -> None:
    applied(
        db,
        capsys,
        '[[operations]]\ntype = "add_unique"\ntable = "items"\nname = "items_code_key"\n'
        'columns = ["code"]\n',
    )
    assert db.rows(
        "SELECT \"unique\" FROM pragma_index_list('items') WHERE name = 'items_code_key'"
    ) == [(1,)]
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        db.rows("INSERT INTO items (id, code) VALUES (10, 'A-1')")


def test_add_unique_refused_on_duplicates(db: Db, capsys: pytest.CaptureFixture[str]) -> None:
    db.rows("UPDATE items SET code = 'A-1' WHERE id = 2")
    before = db.dump()
    r = start(
        db,
        capsys,
        '[[operations]]\ntype = "add_unique"\ntable = "items"\nname = "u"\ncolumns = ["code"]\n',
    )
    assert r.code == 1
    assert "operations[0] (add_unique): UNIQUE constraint failed: items.code" in r.err
    assert db.dump() == before


FOREIGN_KEY = """
[[operations]]
type = "add_foreign_key"
table = "items"
name = "items_owner_fk"
columns = ["owner_id"]
references = "owners"
referenced_columns = ["id"]
on_delete = "cascade"
"""


def test_add_foreign_key(db: Db, capsys: pytest.CaptureFixture[str]) -> None:
    applied(db, capsys, FOREIGN_KEY)
    assert db.rows(
        'SELECT "table", "from", "to", on_delete FROM pragma_foreign_key_list(\'items\')'
    ) == [("owners", "owner_id", "id", "CASCADE")]
    assert 'CONSTRAINT "items_owner_fk"' in str(
        db.rows("SELECT sql FROM sqlite_schema WHERE name = 'items'")
    )
    assert db.indexes("items") == {"items_code_idx"}
    assert len(db.rows("SELECT * FROM items")) == 3  # no cascade from the rebuild


def test_add_foreign_key_refused_on_orphans(db: Db, capsys: pytest.CaptureFixture[str]) -> None:
    db.rows("UPDATE items SET owner_id = 99 WHERE id = 3")
    before = db.dump()
    r = start(db, capsys, FOREIGN_KEY)
    assert r.code == 1
    assert (
        "operations[0] (add_foreign_key): 1 rows of items have (owner_id) values missing from "
        "owners (the first at rowid 3): fix or delete them first"
    ) in r.err
    assert db.dump() == before


def test_create_and_drop_index(db: Db, capsys: pytest.CaptureFixture[str]) -> None:
    applied(
        db,
        capsys,
        """
[[operations]]
type = "create_index"
table = "items"
name = "items_qty_idx"
columns = ["qty", "code"]
where = "qty > 0"

[[operations]]
type = "drop_index"
table = "items"
name = "items_code_idx"
""",
    )
    assert db.indexes("items") == {"items_qty_idx"}
    sql = db.rows("SELECT sql FROM sqlite_schema WHERE name = 'items_qty_idx'")[0][0]
    assert sql == 'CREATE INDEX "items_qty_idx" ON "items" ("qty", "code") WHERE qty > 0'


def test_rename_table_runs_after_the_operations_naming_it(
    db: Db, capsys: pytest.CaptureFixture[str]
) -> None:
    applied(
        db,
        capsys,
        """
[[operations]]
type = "rename_table"
table = "items"
new_name = "stock"

[[operations]]
type = "add_column"
table = "items"
column = "unit"
data_type = "TEXT"
default = "'pcs'"
""",
    )
    assert "items" not in db.objects()
    assert db.rows("SELECT id, unit FROM stock ORDER BY id") == [(1, "pcs"), (2, "pcs"), (3, "pcs")]
    assert db.rows("SELECT code FROM item_codes WHERE id = 1") == [("A-1",)]


def test_split_table(db: Db, capsys: pytest.CaptureFixture[str]) -> None:
    applied(
        db,
        capsys,
        """
[[operations]]
type = "split_table"
table = "items"
new_table = "item_notes"
columns = ["note"]
key = "id"
new_key = "item_id"
""",
    )
    assert "note" not in [c[0] for c in db.columns("items")]
    assert db.rows("SELECT * FROM item_notes ORDER BY item_id") == [
        (1, "first"),
        (2, None),
        (3, "third"),
    ]
    assert db.rows(
        'SELECT "table", "from", "to", on_delete FROM pragma_foreign_key_list(\'item_notes\')'
    ) == [("items", "item_id", "id", "CASCADE")]


def test_raw_sql_runs_every_statement(db: Db, capsys: pytest.CaptureFixture[str]) -> None:
    applied(
        db,
        capsys,
        '''
[[operations]]
type = "raw_sql"
table = "tags"
up = """
CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT); -- a comment; with a semicolon
INSERT INTO tags (name) VALUES ('a;b');
CREATE TRIGGER tags_upper AFTER INSERT ON tags BEGIN
    UPDATE tags SET name = upper(name) WHERE id = NEW.id;
END;
INSERT INTO tags (name) VALUES ('c')
"""
down = "DROP TABLE tags"
''',
    )
    assert db.rows("SELECT name FROM tags ORDER BY id") == [("a;b",), ("C",)]


# -- all or nothing ----------------------------------------------------------------------


def test_error_in_the_third_operation_changes_nothing(
    db: Db, capsys: pytest.CaptureFixture[str]
) -> None:
    before = db.dump()
    r = start(
        db,
        capsys,
        """
[[operations]]
type = "add_column"
table = "items"
column = "label"
data_type = "TEXT"
up = "upper(code)"

[[operations]]
type = "alter_column"
table = "items"
column = "qty"
data_type = "TEXT"
up = "printf('%d', qty)"

[[operations]]
type = "alter_column"
table = "items"
column = "note"
not_null = true
""",
    )
    assert r.code == 1
    err = r.err.strip()
    assert err.startswith(
        f"dbshift: error: {db.path.parent / NAME}.toml: operations[2] (alter_column): "
    )
    assert "NOT NULL constraint failed: " in err
    assert "nothing was changed" in err
    assert db.dump() == before  # no column, no rebuild, no journal table
    assert "dbshift_online" not in db.objects()


def test_start_again_says_it_is_completed(db: Db, capsys: pytest.CaptureFixture[str]) -> None:
    toml = '[[operations]]\ntype = "drop_index"\ntable = "items"\nname = "items_code_idx"\n'
    applied(db, capsys, toml)
    before = db.dump()
    r = start(db, capsys, toml)
    assert r.code == 2
    assert f"online migration {NAME} is already completed" in r.err
    assert db.dump() == before


def test_complete_rollback_and_status(db: Db, capsys: pytest.CaptureFixture[str]) -> None:
    r = online(db, capsys, "complete", "nothing_here")
    assert (r.code, r.err.strip()) == (
        2,
        "dbshift: error: no online migration 'nothing_here' in schema 'main'",
    )
    applied(db, capsys, '[[operations]]\ntype = "drop_column"\ntable = "items"\ncolumn = "note"\n')

    r = online(db, capsys, "complete", NAME)
    assert r.code == 0, r.err
    assert f"{NAME}: completed on items" in r.out

    r = online(db, capsys, "rollback", NAME)
    assert r.code == 2
    assert "SQLite applies an online migration whole at start" in r.err
    assert "write a new migration to undo it" in r.err
    assert "note" not in [c[0] for c in db.columns("items")]

    r = online(db, capsys, "status", "--format", "json")
    assert r.code == 0, r.err
    (entry,) = json.loads(r.out)
    assert (entry["name"], entry["phase"], entry["tables"]) == (NAME, "completed", ["items"])
    assert entry["finished_at"] is not None


def test_refusals(db: Db, capsys: pytest.CaptureFixture[str]) -> None:
    before = db.dump()
    r = start(
        db,
        capsys,
        'schema = "other"\n[[operations]]\ntype = "drop_index"\ntable = "t"\nname = "i"\n',
    )
    assert r.code == 2
    assert "SQLite online migrations work on the main database" in r.err
    r = start(
        db,
        capsys,
        '[[operations]]\ntype = "raw_sql"\ntable = "items"\nup = "DELETE FROM audit; COMMIT"\n',
    )
    assert r.code == 1
    assert (
        "operations[0] (raw_sql): COMMIT in up: start runs the whole migration in one transaction"
        in r.err
    )
    r = start(
        db,
        capsys,
        '[[operations]]\ntype = "create_index"\ntable = "items"\nname = "i"\ncolumns = ["code"]\n'
        'method = "gin"\n',
    )
    assert r.code == 1
    assert "operations[0] (create_index): index i: SQLite has only plain b-tree indexes" in r.err
    assert db.dump() == before


def test_bad_expression_is_one_line_without_traceback(db: Db) -> None:
    path = db.path.parent / f"{NAME}.toml"
    path.write_text(
        '[[operations]]\ntype = "add_column"\ntable = "items"\ncolumn = "x"\n'
        'data_type = "TEXT"\nup = "lower(code) +* 2"\n',
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DBSHIFT_URL", "DATABASE_URL")}
    proc = subprocess.run(
        [*dbshift_executable(), "online", "start", str(path), "--url", db.url],
        cwd=db.path.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"dbshift: error: {path}: operations[0] (add_column): ")
    assert 'near "*": syntax error' in lines[0]
    assert "x" not in [c[0] for c in db.columns("items")]
