"""What every online engine shares: options, progress, the crash hook for tests, and the
journal checks that make a phase refuse to run (overlap, safety period)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from dbshift.errors import UsageError
from dbshift.online import journal
from dbshift.online.backfill import Backfill, BackfillOptions, TableBackfill
from dbshift.online.journal import Entry, Phase
from dbshift.online.locks import LockPolicy
from dbshift.online.spec import OnlineMigration, parse_online

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

#: Test hook: ``DBSHIFT_ONLINE_CRASH_AT=<step>`` ends the process at that step, as a
#: SIGKILL would, so tests can prove every step resumes.
_CRASH_AT = "DBSHIFT_ONLINE_CRASH_AT"


def crash_point(step: str) -> None:
    if os.environ.get(_CRASH_AT) == step:
        os._exit(137)


@dataclass
class Options:
    lock: LockPolicy
    backfill: BackfillOptions
    #: Default seconds between start and complete when the file sets none.
    safety_period: float = 600.0


class Progress(Protocol):
    """What the CLI shows of a running phase."""

    def step(self, text: str) -> None: ...

    def backfill(self, table: str, state: TableBackfill) -> None: ...


def refuse_overlap(conn: Connection, migration: OnlineMigration) -> None:
    for other in journal.all_entries(conn, migration.schema):
        shared = set(other.tables) & migration.tables
        if other.phase.in_flight and shared:
            raise UsageError(
                f"online migration {other.name} is still {other.phase} on "
                f"{', '.join(sorted(shared))}: complete or roll it back first "
                "(migrations on other tables may run at the same time)"
            )


def entry_migration(conn: Connection, schema: str, name: str) -> tuple[Entry, OnlineMigration]:
    """The journal's entry and the migration as start ran it (from the journal's copy of
    the file), working in ``schema`` (the file may leave it to the URL)."""
    from dataclasses import replace

    entry = journal.get(conn, schema, name)
    if entry is None:
        raise UsageError(f"no online migration {name!r} in schema {schema!r}")
    return entry, replace(parse_online(entry.spec, Path(f"{name}.toml")), schema=schema)


def refuse_unless_active(entry: Entry) -> None:
    """Complete needs both versions live: not still expanding, not finished."""
    if entry.phase is not Phase.ACTIVE:
        raise UsageError(
            f"online migration {entry.name} is {entry.phase}: "
            + (
                "run 'dbshift online start' to finish expanding"
                if entry.phase is Phase.EXPANDING
                else "nothing to complete"
            )
        )


def check_safety_period(entry: Entry, *, force: bool) -> None:
    since = entry.expanded_at or entry.started_at
    waited = (datetime.now(UTC) - since).total_seconds()
    left = entry.safety_period - waited
    if left > 0 and not force:
        raise UsageError(
            f"online migration {entry.name}: the safety period has {left:.0f}s left "
            f"(of {entry.safety_period:.0f}s since both versions went live); wait, or "
            "pass --force once every old instance is gone"
        )


def run_job(
    conn: Connection,
    backfill: Backfill,
    job: str,
    states: dict[str, Any],
    migration: OnlineMigration,
    options: Options,
    progress: Progress,
) -> bool:
    """One backfill job from its checkpoint in ``states`` (the journal's backfill map,
    written back whole with every batch). False if paused."""
    state = TableBackfill.from_dict(states.get(job, {}))

    def save(c: Connection, s: TableBackfill) -> None:
        states[job] = s.as_dict()
        journal.save_backfill(c, migration.schema, migration.name, states)
        if s.batches == 2:
            crash_point("in-backfill")

    def paused(c: Connection) -> bool:
        return journal.is_paused(c, migration.schema, migration.name)

    def report(s: TableBackfill) -> None:
        progress.backfill(job, s)

    return backfill.run(conn, state, options.backfill, save=save, paused=paused, progress=report)
