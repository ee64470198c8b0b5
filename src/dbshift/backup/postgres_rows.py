"""PostgreSQL's prior backup: the rows go out and back through ``COPY``, in text format.

``COPY … TO STDOUT`` writes every type exactly as the server reads it back (arrays,
ranges, json, domains), which no Python round trip through the driver promises. The
restore copies into a temporary table shaped like the backed-up columns, then upserts
from it in one transaction: killed midway, nothing changed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from dbshift.backup import manifest as mf
from dbshift.backup.base import Database, transaction
from dbshift.backup.rows import on_conflict


def _driver(db: Database) -> Any:
    return db.conn.connection.driver_connection


def key_and_columns(db: Database, qualified: str) -> tuple[list[str], list[str]]:
    """The primary key's columns in key order, and the columns an INSERT may write (not
    generated ones)."""
    key = [
        str(r[0])
        for r in db.conn.exec_driver_sql(
            "SELECT a.attname FROM pg_index x CROSS JOIN unnest(x.indkey) WITH ORDINALITY k(n, i) "
            "JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.n "
            "WHERE x.indrelid = %(t)s::regclass AND x.indisprimary ORDER BY k.i",
            {"t": qualified},
        )
    ]
    columns = [
        str(r[0])
        for r in db.conn.exec_driver_sql(
            "SELECT attname FROM pg_attribute WHERE attrelid = %(t)s::regclass AND attnum > 0 "
            "AND NOT attisdropped AND attgenerated = '' ORDER BY attnum",
            {"t": qualified},
        )
    ]
    return key, columns


def copy_out(db: Database, queries: Sequence[str], target: Path) -> tuple[int, int, str]:
    """Rows of ``queries`` into ``target`` (COPY text format): (rows, size, sha256)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = rows = 0
    with _driver(db).cursor() as cur, target.open("wb") as out:
        for query in queries:
            with cur.copy(f"COPY ({query}) TO STDOUT") as copy:
                for chunk in copy:
                    data = bytes(chunk)
                    out.write(data)
                    digest.update(data)
                    size += len(data)
                    rows += data.count(b"\n")  # text format escapes newlines in values
    return rows, size, digest.hexdigest()


def copy_in_upsert(db: Database, qualified: str, source: Path, prior: mf.PriorRows) -> None:
    """Upsert the file's rows into the table by its key, in one transaction."""
    q = db.dialect.quote
    cols = ", ".join(q(c) for c in prior.columns)
    keys = ", ".join(q(c) for c in prior.key)
    scratch = q("dbshift_prior_rows")
    conn = _driver(db)
    with conn.cursor() as cur, transaction(cur.execute):
        cur.execute(
            f"CREATE TEMPORARY TABLE {scratch} ON COMMIT DROP AS "
            f"SELECT {cols} FROM {qualified} WITH NO DATA"
        )
        copy_in(cur, f"{scratch} ({cols})", source)
        cur.execute(
            f"INSERT INTO {qualified} ({cols}) OVERRIDING SYSTEM VALUE "
            f"SELECT DISTINCT ON ({keys}) {cols} FROM {scratch} " + on_conflict(db, prior)
        )


def copy_in(cur: Any, target: str, source: Path) -> None:
    """``COPY target FROM STDIN`` fed from the file, a MiB at a time (``target``: the
    quoted table and its column list)."""
    with cur.copy(f"COPY {target} FROM STDIN") as copy, source.open("rb") as f:
        while chunk := f.read(1 << 20):
            copy.write(chunk)
