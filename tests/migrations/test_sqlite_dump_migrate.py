"""A sqlite3 shell ``.dump`` file as the first migration: ``dbshift migrate`` runs it as it
stands, and SQLite's pragmas see the same schema as the dump run by the ``sqlite3`` module."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from dbshift.cli.main import main
from tests.diff.test_sqlite_fidelity import facts
from tests.lint.cases import lint_sql

#: What ``sqlite3 app.db .dump`` prints (3.40), written here by hand: foreign keys off, one
#: transaction, rows of a child table before its parent's, a virtual table through
#: ``writable_schema`` with its shadow tables, a sequence reset.
DUMP = """PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE shelf (id INTEGER PRIMARY KEY AUTOINCREMENT, room TEXT DEFAULT (lower('HALL')));
CREATE TABLE book (id INTEGER PRIMARY KEY, shelf INTEGER NOT NULL REFERENCES shelf (id),
    title TEXT NOT NULL COLLATE NOCASE, isbn TEXT UNIQUE) STRICT;
INSERT INTO book VALUES(1,7,'Dune','978-0441013593');
INSERT INTO shelf VALUES(7,'hall');
PRAGMA writable_schema=ON;
INSERT INTO sqlite_schema(type,name,tbl_name,rootpage,sql)VALUES('table','book_text','book_text',0,'CREATE VIRTUAL TABLE book_text USING fts5(title, content=''book'', content_rowid=''id'')');
CREATE TABLE IF NOT EXISTS 'book_text_data'(id INTEGER PRIMARY KEY, block BLOB);
INSERT INTO book_text_data VALUES(1,X'');
INSERT INTO book_text_data VALUES(10,X'00000000000000');
CREATE TABLE IF NOT EXISTS 'book_text_idx'(segid, term, pgno, PRIMARY KEY(segid, term)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS 'book_text_docsize'(id INTEGER PRIMARY KEY, sz BLOB);
CREATE TABLE IF NOT EXISTS 'book_text_config'(k PRIMARY KEY, v) WITHOUT ROWID;
INSERT INTO book_text_config VALUES('version',4);
DELETE FROM sqlite_sequence;
INSERT INTO sqlite_sequence VALUES('shelf',7);
CREATE INDEX book_title ON book (title);
CREATE VIEW shelved AS SELECT b.title, s.room FROM book b JOIN shelf s ON s.id = b.shelf;
PRAGMA writable_schema=OFF;
COMMIT;
"""


def migrate(tmp_path: Path, text: str) -> tuple[int, Path]:
    """``text`` as the one migration of a new directory, migrated onto a new database."""
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "20260101000000_dump.sql").write_text("-- dbshift:up\n" + text)
    target = tmp_path / "app.db"
    assert main(["--dir", str(migrations), "hash"]) == 0
    return main(["--url", f"sqlite:///{target}", "--dir", str(migrations), "migrate"]), target


def test_a_dump_runs_as_the_first_migration(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, target = migrate(tmp_path, DUMP)
    assert code == 0, capsys.readouterr()
    source = tmp_path / "source.db"
    conn = sqlite3.connect(source)
    conn.executescript(DUMP)
    conn.close()
    made = facts(target)
    assert {k: v for k, v in made.items() if "dbshift" not in k} == facts(source)
    conn = sqlite3.connect(target)
    try:
        assert conn.execute("SELECT title, room FROM shelved").fetchall() == [("Dune", "hall")]
        assert conn.execute("SELECT seq FROM sqlite_sequence").fetchall() == [(7,)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()


#: What ``sqlite3 app.db .schema`` prints (3.40), written here by hand: the internal
#: tables listed, a comment naming each view's and virtual table's columns, the shadow
#: tables of a virtual table.
SCHEMA = """CREATE TABLE counter (id INTEGER PRIMARY KEY AUTOINCREMENT, label TEXT);
CREATE TABLE sqlite_sequence(name,seq);
CREATE TABLE sqlite_stat1(tbl,idx,stat);
CREATE INDEX counter_label ON counter (label);
CREATE VIEW labels AS SELECT label FROM counter
/* labels(label) */;
CREATE VIRTUAL TABLE counter_text USING fts5(label, content='counter', content_rowid='id')
/* counter_text(label) */;
CREATE TABLE IF NOT EXISTS 'counter_text_data'(id INTEGER PRIMARY KEY, block BLOB);
CREATE TABLE IF NOT EXISTS 'counter_text_idx'(segid, term, pgno, PRIMARY KEY(segid, term)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS 'counter_text_docsize'(id INTEGER PRIMARY KEY, sz BLOB);
CREATE TABLE IF NOT EXISTS 'counter_text_config'(k PRIMARY KEY, v) WITHOUT ROWID;
"""
#: The same schema as its author wrote it.
WRITTEN = """CREATE TABLE counter (id INTEGER PRIMARY KEY AUTOINCREMENT, label TEXT);
CREATE INDEX counter_label ON counter (label);
CREATE VIEW labels AS SELECT label FROM counter;
CREATE VIRTUAL TABLE counter_text USING fts5(label, content='counter', content_rowid='id');
"""


def test_a_schema_listing_runs_as_the_first_migration_and_as_the_desired_schema(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, target = migrate(tmp_path, SCHEMA)
    assert code == 0, capsys.readouterr()
    listing, written = tmp_path / "schema.sql", tmp_path / "written.db"
    listing.write_text(SCHEMA)
    conn = sqlite3.connect(written)
    conn.executescript(WRITTEN)
    conn.close()
    made = facts(target)
    assert {k: v for k, v in made.items() if "dbshift" not in k} == facts(written)
    for current in (target, written):
        capsys.readouterr()
        assert (
            main(["diff", "--from", f"sqlite:///{current}", "--to", str(listing), "--exit-code"])
            == 0
        ), capsys.readouterr().out


def test_a_dump_and_a_schema_listing_lint_without_errors() -> None:
    # Type names sqlglot does not know (ANY, UNSIGNED BIG INT), the dump's own BEGIN and
    # COMMIT, and its "DELETE FROM sqlite_sequence" are no findings.
    text = DUMP.replace("title TEXT NOT NULL", "title ANY NOT NULL, copies UNSIGNED BIG INT")
    for sql in (text, SCHEMA):
        found = [(f.rule, f.message) for f in lint_sql(sql, "sqlite")]
        assert found == []
