"""SQLite: the online backup API (``sqlite3.Connection.backup``), never a file copy.

Copying the file of a live database can catch a write halfway (and misses a WAL's
contents); the backup API copies a consistent snapshot page by page. It copies the whole
database, so a SQLite backup is always full: the file is small next to a server's, and
``restore --tables`` still puts back only the tables named.

A whole restore is the backup API the other way, into the live database, which SQLite
does in one write transaction: killed midway, the journal rolls it back.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from dbshift.backup import manifest as mf
from dbshift.backup import rowfile, rows
from dbshift.backup.base import Database, Dumped, Notice, transaction
from dbshift.dialects.sqlite import SQLiteDialect


def _raw(db: Database) -> sqlite3.Connection:
    driver: Any = db.conn.connection.driver_connection
    assert isinstance(driver, sqlite3.Connection)
    return driver


_quote = SQLiteDialect().quote


class SQLiteEngine(rows.DriverRows):
    kind = SQLiteDialect.name

    def server_version(self, db: Database) -> str:
        return sqlite3.sqlite_version

    def all_tables(self, db: Database) -> list[str]:
        return _tables(_raw(db))

    def resolve(self, db: Database, name: str) -> str | None:
        return name if name in _tables(_raw(db)) else None

    def row_counts(self, db: Database, tables: Sequence[str]) -> dict[str, int]:
        return _counts(_raw(db), tables)

    def qualified(self, db: Database, table: str) -> str:
        return db.dialect.quote(table)

    # -- the prior backup ------------------------------------------------------------------

    def key_and_columns(self, db: Database, table: str) -> tuple[list[str], list[str]]:
        # table_xinfo's hidden: 0 an ordinary column, 2/3 generated (virtual/stored).
        info = _raw(db).execute(f"PRAGMA table_xinfo({_quote(table)})").fetchall()
        key = [str(r[1]) for r in sorted((r for r in info if r[5]), key=lambda r: r[5])]
        return key, [str(r[1]) for r in info if r[6] == 0]

    def load_rows(self, db: Database, directory: Path, table: str, prior: mf.PriorRows) -> None:
        q = db.dialect.quote
        cols = ", ".join(q(c) for c in prior.columns)
        statement = (
            f"INSERT INTO {q(table)} ({cols}) VALUES ({', '.join('?' for _ in prior.columns)}) "
            + rows.on_conflict(db, prior)
        )
        live = _raw(db)
        with transaction(live.execute, "BEGIN IMMEDIATE"):
            for batch in rowfile.read(directory / prior.file):
                live.executemany(statement, batch)

    def dump(
        self, db: Database, directory: Path, tables: Sequence[str] | None, notice: Notice
    ) -> Dumped:
        target = directory / "database.sqlite"
        dest = sqlite3.connect(target)
        try:
            _raw(db).backup(dest)
            names = _tables(dest)
            counts = _counts(dest, names)
        finally:
            dest.close()
        return Dumped(
            files=(mf.file_entry(directory, target),),
            tables=tuple(mf.TableEntry(t, counts[t]) for t in names),
            tool=f"sqlite3 backup API (SQLite {sqlite3.sqlite_version})",
            extra={"format": "sqlite", "dump": target.name},
            whole=True,
        )

    def restore(
        self,
        db: Database,
        directory: Path,
        manifest: mf.Manifest,
        tables: Sequence[str] | None,
        notice: Notice,
    ) -> None:
        path = directory / manifest.extra.get("dump", "database.sqlite")
        live = _raw(db)
        if tables is None:
            source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                source.backup(live)
            finally:
                source.close()
            return
        live.execute("ATTACH DATABASE ? AS dbshift_backup", (f"file:{path}?mode=ro",))
        try:
            live.execute("PRAGMA foreign_keys = OFF")
            with transaction(live.execute, "BEGIN IMMEDIATE"):
                for table in tables:
                    _copy_table(live, table)
        finally:
            live.execute("DETACH DATABASE dbshift_backup")


def _copy_table(live: sqlite3.Connection, table: str) -> None:
    rows = live.execute(
        "SELECT type, sql FROM dbshift_backup.sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL "
        "ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 ELSE 2 END",
        (table,),
    ).fetchall()
    live.execute(f"DROP TABLE IF EXISTS main.{_quote(table)}")
    for kind, sql in rows:
        live.execute(sql)
        if kind == "table":
            live.execute(
                f"INSERT INTO main.{_quote(table)} SELECT * FROM dbshift_backup.{_quote(table)}"
            )


def _tables(conn: sqlite3.Connection) -> list[str]:
    return [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' "
            "ESCAPE '\\' ORDER BY name"
        )
    ]


def _counts(conn: sqlite3.Connection, tables: Sequence[str]) -> dict[str, int]:
    return {t: int(conn.execute(f"SELECT count(*) FROM {_quote(t)}").fetchone()[0]) for t in tables}
