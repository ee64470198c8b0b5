"""The online journal: one row per online migration, in the base schema.

On PostgreSQL every step of a phase commits in the same transaction as the journal
update that records it (its DDL is transactional); on MySQL/MariaDB, whose DDL commits on
its own, every step is idempotent and the journal records the phase it reached. Each
backfill batch commits with its checkpoint. A process killed at any point therefore
leaves the journal naming the last step that happened, and re-running the command
continues from there.

The journal has a format version, kept in ``dbshift_online_meta`` as the history table's
is in ``<history>_meta``: a dbshift that finds an older format upgrades it step by step
(``UPGRADES``) and one that finds a newer format refuses to touch it, so a journal written
by a later dbshift is never misread by an earlier one.

The SQL goes through SQLAlchemy's ``text()`` so one set of statements binds parameters
on all three drivers; the few dialect differences (identifier quoting, column types, the
clock) are the Dialect's facts.
"""

from __future__ import annotations

import enum
import json
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from dbshift import __version__
from dbshift.errors import UsageError
from dbshift.runner.table_names import ONLINE_JOURNAL_META_TABLE, ONLINE_JOURNAL_TABLE

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy.engine import Connection

    from dbshift.dialects import Dialect

TABLE = ONLINE_JOURNAL_TABLE
META = ONLINE_JOURNAL_META_TABLE

#: 1: the journal as dbshift wrote it before it had a format version (no meta table);
#: 2: the same rows, with the format version recorded.
FORMAT_VERSION = 2
#: format version -> what turns a journal of that format into the next one.
UPGRADES: dict[int, Callable[[Connection, str], None]] = {
    1: lambda conn, schema: None,  # format 2 only records the version: rows are as they were
}


class Phase(enum.StrEnum):
    #: DDL done (hidden columns, triggers); backfill and views pending.
    EXPANDING = "expanding"
    #: Both versions live.
    ACTIVE = "active"
    COMPLETED = "completed"
    ROLLED_BACK = "rolled_back"

    @property
    def in_flight(self) -> bool:
        return self in (Phase.EXPANDING, Phase.ACTIVE)


@dataclass(frozen=True)
class Entry:
    name: str
    base_schema: str
    version_schema: str
    tables: tuple[str, ...]
    phase: Phase
    spec: str
    started_at: datetime
    expanded_at: datetime | None
    finished_at: datetime | None
    safety_period: float
    backfill: dict[str, Any]
    paused: bool
    #: The server kind (its Dialect's name): how the new version is chosen.
    backend: str

    @property
    def jobs(self) -> dict[str, dict[str, Any]]:
        """The backfill jobs' states (the journal's ``backfill`` also holds an engine's own
        bookkeeping, under ``_dbshift_`` keys)."""
        return {
            k: v
            for k, v in self.backfill.items()
            if isinstance(v, dict) and not k.startswith("_dbshift_")
        }


def _backend(conn: Connection) -> str:
    """The Dialect's name for the connection's server (MariaDB's is mysql)."""
    return _d(conn).name


def _d(conn: Connection) -> Dialect:
    """The connection's Dialect, facts only: its column types and clock."""
    from dbshift.dialects import named

    return named(conn.dialect.name)


def _table(conn: Connection, schema: str, table: str = TABLE) -> str:
    return _d(conn).qualify(schema, table)


def _run(conn: Connection, sql: str, params: dict[str, Any] | None = None) -> Any:
    from sqlalchemy import text

    return conn.execute(text(sql), params or {})


def _create(conn: Connection, sql: str, table: str) -> None:
    """``CREATE TABLE IF NOT EXISTS`` that two commands may run at once (``online start``
    beside ``online status``): PostgreSQL's IF NOT EXISTS is not safe under concurrency,
    the loser gets a unique violation on ``pg_type`` or "type … already exists" (both
    seen in test runs). The connection autocommits, so the failed statement aborts
    nothing; where the table now exists the other command made the same one, else the
    error was another and stands."""
    from sqlalchemy.exc import IntegrityError, ProgrammingError, SQLAlchemyError

    try:
        conn.exec_driver_sql(sql)
    except (IntegrityError, ProgrammingError) as exc:
        try:
            conn.exec_driver_sql(f"SELECT 1 FROM {table} WHERE 1 = 0")
        except SQLAlchemyError:
            raise exc from None


def ensure(conn: Connection, schema: str) -> None:
    d = _d(conn)
    table = _table(conn, schema)
    _create(
        conn,
        f"CREATE TABLE IF NOT EXISTS {table} ("
        f"name {d.key_text_type} PRIMARY KEY, base_schema {d.key_text_type} NOT NULL, "
        f"version_schema {d.key_text_type} NOT NULL, tables {d.long_text_type} NOT NULL, "
        f"phase {d.key_text_type} NOT NULL, spec {d.long_text_type} NOT NULL, "
        f"started_at {d.utc_time_type} NOT NULL, expanded_at {d.utc_time_type} NULL, "
        f"finished_at {d.utc_time_type} NULL, safety_period double precision NOT NULL, "
        f"backfill {d.long_text_type} NOT NULL, paused boolean NOT NULL DEFAULT false)",
        table,
    )
    meta = _table(conn, schema, META)
    _create(
        conn,
        f"CREATE TABLE IF NOT EXISTS {meta} "
        f"(name {d.key_text_type} PRIMARY KEY, value {d.long_text_type} NOT NULL)",
        meta,
    )
    found = _run(conn, f"SELECT value FROM {meta} WHERE name = 'format_version'").scalar()
    # No version recorded: a journal from before the version was kept (format 1), or a
    # new one (whose upgrades from 1 change nothing).
    version = int(found) if found is not None else 1
    if version > FORMAT_VERSION:
        raise UsageError(
            f"the online journal {_table(conn, schema)} has format {version}, newer than "
            f"this dbshift ({__version__}) understands ({FORMAT_VERSION}); upgrade dbshift"
        )
    if version == FORMAT_VERSION:
        return
    while version < FORMAT_VERSION:
        UPGRADES[version](conn, schema)
        version += 1
    _record_format(conn, meta, recorded=found is not None)


def _record_format(conn: Connection, meta: str, *, recorded: bool) -> None:
    from sqlalchemy.exc import IntegrityError

    params = {"value": str(FORMAT_VERSION)}
    if recorded:
        _run(conn, f"UPDATE {meta} SET value = :value WHERE name = 'format_version'", params)
        return
    # IntegrityError: another command recorded it meanwhile, after the same upgrades.
    with suppress(IntegrityError):
        _run(conn, f"INSERT INTO {meta} (name, value) VALUES ('format_version', :value)", params)


def _time(value: Any) -> datetime | None:
    """A stored time as an aware UTC datetime (MySQL and SQLite give naive UTC)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


_COLUMNS = (
    "name, base_schema, version_schema, tables, phase, spec, started_at, expanded_at, "
    "finished_at, safety_period, backfill, paused"
)


def _entry(row: Any, backend: str) -> Entry:
    return Entry(
        name=row[0],
        base_schema=row[1],
        version_schema=row[2],
        tables=tuple(json.loads(row[3])),
        phase=Phase(row[4]),
        spec=row[5],
        started_at=_time(row[6]) or datetime.now(UTC),
        expanded_at=_time(row[7]),
        finished_at=_time(row[8]),
        safety_period=float(row[9]),
        backfill=json.loads(row[10]),
        paused=bool(row[11]),
        backend=backend,
    )


def get(conn: Connection, schema: str, name: str) -> Entry | None:
    row = _run(
        conn, f"SELECT {_COLUMNS} FROM {_table(conn, schema)} WHERE name = :name", {"name": name}
    ).first()
    return _entry(row, _backend(conn)) if row else None


def all_entries(conn: Connection, schema: str) -> list[Entry]:
    rows = _run(conn, f"SELECT {_COLUMNS} FROM {_table(conn, schema)} ORDER BY started_at, name")
    rows = rows.all()
    return [_entry(r, _backend(conn)) for r in rows]


def insert(
    conn: Connection,
    schema: str,
    *,
    name: str,
    version_schema: str,
    tables: list[str],
    spec: str,
    safety_period: float,
) -> None:
    _run(
        conn,
        f"INSERT INTO {_table(conn, schema)} (name, base_schema, version_schema, tables, "
        "phase, spec, started_at, safety_period, backfill) VALUES (:name, :schema, :version, "
        f":tables, :phase, :spec, {_d(conn).utc_now_sql}, :period, '{{}}')",
        {
            "name": name,
            "schema": schema,
            "version": version_schema,
            "tables": json.dumps(sorted(tables)),
            "phase": Phase.EXPANDING.value,
            "spec": spec,
            "period": safety_period,
        },
    )


def set_phase(conn: Connection, schema: str, name: str, phase: Phase) -> None:
    column = {
        Phase.ACTIVE: "expanded_at",
        Phase.COMPLETED: "finished_at",
        Phase.ROLLED_BACK: "finished_at",
    }.get(phase)
    stamp = f", {column} = {_d(conn).utc_now_sql}" if column else ""
    _run(
        conn,
        f"UPDATE {_table(conn, schema)} SET phase = :phase{stamp} WHERE name = :name",
        {"phase": phase.value, "name": name},
    )


def save_backfill(conn: Connection, schema: str, name: str, state: dict[str, Any]) -> None:
    _run(
        conn,
        f"UPDATE {_table(conn, schema)} SET backfill = :state WHERE name = :name",
        {"state": json.dumps(state), "name": name},
    )


def set_paused(conn: Connection, schema: str, name: str, *, paused: bool) -> None:
    _run(
        conn,
        f"UPDATE {_table(conn, schema)} SET paused = :paused WHERE name = :name",
        {"paused": paused, "name": name},
    )


def is_paused(conn: Connection, schema: str, name: str) -> bool:
    return bool(
        _run(
            conn, f"SELECT paused FROM {_table(conn, schema)} WHERE name = :name", {"name": name}
        ).scalar()
    )


def forget(conn: Connection, schema: str, name: str) -> None:
    _run(conn, f"DELETE FROM {_table(conn, schema)} WHERE name = :name", {"name": name})
