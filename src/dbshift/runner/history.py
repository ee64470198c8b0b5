"""The history table and its format version.

Defined with SQLAlchemy Core so every name is quoted by the dialect, values are bound
parameters, and the offline ``--sql`` script renders the very same statements with
literals. A ``<history>_meta`` table records the format version of dbshift's own tables,
so a later release can upgrade them in place (yoyo's lesson) and an older release refuses
to write to tables it does not understand.

The history table holds one row per migration that is applied (or stopped midway): it is
the database's state, and ``status`` reads only it. What no longer has a state row, a
rollback, is kept in ``<history>_log`` (format 2): kind, version, who, when and how long,
so ``history`` still shows that a migration ran and was reverted.

Format 3 adds ``<history>_online``: the phase of each online migration of the directory
(``<version>_<name>.toml``): started (``dbshift online start``: both versions live, not
completed), completed (by ``online complete``, or whole by ``migrate``), rolled back. An
online migration gets its history row (kind ``online``, applied) only once completed, so
until then it is pending, and ``migrate`` refuses to pass one that is started.
"""

from __future__ import annotations

import enum
import getpass
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from dbshift import __version__
from dbshift.dialects import dialect_for
from dbshift.errors import UsageError

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

FORMAT_VERSION = 3


def _add_log_table(conn: Connection, history: HistoryTable) -> None:
    """Format 1 -> 2: the event log of rollbacks."""
    history.log.create(conn, checkfirst=True)


def _add_online_table(conn: Connection, history: HistoryTable) -> None:
    """Format 2 -> 3: the phases of online migrations (a table of its own, so the rows
    and columns of the history table stay as every earlier format wrote them)."""
    history.online.create(conn, checkfirst=True)


#: ``kind`` of a repeatable migration's row (``Kind.REPEATABLE``); kept out of ``rows()``,
#: whose callers order versions numerically.
REPEATABLE_KIND = "repeatable"
#: format version -> function upgrading the tables from it to the next version.
UPGRADES: dict[int, Callable[[Connection, HistoryTable], None]] = {
    1: _add_log_table,
    2: _add_online_table,
}


class OnlinePhase(enum.StrEnum):
    """Where an online migration of the directory stands (``<history>_online``)."""

    STARTED = "started"  # expanding or both versions live: in flight
    COMPLETED = "completed"
    ROLLED_BACK = "rolled_back"


class OnlineMode(enum.StrEnum):
    """How it ran: through the phases, or whole by ``migrate`` (expand and contract at
    once, on empty tables or with ``--offline-ok``)."""

    ONLINE = "online"
    WHOLE = "whole"


@dataclass(frozen=True)
class OnlineRow:
    """The phase of one online migration."""

    version: str
    name: str
    phase: OnlinePhase
    mode: OnlineMode
    checksum: str
    started_at: datetime  # UTC
    changed_at: datetime  # UTC, when it reached ``phase``
    changed_by: str
    dbshift_version: str

    @property
    def in_flight(self) -> bool:
        return self.phase is OnlinePhase.STARTED


class State(enum.StrEnum):
    APPLIED = "applied"
    RUNNING = "running"  # up in progress, or interrupted (a crash) when nobody holds the lock
    FAILED = "failed"  # up stopped at a failing statement; earlier statements stay applied
    REVERTING = "reverting"  # down in progress or interrupted
    REVERT_FAILED = "revert_failed"


@dataclass(frozen=True)
class HistoryRow:
    version: str
    description: str
    kind: str
    checksum: str
    state: State
    applied_at: datetime
    execution_ms: int
    applied_by: str
    dbshift_version: str
    statements_total: int
    statements_done: int
    done_checksum: str | None
    error: str | None

    @property
    def number(self) -> int:
        return int(self.version)


class Event(enum.StrEnum):
    """What a log row records."""

    ROLLBACK = "rollback"
    #: ``migrate --init-existing`` started a history over tables it did not create.
    ADOPT = "adopt"


@dataclass(frozen=True)
class LogRow:
    """Something that happened to a migration and left no state row behind."""

    id: int
    kind: Event
    version: str
    description: str
    checksum: str
    recorded_at: datetime  # UTC, when it finished
    execution_ms: int
    recorded_by: str
    dbshift_version: str


def applied_by() -> str:
    """``user@host`` of the operator, for the audit trail."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"{user}@{socket.gethostname()}"


def _column(name: str, type_: Any, **kwargs: Any) -> sa.Column[Any]:
    """Every name quoted, always: dbshift never relies on a name being a plain word."""
    return sa.Column(name, type_, quote=True, **kwargs)


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class HistoryTable:
    """The history and meta tables of one database, at one name and schema."""

    def __init__(self, name: str, schema: str | None, *, qualifier: str | None = None) -> None:
        """``schema`` is the configured one (the lock's key, the name shown); ``qualifier``
        the schema (MySQL: database) every statement names when none is configured, so a
        migration that changes the search path or the current database cannot hide the
        table from the runner's next write."""
        if not name or len(name) > 58:
            raise UsageError(f"history table name {name!r} must be 1 to 58 characters")
        self.name = name
        self.schema = schema
        qualified = schema if schema is not None else qualifier
        metadata = sa.MetaData()
        self.table = sa.Table(
            name,
            metadata,
            _column("version", sa.String(64), primary_key=True),
            _column("description", sa.String(255), nullable=False),
            _column("kind", sa.String(16), nullable=False),
            _column("checksum", sa.String(64), nullable=False),
            _column("state", sa.String(16), nullable=False),
            _column("applied_at", sa.DateTime(), nullable=False),  # UTC
            _column("execution_ms", sa.Integer(), nullable=False),
            _column("applied_by", sa.String(255), nullable=False),
            _column("dbshift_version", sa.String(32), nullable=False),
            _column("statements_total", sa.Integer(), nullable=False),
            _column("statements_done", sa.Integer(), nullable=False),
            _column("done_checksum", sa.String(64), nullable=True),
            _column("error", sa.Text(), nullable=True),
            schema=qualified,
            quote=True,
            quote_schema=True,
        )
        self.meta = sa.Table(
            f"{name}_meta",
            metadata,
            _column("key", sa.String(64), primary_key=True),
            _column("value", sa.String(255), nullable=False),
            schema=qualified,
            quote=True,
            quote_schema=True,
        )
        self.log = sa.Table(
            f"{name}_log",
            metadata,
            _column("id", sa.Integer(), primary_key=True, autoincrement=True),
            _column("kind", sa.String(16), nullable=False),
            _column("version", sa.String(64), nullable=False),
            _column("description", sa.String(255), nullable=False),
            _column("checksum", sa.String(64), nullable=False),
            _column("recorded_at", sa.DateTime(), nullable=False),  # UTC
            _column("execution_ms", sa.Integer(), nullable=False),
            _column("recorded_by", sa.String(255), nullable=False),
            _column("dbshift_version", sa.String(32), nullable=False),
            schema=self.table.schema,
            quote=True,
            quote_schema=True,
        )

        self.online = sa.Table(
            f"{name}_online",
            metadata,
            _column("version", sa.String(64), primary_key=True),
            _column("name", sa.String(255), nullable=False),
            _column("phase", sa.String(16), nullable=False),
            _column("mode", sa.String(16), nullable=False),
            _column("checksum", sa.String(64), nullable=False),
            _column("started_at", sa.DateTime(), nullable=False),  # UTC
            _column("changed_at", sa.DateTime(), nullable=False),  # UTC
            _column("changed_by", sa.String(255), nullable=False),
            _column("dbshift_version", sa.String(32), nullable=False),
            schema=self.table.schema,
            quote=True,
            quote_schema=True,
        )

    # -- format ------------------------------------------------------------------------

    def exists(self, conn: Connection) -> bool:
        return sa.inspect(conn).has_table(self.name, schema=self.table.schema)

    def format_version(self, conn: Connection) -> int | None:
        """None when the tables do not exist yet."""
        if not self.exists(conn):
            return None
        value = conn.execute(
            sa.select(self.meta.c.value).where(self.meta.c.key == "format_version")
        ).scalar()
        return int(value) if value is not None else FORMAT_VERSION

    def check_readable(self, conn: Connection) -> bool:
        """True when the tables exist and this dbshift understands them."""
        version = self.format_version(conn)
        if version is None:
            return False
        if version > FORMAT_VERSION:
            raise UsageError(
                f"the history table {self.display} has format {version}, newer than this "
                f"dbshift ({__version__}) understands ({FORMAT_VERSION}); upgrade dbshift"
            )
        return True

    def ensure(self, conn: Connection) -> None:
        """Create or upgrade the tables; the caller holds the migration lock."""
        version = self.format_version(conn) if self.check_readable(conn) else None
        if version is None:
            # BEGIN IMMEDIATE on SQLite: a plain BEGIN's read cannot be upgraded to the
            # write that follows while other connections write ("database is locked").
            conn.exec_driver_sql(dialect_for(conn.engine.url).begin_sql)
            if self.schema is not None:
                conn.execute(sa.schema.CreateSchema(self.schema, if_not_exists=True))
            self.table.create(conn, checkfirst=True)
            self.meta.create(conn, checkfirst=True)
            self.log.create(conn, checkfirst=True)
            self.online.create(conn, checkfirst=True)
            conn.execute(self.meta.insert().values(key="format_version", value=str(FORMAT_VERSION)))
            conn.exec_driver_sql("COMMIT")
            return
        while version < FORMAT_VERSION:
            UPGRADES[version](conn, self)
            version += 1
            conn.execute(
                self.meta.update()
                .where(self.meta.c.key == "format_version")
                .values(value=str(version))
            )

    def get_meta(self, conn: Connection, key: str) -> str | None:
        value = conn.execute(sa.select(self.meta.c.value).where(self.meta.c.key == key)).scalar()
        return None if value is None else str(value)

    def set_meta(self, conn: Connection, key: str, value: str) -> None:
        """Upsert one meta value (autocommitted: the caller holds the migration lock)."""
        updated = conn.execute(
            self.meta.update().where(self.meta.c.key == key).values(value=value[:255])
        )
        if updated.rowcount == 0:
            conn.execute(self.meta.insert().values(key=key, value=value[:255]))

    @property
    def display(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name

    # -- rows --------------------------------------------------------------------------

    def rows(self, conn: Connection) -> list[HistoryRow]:
        """All rows ordered by version (numerically); empty when the table is absent."""
        if not self.check_readable(conn):
            return []
        result = conn.execute(sa.select(self.table))
        rows = [HistoryRow(**{**row._asdict(), "state": State(row.state)}) for row in result]
        rows = [r for r in rows if r.kind != REPEATABLE_KIND]
        rows.sort(key=lambda r: r.number)
        return rows

    def repeatable_rows(self, conn: Connection) -> list[HistoryRow]:
        """The rows of repeatable migrations (``R__<name>``, no version number), by name."""
        if not self.check_readable(conn):
            return []
        result = conn.execute(sa.select(self.table).where(self.table.c.kind == REPEATABLE_KIND))
        rows = [HistoryRow(**{**row._asdict(), "state": State(row.state)}) for row in result]
        rows.sort(key=lambda r: r.version)
        return rows

    def row(self, conn: Connection, version: str) -> HistoryRow | None:
        result = conn.execute(sa.select(self.table).where(self.table.c.version == version)).first()
        if result is None:
            return None
        return HistoryRow(**{**result._asdict(), "state": State(result.state)})

    def insert(self, conn: Connection, **values: Any) -> None:
        conn.execute(self.insert_stmt(**values))

    def insert_stmt(self, **values: Any) -> sa.Insert:
        defaults: dict[str, Any] = {
            "applied_at": now(),
            "applied_by": applied_by(),
            "dbshift_version": __version__,
            "execution_ms": 0,
            "done_checksum": None,
            "error": None,
        }
        return self.table.insert().values(**{**defaults, **values})

    def update(self, conn: Connection, version: str, **values: Any) -> None:
        conn.execute(self.table.update().where(self.table.c.version == version).values(**values))

    def delete(self, conn: Connection, version: str) -> None:
        conn.execute(self.delete_stmt(version))

    def delete_stmt(self, version: str) -> sa.Delete:
        return self.table.delete().where(self.table.c.version == version)

    # -- log ---------------------------------------------------------------------------

    def record_rollback(
        self, conn: Connection, version: str, *, description: str, checksum: str, ms: int
    ) -> None:
        """The migration is no longer applied: its state row goes, an audit row stays."""
        self.delete(conn, version)
        self.log_event(
            conn,
            Event.ROLLBACK,
            version=version,
            description=description,
            checksum=checksum,
            ms=ms,
        )

    def log_event(
        self,
        conn: Connection,
        kind: Event,
        *,
        description: str,
        version: str = "",
        checksum: str = "",
        ms: int = 0,
    ) -> None:
        conn.execute(
            self.log.insert().values(
                kind=kind.value,
                version=version,
                description=description[:255],
                checksum=checksum,
                recorded_at=now(),
                execution_ms=ms,
                recorded_by=applied_by(),
                dbshift_version=__version__,
            )
        )

    def log_rows(self, conn: Connection) -> list[LogRow]:
        """Every logged event, oldest first; empty before format 2 or without tables."""
        version = self.format_version(conn) if self.check_readable(conn) else None
        if version is None or version < 2:
            return []
        result = conn.execute(sa.select(self.log).order_by(self.log.c.id))
        return [LogRow(**{**row._asdict(), "kind": Event(row.kind)}) for row in result]

    # -- online phases -------------------------------------------------------------------

    def online_rows(self, conn: Connection) -> dict[str, OnlineRow]:
        """Each online migration's phase by version; empty before format 3 (read-only
        commands do not upgrade) or without tables."""
        version = self.format_version(conn) if self.check_readable(conn) else None
        if version is None or version < 3:
            return {}
        result = conn.execute(sa.select(self.online))
        return {
            row.version: OnlineRow(
                **{
                    **row._asdict(),
                    "phase": OnlinePhase(row.phase),
                    "mode": OnlineMode(row.mode),
                }
            )
            for row in result
        }

    def set_online_phase(
        self,
        conn: Connection,
        *,
        version: str,
        name: str,
        phase: OnlinePhase,
        mode: OnlineMode,
        checksum: str,
    ) -> None:
        """Record that online migration ``version`` reached ``phase`` (autocommitted or in
        the caller's transaction; the caller holds the migration lock)."""
        values: dict[str, Any] = {
            "name": name[:255],
            "phase": phase.value,
            "mode": mode.value,
            "checksum": checksum,
            "changed_at": now(),
            "changed_by": applied_by(),
            "dbshift_version": __version__,
        }
        if phase is OnlinePhase.STARTED:
            values["started_at"] = now()  # a start after a rollback starts afresh
        updated = conn.execute(
            self.online.update().where(self.online.c.version == version).values(**values)
        )
        if updated.rowcount == 0:
            values.setdefault("started_at", now())
            conn.execute(self.online.insert().values(version=version, **values))
