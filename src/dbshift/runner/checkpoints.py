"""Where batched data migrations keep their checkpoints: ``<history>_batches``.

One row per batched piece of work (a ``-- dbshift:batched`` statement, a
``ctx.backfill`` or ``ctx.batches`` call), keyed by migration version, direction and a
label saying which piece. Each batch updates its row in the batch's own transaction, so
the row says exactly which batches committed: a killed run resumes after them, and a
batch never runs twice. A separate table, created on first use, so the history table's
format (and every database that never batches) is left as it is.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID

import sqlalchemy as sa

from dbshift.errors import NoUsableKey
from dbshift.runner.table_names import batches_table

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from dbshift.runner.keyset import Key


@dataclass
class Checkpoint:
    """How far one piece of batched work got."""

    fingerprint: str
    last: Key | None = None
    hwm: Key | None = None
    #: Rows in the range when it started (for the progress bar and its ETA).
    total: int = 0
    #: Rows the batches changed (their statements' row counts), summed over every run.
    done: int = 0
    #: Rows of each committed batch's range matching the condition right after it.
    seen: int = 0
    batches: int = 0
    finished: bool = False
    #: The row exists in the table (else the first save inserts it).
    stored: bool = field(default=False, compare=False)


class CheckpointStore:
    def __init__(self, history_name: str, schema: str | None) -> None:
        self.table = sa.Table(
            batches_table(history_name),
            sa.MetaData(),
            sa.Column("version", sa.String(64), primary_key=True, quote=True),
            sa.Column("direction", sa.String(8), primary_key=True, quote=True),
            sa.Column("label", sa.String(191), primary_key=True, quote=True),
            sa.Column("fingerprint", sa.String(64), nullable=False, quote=True),
            sa.Column("last_key", sa.Text(), nullable=True, quote=True),
            sa.Column("hwm", sa.Text(), nullable=True, quote=True),
            sa.Column("total", sa.BigInteger(), nullable=False, quote=True),
            sa.Column("done", sa.BigInteger(), nullable=False, quote=True),
            sa.Column("seen", sa.BigInteger(), nullable=False, quote=True),
            sa.Column("batches", sa.Integer(), nullable=False, quote=True),
            sa.Column("finished", sa.Boolean(), nullable=False, quote=True),
            schema=schema,
            quote=True,
            quote_schema=True,
        )
        self._ensured = False

    def ensure(self, conn: Connection) -> None:
        """Create the table if missing (outside any batch's transaction)."""
        if not self._ensured:
            self.table.create(conn, checkfirst=True)
            self._ensured = True

    def exists(self, conn: Connection) -> bool:
        return sa.inspect(conn).has_table(self.table.name, schema=self.table.schema)

    def clear(self, conn: Connection, version: str, direction: str) -> None:
        """Forget a version's checkpoints: a fresh run starts every piece from the top."""
        conn.execute(
            self.table.delete().where(
                self.table.c.version == version, self.table.c.direction == direction
            )
        )

    def any(self, conn: Connection, version: str, direction: str) -> bool:
        if not self.exists(conn):
            return False
        found = conn.execute(
            sa.select(sa.func.count()).where(
                self.table.c.version == version, self.table.c.direction == direction
            )
        ).scalar()
        return bool(found)

    def load(self, conn: Connection, version: str, direction: str, label: str) -> Checkpoint | None:
        row = conn.execute(
            sa.select(self.table).where(
                self.table.c.version == version,
                self.table.c.direction == direction,
                self.table.c.label == label,
            )
        ).first()
        if row is None:
            return None
        return Checkpoint(
            fingerprint=row.fingerprint,
            last=_decode(row.last_key),
            hwm=_decode(row.hwm),
            total=int(row.total),
            done=int(row.done),
            seen=int(row.seen),
            batches=int(row.batches),
            finished=bool(row.finished),
            stored=True,
        )

    def save(
        self, conn: Connection, version: str, direction: str, label: str, point: Checkpoint
    ) -> None:
        """Write the checkpoint in the caller's transaction (the batch's own)."""
        values = {
            "fingerprint": point.fingerprint,
            "last_key": _encode(point.last),
            "hwm": _encode(point.hwm),
            "total": point.total,
            "done": point.done,
            "seen": point.seen,
            "batches": point.batches,
            "finished": point.finished,
        }
        if point.stored:
            conn.execute(
                self.table.update()
                .where(
                    self.table.c.version == version,
                    self.table.c.direction == direction,
                    self.table.c.label == label,
                )
                .values(**values)
            )
        else:
            conn.execute(
                self.table.insert().values(
                    version=version, direction=direction, label=label, **values
                )
            )
            point.stored = True


def _encode(key: Key | None) -> str | None:
    if key is None:
        return None
    return json.dumps([_plain(v) for v in key])


def _decode(text: str | None) -> Key | None:
    return None if text is None else tuple(json.loads(text))


def _plain(value: Any) -> Any:
    """A key value as JSON. Bound back as a string, the server converts it to the column's
    type (PostgreSQL: an untyped parameter; MySQL and SQLite compare by affinity)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    raise NoUsableKey(
        f"a key value of type {type(value).__name__} cannot be stored in a checkpoint: "
        "batch by integer, text, uuid, decimal or date/time column(s)"
    )
