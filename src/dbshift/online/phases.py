"""The phases of an online migration, written once over the ``Engine`` protocol.

Every server runs the same sequence; what differs (how a column is hidden, how rows are
copied, how the new version is exposed) is its engine's (``postgres_engine.py``,
``mysql/engine.py``, ``sqlite.py``). This module owns what must not differ:

- the one-command-at-a-time lock per schema (the dialect's migration lock);
- the guards of each phase: a rolled-back migration starts afresh, a file changed since
  start is refused, complete needs both versions live and the safety period over, a
  completed migration is never rolled back;
- the journal row written with the first step (``record``), and the phase changes;
- the overlap check (two migrations in flight on one table) and the crash points tests
  use to prove every step resumes.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, runtime_checkable

from dbshift.errors import LockTimeoutError, MigrationFailed, UsageError
from dbshift.online import journal
from dbshift.online.backfill import Backfill, BackfillOptions, TableBackfill
from dbshift.online.journal import Entry, Phase
from dbshift.online.locks import LockPolicy
from dbshift.online.spec import OnlineMigration, parse_online

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from dbshift.dialects import Dialect

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


@dataclass
class Run:
    """One command's work on one migration: what every engine step is given."""

    conn: Connection
    migration: OnlineMigration
    options: Options
    progress: Progress
    #: The file's text as start read it (the journal keeps it).
    spec: str = ""


@dataclass(frozen=True)
class NewVersion:
    """How an application chooses the new version of a migration in flight."""

    #: What ``online status`` prints.
    lines: tuple[str, ...] = ()
    #: The PostgreSQL search path, or the MySQL database, for ``--format json``.
    search_path: str | None = None
    database: str | None = None


#: The journal update committed with a step: in the step's transaction where the server
#: has transactional DDL, after the step where it does not.
Record = Callable[["Connection"], None]
#: The journal row of a starting migration: (connection, version schema, its tables).
Insert = Callable[["Connection", Sequence[str]], None]


@runtime_checkable
class Engine(Protocol):
    """What every server's engine does, whatever its phases."""

    #: The server's facts (quoting, literals, name limits, the migration lock).
    dialect: Dialect
    #: Whether an alter_column of a type needs explicit CASTs in up and down (MySQL
    #: converts on assignment, and has no CAST to most column types).
    casts_on_alter: ClassVar[bool]
    #: Whether one command may run at a time only under the runner lock (SQLite's single
    #: writer needs none: its transaction is the lock).
    uses_runner_lock: ClassVar[bool]
    #: What to do instead of rolling back a completed migration.
    undo_hint: ClassVar[str]

    def base_schema(self, conn: Connection, schema: str) -> str:
        """The schema the journal and the tables live in (``public``: the default)."""
        ...

    def new_version(self, entry: Entry) -> NewVersion:
        """How the new version of ``entry`` is reached (and the old one left as is)."""
        ...

    def settle(self, run: Run, entry: Entry) -> OnlineMigration:
        """The migration as start planned it (what the file left out, from the journal)."""
        ...

    def cleanup(self, run: Run, entry: Entry) -> None:
        """What complete does after its contract step (idempotent: run again whenever
        complete is asked of a completed migration)."""
        ...

    def rollback(self, run: Run, entry: Entry, record: Record) -> None:
        """Everything start made goes (``record``: the phase becomes rolled back)."""
        ...


@runtime_checkable
class WholeEngine(Engine, Protocol):
    """An engine that applies the whole migration at start (SQLite: one writer, so no
    second version to serve); its entries are never in flight."""

    def start_whole(self, run: Run) -> Entry:
        """Every operation and the journal row, as completed, in one transaction."""
        ...


@runtime_checkable
class PhasedEngine(Engine, Protocol):
    """An engine whose migrations go through the phases, both versions live between
    start and complete; every step is safe to run again after a crash."""

    def prepare(self, run: Run) -> dict[str, Any]:
        """Checks and catalog reads before anything changes; what it returns is journaled
        with the entry (the plan complete and rollback act on)."""
        ...

    def version_name(self, migration: OnlineMigration) -> str:
        """The new version's schema (or database)."""
        ...

    def begin(self, run: Run, state: dict[str, Any], insert: Insert) -> None:
        """The first step, with the journal row that says it happened."""
        ...

    def expand(self, run: Run, entry: Entry) -> None:
        """The rest of expand, resumable (index builds, shadows, triggers)."""
        ...

    def backfill(self, run: Run, entry: Entry) -> bool:
        """Every backfill job from its checkpoint; False if paused."""
        ...

    def expose(self, run: Run, entry: Entry, record: Record) -> None:
        """The new version goes live (``record``: the phase becomes active)."""
        ...

    def verify(self, run: Run, entry: Entry) -> None:
        """Old and new agree row by row, constraints validated, before anything drops."""
        ...

    def contract(self, run: Run, entry: Entry, record: Record) -> None:
        """The old version's shape goes (``record``: the phase becomes completed)."""
        ...


def _phased(engine: Engine) -> PhasedEngine:
    """``engine`` as one with phases: a whole-at-start engine's entries are never in
    flight, so asking it for a phase means a journal it did not write."""
    if isinstance(engine, PhasedEngine):
        return engine
    raise MigrationFailed(
        f"the {engine.dialect.name} online engine applies a migration whole at start; "
        "this journal entry was not written by it"
    )


@contextmanager
def runner_lock(engine: Engine, conn: Connection, schema: str, timeout: float) -> Iterator[None]:
    """One online command at a time per schema: a second one waits up to ``timeout``
    seconds (--lock-timeout), then stops with nothing done."""
    if not engine.uses_runner_lock:
        yield
        return
    key = f"dbshift-online:{schema}"
    dialect = engine.dialect
    try:
        dialect.acquire_lock(conn, key, timeout)
    except LockTimeoutError:
        where = "database" if dialect.databases_are_schemas else "schema"
        raise LockTimeoutError(
            f"another dbshift online command has been running on {where} {schema!r} for "
            f"more than {timeout:g}s (--lock-timeout); nothing was done"
        ) from None
    try:
        yield
    finally:
        dialect.release_lock(conn, key)


def start(engine: Engine, run: Run, path: Path, wait: float) -> Entry:
    """Expand, backfill, expose: from wherever an earlier run stopped."""
    if isinstance(engine, WholeEngine):
        return engine.start_whole(run)
    phased = _phased(engine)
    conn, migration = run.conn, run.migration
    schema, name = migration.schema, migration.name
    journal.ensure(conn, schema)
    with runner_lock(engine, conn, schema, wait):
        entry = journal.get(conn, schema, name)
        if entry is not None and entry.phase is Phase.ROLLED_BACK:
            # Rolled back means nothing of it is left: start again from scratch.
            journal.forget(conn, schema, name)
            entry = None
        if entry is None:
            refuse_overlap(conn, migration)
            state = phased.prepare(run)
            phased.begin(run, state, _inserter(phased, run, state))
            crash_point("after-expand")
        elif entry.spec != run.spec:
            raise UsageError(f"{path}: changed since 'online start' ran; roll back to change it")
        entry = reload(conn, migration)
        if not entry.phase.in_flight:
            raise UsageError(f"online migration {name} is already {entry.phase}")
        journal.set_paused(conn, schema, name, paused=False)
        if entry.phase is Phase.EXPANDING:
            run = replace(run, migration=engine.settle(run, entry))
            phased.expand(run, entry)
            if not phased.backfill(run, entry):
                run.progress.step("paused: run 'dbshift online start' again to resume")
                return reload(conn, migration)
            phased.expose(run, entry, _becomes(schema, name, Phase.ACTIVE))
            crash_point("after-views")
        return reload(conn, migration)


def _inserter(engine: PhasedEngine, run: Run, state: dict[str, Any]) -> Insert:
    migration, period = run.migration, run.migration.safety_period

    def insert(c: Connection, tables: Sequence[str]) -> None:
        journal.insert(
            c,
            migration.schema,
            name=migration.name,
            version_schema=engine.version_name(migration),
            tables=sorted(tables),
            spec=run.spec,
            safety_period=run.options.safety_period if period is None else period,
        )
        journal.save_backfill(c, migration.schema, migration.name, state)

    return insert


@contextmanager
def _held(
    engine: Engine,
    conn: Connection,
    name: str,
    schema: str,
    options: Options,
    progress: Progress,
    wait: float,
) -> Iterator[tuple[Entry, Run]]:
    """What complete and rollback begin with: the journal, the runner lock held for the
    whole command, the entry and the run of the migration as start ran it."""
    journal.ensure(conn, schema)
    with runner_lock(engine, conn, schema, wait):
        entry, migration = entry_migration(conn, schema, name)
        yield entry, Run(conn, migration, options, progress)


def _becomes(schema: str, name: str, phase: Phase) -> Record:
    """The ``Record`` that moves the entry to ``phase`` (with the step that does it)."""
    return lambda c: journal.set_phase(c, schema, name, phase)


def complete(
    engine: Engine,
    conn: Connection,
    name: str,
    schema: str,
    options: Options,
    progress: Progress,
    *,
    force: bool,
    wait: float,
) -> Entry:
    """Verify, then contract: the old version's shape goes."""
    with _held(engine, conn, name, schema, options, progress, wait) as (entry, run):
        run = replace(run, migration=engine.settle(run, entry))
        if entry.phase is Phase.COMPLETED:
            # A run killed after the contract step still owes the cleanup.
            engine.cleanup(run, entry)
            return entry
        refuse_unless_active(entry)
        check_safety_period(entry, force=force)
        phased = _phased(engine)
        phased.verify(run, entry)
        crash_point("after-validate")
        phased.contract(run, entry, _becomes(schema, name, Phase.COMPLETED))
        crash_point("after-contract")
        engine.cleanup(run, entry)
        return reload(conn, run.migration)


def rollback(
    engine: Engine,
    conn: Connection,
    name: str,
    schema: str,
    options: Options,
    progress: Progress,
    *,
    wait: float,
) -> Entry:
    """Everything start made goes; the old version never noticed."""
    with _held(engine, conn, name, schema, options, progress, wait) as (entry, run):
        if entry.phase is Phase.ROLLED_BACK:
            return entry
        if entry.phase is Phase.COMPLETED:
            raise UsageError(f"online migration {name} is completed: {engine.undo_hint}")
        engine.rollback(run, entry, _becomes(schema, name, Phase.ROLLED_BACK))
        return reload(conn, run.migration)


def reload(conn: Connection, migration: OnlineMigration) -> Entry:
    """The journal's entry of ``migration`` as it is now (it exists)."""
    entry = journal.get(conn, migration.schema, migration.name)
    assert entry is not None
    return entry


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


def run_job(run: Run, backfill: Backfill, job: str, states: dict[str, Any]) -> bool:
    """One backfill job from its checkpoint in ``states`` (the journal's backfill map,
    written back whole with every batch). False if paused."""
    migration = run.migration
    state = TableBackfill.from_dict(states.get(job, {}))

    def save(c: Connection, s: TableBackfill) -> None:
        states[job] = s.as_dict()
        journal.save_backfill(c, migration.schema, migration.name, states)
        if s.batches == 2:
            crash_point("in-backfill")

    def paused(c: Connection) -> bool:
        return journal.is_paused(c, migration.schema, migration.name)

    def report(s: TableBackfill) -> None:
        run.progress.backfill(job, s)

    return backfill.run(
        run.conn, state, run.options.backfill, save=save, paused=paused, progress=report
    )
