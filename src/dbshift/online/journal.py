"""The online journal: one row per online migration, in the base schema.

Every step of a phase commits in the same transaction as the journal update that records
it (PostgreSQL DDL is transactional), and each backfill batch commits with its
checkpoint. A process killed at any point therefore leaves the journal naming exactly
the last step that happened, and re-running the command continues from there.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from dbshift.config import ONLINE_JOURNAL_TABLE
from dbshift.online.operations.base import quote

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

TABLE = ONLINE_JOURNAL_TABLE


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


def ensure(conn: Connection, schema: str) -> None:
    conn.exec_driver_sql(
        f"CREATE TABLE IF NOT EXISTS {quote(schema)}.{TABLE} ("
        "name text PRIMARY KEY, base_schema text NOT NULL, version_schema text NOT NULL, "
        "tables text NOT NULL, phase text NOT NULL, spec text NOT NULL, "
        "started_at timestamptz NOT NULL DEFAULT now(), expanded_at timestamptz, "
        "finished_at timestamptz, safety_period double precision NOT NULL, "
        "backfill text NOT NULL DEFAULT '{}', paused boolean NOT NULL DEFAULT false)"
    )


_COLUMNS = (
    "name, base_schema, version_schema, tables, phase, spec, started_at, expanded_at, "
    "finished_at, safety_period, backfill, paused"
)


def _entry(row: Any) -> Entry:
    return Entry(
        name=row[0],
        base_schema=row[1],
        version_schema=row[2],
        tables=tuple(json.loads(row[3])),
        phase=Phase(row[4]),
        spec=row[5],
        started_at=row[6],
        expanded_at=row[7],
        finished_at=row[8],
        safety_period=float(row[9]),
        backfill=json.loads(row[10]),
        paused=bool(row[11]),
    )


def get(conn: Connection, schema: str, name: str) -> Entry | None:
    row = conn.exec_driver_sql(
        f"SELECT {_COLUMNS} FROM {quote(schema)}.{TABLE} WHERE name = %(name)s", {"name": name}
    ).first()
    return _entry(row) if row else None


def all_entries(conn: Connection, schema: str) -> list[Entry]:
    rows = conn.exec_driver_sql(
        f"SELECT {_COLUMNS} FROM {quote(schema)}.{TABLE} ORDER BY started_at, name"
    ).all()
    return [_entry(r) for r in rows]


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
    conn.exec_driver_sql(
        f"INSERT INTO {quote(schema)}.{TABLE} (name, base_schema, version_schema, tables, "
        "phase, spec, safety_period) VALUES (%(name)s, %(schema)s, %(version)s, %(tables)s, "
        "%(phase)s, %(spec)s, %(period)s)",
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
    stamp = {
        Phase.ACTIVE: ", expanded_at = now()",
        Phase.COMPLETED: ", finished_at = now()",
        Phase.ROLLED_BACK: ", finished_at = now()",
    }.get(phase, "")
    conn.exec_driver_sql(
        f"UPDATE {quote(schema)}.{TABLE} SET phase = %(phase)s{stamp} WHERE name = %(name)s",
        {"phase": phase.value, "name": name},
    )


def save_backfill(conn: Connection, schema: str, name: str, state: dict[str, Any]) -> None:
    conn.exec_driver_sql(
        f"UPDATE {quote(schema)}.{TABLE} SET backfill = %(state)s WHERE name = %(name)s",
        {"state": json.dumps(state), "name": name},
    )


def set_paused(conn: Connection, schema: str, name: str, *, paused: bool) -> None:
    conn.exec_driver_sql(
        f"UPDATE {quote(schema)}.{TABLE} SET paused = %(paused)s WHERE name = %(name)s",
        {"paused": paused, "name": name},
    )


def is_paused(conn: Connection, schema: str, name: str) -> bool:
    return bool(
        conn.exec_driver_sql(
            f"SELECT paused FROM {quote(schema)}.{TABLE} WHERE name = %(name)s", {"name": name}
        ).scalar()
    )


def forget(conn: Connection, schema: str, name: str) -> None:
    conn.exec_driver_sql(
        f"DELETE FROM {quote(schema)}.{TABLE} WHERE name = %(name)s", {"name": name}
    )
