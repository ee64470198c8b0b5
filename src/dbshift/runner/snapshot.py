"""Schema snapshots: the live schema as dbshift left it, stored after each migrate or rollback.

``dbshift drift`` compares the live schema with the schema the applied history produces.
Replaying the history on a scratch database answers that exactly, but needs a dev server
for PostgreSQL and MySQL and takes as long as the migrations do; a snapshot taken by the
runner itself, under the migration lock, right after the last statement, answers it in
one inspection and works with no dev database at all (Bytebase's and Atlas's choice).
Replay stays available (``drift --replay``) for databases migrated before snapshots or
adopted by ``baseline``.

The snapshot lives in its own table beside the history (``<history>_snapshot``), created
on first use, so the history table's format does not change for it. Rows are the model's
JSON (``model.codec``), zlib-compressed: 1,000 tables are about 100 kB.
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from dbshift import __version__
from dbshift.errors import ValidationFailed
from dbshift.runner.table_names import snapshot_table

# SQLAlchemy (and the history module, which needs it) only where a table is touched.
if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from dbshift.model import Schema

#: Snapshots kept per database: the newest is the one drift reads; a few older ones let a
#: rollback's snapshot be compared with the one before the migrate it undid.
KEEP = 10


@dataclass(frozen=True)
class Snapshot:
    id: int
    version: str | None
    taken_at: datetime
    dbshift_version: str
    checksum: str
    data: bytes

    def schema(self) -> Schema:
        from dbshift.model.codec import SnapshotFormatError, loads

        if hashlib.sha256(self.data).hexdigest() != self.checksum:
            raise ValidationFailed(
                f"schema snapshot {self.id} (version {self.version}) does not match its "
                "checksum: it was changed outside dbshift; run 'dbshift drift --replay'"
            )
        try:
            return loads(zlib.decompress(self.data).decode("utf-8"))
        except (zlib.error, UnicodeDecodeError, SnapshotFormatError) as exc:
            raise ValidationFailed(
                f"schema snapshot {self.id} cannot be read ({exc}); run 'dbshift drift --replay'"
            ) from None


class SnapshotTable:
    """``<history>_snapshot``: one row per migrate or rollback run that changed something."""

    def __init__(self, history_name: str, schema: str | None) -> None:
        import sqlalchemy as sa
        from sqlalchemy.dialects import mysql

        self.name = snapshot_table(history_name)
        self.schema = schema
        metadata = sa.MetaData()
        self.table = sa.Table(
            self.name,
            metadata,
            sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True, quote=True),
            # None: no migration applied (everything was rolled back).
            sa.Column("version", sa.String(64), nullable=True, quote=True),
            sa.Column("taken_at", sa.DateTime(), nullable=False, quote=True),
            sa.Column("dbshift_version", sa.String(32), nullable=False, quote=True),
            sa.Column("checksum", sa.String(64), nullable=False, quote=True),
            # LONGBLOB on MySQL: a BLOB's 64 kB is about 600 tables.
            sa.Column(
                "data",
                sa.LargeBinary().with_variant(mysql.LONGBLOB(), "mysql", "mariadb"),
                nullable=False,
                quote=True,
            ),
            schema=schema,
            quote=True,
            quote_schema=True,
        )

    def exists(self, conn: Connection) -> bool:
        import sqlalchemy as sa

        return sa.inspect(conn).has_table(self.name, schema=self.schema)

    def take(self, conn: Connection, schema: Schema, version: str | None) -> None:
        """Store ``schema`` as what the history up to ``version`` produced; the caller
        holds the migration lock and commits."""
        import sqlalchemy as sa

        from dbshift.model.codec import dumps
        from dbshift.runner.history import now

        self.table.create(conn, checkfirst=True)
        data = zlib.compress(dumps(schema).encode("utf-8"), 6)
        conn.execute(
            self.table.insert().values(
                version=version,
                taken_at=now(),
                dbshift_version=__version__,
                checksum=hashlib.sha256(data).hexdigest(),
                data=data,
            )
        )
        old = (
            sa.select(self.table.c.id)
            .order_by(self.table.c.id.desc())
            .offset(KEEP)
            .limit(1000)
            .subquery()
        )
        ids = [row[0] for row in conn.execute(sa.select(old.c.id))]
        if ids:
            conn.execute(self.table.delete().where(self.table.c.id.in_(ids)))

    def latest(self, conn: Connection) -> Snapshot | None:
        import sqlalchemy as sa

        if not self.exists(conn):
            return None
        row: Any = conn.execute(
            sa.select(self.table).order_by(self.table.c.id.desc()).limit(1)
        ).first()
        if row is None:
            return None
        return Snapshot(
            id=int(row.id),
            version=row.version,
            taken_at=row.taken_at,
            dbshift_version=row.dbshift_version,
            checksum=row.checksum,
            data=bytes(row.data),
        )
