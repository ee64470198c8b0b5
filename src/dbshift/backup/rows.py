"""The prior backup: save the rows a data migration will change, put them back by key.

Each engine knows its table's key and insertable columns and how its server upserts; the
SELECTs are built here once. The conditions are the statements' own (``prior``), run
before the migration: a row the statement will touch matches its condition now, unless
an earlier statement of the run changed it, and then that statement saved it first.
Statements with different table aliases get a SELECT each; duplicates are harmless
(the restore upserts each key once per batch, the last copy winning, and all copies are
the same row).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from dbshift.backup import manifest as mf
from dbshift.backup import rowfile
from dbshift.backup.base import Database
from dbshift.backup.prior import RowSet

DIRECTORY = "rows"


def selects(
    db: Database, qualified: str, columns: Sequence[str], sets: Sequence[RowSet]
) -> list[str]:
    """One SELECT per alias the statements use, their conditions OR'ed."""
    q = db.dialect.quote
    by_alias: dict[str | None, list[str]] = {}
    for s in sets:
        by_alias.setdefault(s.alias, [])
        if s.where not in by_alias[s.alias]:
            by_alias[s.alias].append(s.where)
    out = []
    for alias, conditions in by_alias.items():
        source = f"{qualified} AS {q(alias)}" if alias else qualified
        cols = ", ".join(f"{q(alias)}.{q(c)}" if alias else q(c) for c in columns)
        where = " OR ".join(f"({c})" for c in conditions)
        out.append(f"SELECT {cols} FROM {source} WHERE {where}")
    return out


def file_name(table: str, ext: str) -> str:
    """A file name for a table's rows: the name is the user's, so keep it to safe bytes."""
    safe = "".join(c if c.isalnum() or c in "._-" else f"%{ord(c):02x}" for c in table)
    return f"{DIRECTORY}/{safe}.{ext}"


def prior_entry(
    table: str,
    path: str,
    rows: int,
    key: Sequence[str],
    columns: Sequence[str],
    sets: Sequence[RowSet],
    queries: Sequence[str],
) -> mf.PriorRows:
    return mf.PriorRows(
        file=path,
        rows=rows,
        key=tuple(key),
        columns=tuple(columns),
        where=tuple(dict.fromkeys(s.where for s in sets)),
        selects=tuple(queries),
    )


def on_conflict(db: Database, prior: mf.PriorRows) -> str:
    """The upsert clause PostgreSQL and SQLite share: a saved row replaces the live one
    with its key, or is skipped when every column is in the key."""
    q = db.dialect.quote
    rest = [c for c in prior.columns if c not in prior.key]
    action = (
        "DO UPDATE SET " + ", ".join(f"{q(c)} = excluded.{q(c)}" for c in rest)
        if rest
        else "DO NOTHING"
    )
    return f"ON CONFLICT ({', '.join(q(c) for c in prior.key)}) {action}"


# -- through the driver (MySQL/MariaDB, SQLite) ------------------------------------------


class DriverRows:
    """``Engine.save_rows`` for the servers without a COPY protocol: the rows go through
    the driver into a JSON-lines file."""

    def save_rows(
        self,
        db: Database,
        directory: Path,
        table: str,
        queries: Sequence[str],
        key: Sequence[str],
        columns: Sequence[str],
    ) -> tuple[mf.FileEntry, int]:
        positions = [list(columns).index(k) for k in key]
        return save_through_driver(db, directory, file_name(table, "jsonl"), queries, positions)


def placeholder(db: Database) -> str:
    """The driver's positional parameter marker (PyMySQL ``%s``, sqlite3 ``?``)."""
    return "?" if db.conn.dialect.paramstyle == "qmark" else "%s"


def driver_sql(db: Database, sql: str) -> str:
    """SQL text sent with parameters: a % in a quoted name must survive the driver's
    %-substitution."""
    return sql if placeholder(db) == "?" else sql.replace("%", "%%")


def save_through_driver(
    db: Database, directory: Path, path: str, queries: Sequence[str], key_positions: Sequence[int]
) -> tuple[mf.FileEntry, int]:
    """Run ``queries``, write their rows (each key once) to ``directory/path``."""
    target = directory / path
    target.parent.mkdir(parents=True, exist_ok=True)
    writer = rowfile.Writer(target)
    seen: set[tuple[Any, ...]] = set()
    try:
        for query in queries:
            result = db.conn.execution_options(stream_results=True).exec_driver_sql(query)
            while batch := result.fetchmany(rowfile.BATCH):
                fresh = []
                for row in batch:
                    ident = tuple(row[i] for i in key_positions)
                    if len(queries) > 1:
                        if ident in seen:
                            continue
                        seen.add(ident)
                    fresh.append(tuple(row))
                writer.write(fresh)
    finally:
        writer.close()
    return mf.FileEntry(path, writer.size, writer.digest.hexdigest()), writer.rows


def load_through_driver(db: Database, directory: Path, path: str, statement: str) -> int:
    """Send every row of the file through ``statement`` (an INSERT/upsert with one
    placeholder per column), in batches."""
    done = 0
    for batch in rowfile.read(directory / path):
        db.conn.exec_driver_sql(statement, batch)
        done += len(batch)
    return done
