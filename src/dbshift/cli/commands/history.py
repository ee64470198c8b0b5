"""``dbshift history``: every recorded migration with when, who, and how long it took,
and every rollback (which leaves no applied row, only an audit row in the log)."""

from __future__ import annotations

import argparse
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from dbshift.cli import context
from dbshift.frozen import frozen

OPTIONS = context.SESSION_OPTIONS

#: Shown at the end of ``dbshift history --help``.
EXAMPLES = (
    "dbshift history",
    "dbshift history --format json",
)
if TYPE_CHECKING:
    from dbshift.runner.history import HistoryRow, LogRow, OnlineRow


#: The state column of a log row: what became of the migration (or the database).
_LOG_STATES = {"rollback": "rolled_back", "adopt": "adopted"}


@frozen
class _Entry:
    """A history row or a log row, in the one shape both are shown in."""

    version: str
    description: str
    kind: str
    state: str
    checksum: str
    at: datetime
    execution_ms: int
    by: str
    dbshift_version: str
    statements_done: int | None
    statements_total: int | None
    error: str | None
    #: Online migrations: their phase and how they ran (``online`` phases or ``whole``).
    online_phase: str | None = None
    online_mode: str | None = None

    @classmethod
    def of_row(cls, r: HistoryRow) -> _Entry:
        return cls(
            r.version,
            r.description,
            r.kind,
            r.state.value,
            r.checksum,
            r.applied_at,
            r.execution_ms,
            r.applied_by,
            r.dbshift_version,
            r.statements_done,
            r.statements_total,
            r.error,
        )

    @classmethod
    def of_log(cls, r: LogRow) -> _Entry:
        return cls(
            r.version,
            r.description,
            r.kind.value,
            _LOG_STATES[r.kind.value],
            r.checksum,
            r.recorded_at,
            r.execution_ms,
            r.recorded_by,
            r.dbshift_version,
            None,
            None,
            None,
        )

    @classmethod
    def of_online(cls, r: OnlineRow) -> _Entry:
        """An online migration with no history row: started (in flight) or rolled back."""
        return cls(
            r.version,
            r.name.partition("_")[2].replace("_", " ").strip() or r.name,
            "online",
            "started" if r.in_flight else r.phase.value,
            r.checksum,
            r.changed_at,
            0,
            r.changed_by,
            r.dbshift_version,
            None,
            None,
            None,
            r.phase.value,
            r.mode.value,
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "description": self.description,
            "kind": self.kind,
            "state": self.state,
            "checksum": self.checksum,
            "applied_at": self.at.isoformat() + "Z",
            "execution_ms": self.execution_ms,
            "applied_by": self.by,
            "dbshift_version": self.dbshift_version,
            "statements_done": self.statements_done,
            "statements_total": self.statements_total,
            "error": self.error,
            "online_phase": self.online_phase,
            "online_mode": self.online_mode,
        }


def _order(version: str) -> tuple[int, int]:
    """Versions order numerically; a repeatable's name (``R__view``) after every version, as it runs."""
    return (0, int(version)) if version.isdigit() else (1, 0)


def configure(parser: argparse.ArgumentParser) -> None:
    context.add_format(parser)
    parser.set_defaults(handler=run)


def _number(version: str) -> tuple[int, int]:
    """Versions in numeric order; a repeatable migration's row (``R__name``, no number)
    after the versioned ones of the same instant, as it runs after them."""
    return (0, int(version)) if version.isdigit() else (1, 0)


def _with_phase(entry: _Entry, online: OnlineRow | None) -> _Entry:
    if online is None:
        return entry
    return replace(entry, online_phase=online.phase.value, online_mode=online.mode.value)


def run(args: argparse.Namespace) -> int:
    with context.session(args) as session:
        rows = session.history.rows(session.conn)
        rows += session.history.repeatable_rows(session.conn)
        log = session.history.log_rows(session.conn)
        online = session.history.online_rows(session.conn)
    applied = {r.version for r in rows}
    # Oldest first. MySQL's DATETIME keeps whole seconds, so within one second an
    # adoption comes first (it precedes every migration of its run) and a rollback last
    # (it follows what it reverts).
    entries = sorted(
        [
            (e.at, 1, _number(e.version), i, _with_phase(e, online.get(e.version)))
            for i, e in enumerate(map(_Entry.of_row, rows))
        ]
        + [
            (e.at, 1, _number(e.version), i, e)
            for i, e in enumerate(
                _Entry.of_online(r) for v, r in online.items() if v not in applied
            )
        ]
        + [
            (e.at, 0 if e.kind == "adopt" else 2, (0, 0), i, e)
            for i, e in enumerate(map(_Entry.of_log, log))
        ],
        key=lambda item: item[:4],
    )
    ordered = [item[-1] for item in entries]
    if args.format == "json":
        context.out_json([e.as_json() for e in ordered])
        return 0
    from rich.table import Table

    console = context.console()
    if not ordered:
        console.print("no migrations recorded yet")
        return 0
    table = Table(box=None, pad_edge=False)
    for col in ("version", "description", "kind", "state", "at (UTC)", "by", "ms"):
        wrap = col in ("description", "by")
        table.add_column(col, justify="right" if col == "ms" else "left", no_wrap=not wrap)
    for e in ordered:
        color = {"applied": "green", "rolled_back": "yellow", "started": "yellow"}.get(
            e.state, "red"
        )
        state = e.state.replace("_", " ")
        if e.online_mode == "whole" and e.state == "applied":
            state += " (whole)"
        elif e.state == "started":
            state += " (in flight)"
        table.add_row(
            e.version or "-",
            e.description,
            e.kind,
            f"[{color}]{state}[/]",
            e.at.strftime("%Y-%m-%d %H:%M:%S"),
            e.by,
            str(e.execution_ms),
        )
    console.print(table)
    total = sum(r.execution_ms for r in rows)
    if rows:
        slowest = max(rows, key=lambda r: r.execution_ms)
        console.print(
            f"total {total} ms; slowest {slowest.version} ({slowest.description}) "
            f"{slowest.execution_ms} ms"
        )
    return 0
