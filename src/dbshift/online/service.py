"""Online migrations, phase by phase: start (expand), complete (contract), rollback,
status, pause. Each public function is one ``dbshift online`` command: it opens the
session, picks the server's engine and hands both to ``phases``.

The engines: PostgreSQL in ``postgres_engine.py`` (hidden columns, dual-write triggers,
a schema of views), MySQL/MariaDB in ``online/mysql/`` (shadow tables, two-way triggers,
chunked copy, ``RENAME TABLE`` cut-over) and SQLite in ``online/sqlite.py`` (the same
files applied in one transaction: a single-writer embedded database has no second
application version to serve).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from dbshift.connection import connect, create_engine, parse_url, require_database
from dbshift.dialects import Dialect, dialect_for
from dbshift.dialects.mysql import MySQLDialect
from dbshift.dialects.postgres import PostgresDialect
from dbshift.dialects.sqlite import SQLiteDialect
from dbshift.errors import UsageError, ValidationFailed
from dbshift.online import journal, phases
from dbshift.online.journal import Entry, Phase
from dbshift.online.phases import Engine, Options, Progress, Run
from dbshift.online.spec import load_online
from dbshift.runner.executor import display_path
from dbshift.runner.history import OnlinePhase

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from dbshift.config import Settings
    from dbshift.online.backfill import TableBackfill


def _postgres() -> Engine:
    from dbshift.online.postgres_engine import PostgresEngine

    return PostgresEngine()


def _mysql() -> Engine:
    from dbshift.online.mysql.engine import MySQLEngine

    return MySQLEngine()


def _sqlite() -> Engine:
    from dbshift.online.sqlite import SQLiteEngine

    return SQLiteEngine()


#: Each Dialect's online engine, keyed by the Dialect class: the engines sit above the
#: dialects, which cannot name them, and a class (unlike a name) cannot be misspelt.
_ENGINES: dict[type[Dialect], Callable[[], Engine]] = {
    PostgresDialect: _postgres,
    MySQLDialect: _mysql,
    SQLiteDialect: _sqlite,
}


def engine_for(dialect: Dialect) -> Engine:
    """The online engine of ``dialect``'s server."""
    return _ENGINES[type(dialect)]()


def engine_named(backend: str) -> Engine:
    """The online engine of the dialect called ``backend`` (a journal entry's):
    ``dialects.named`` refuses any other name, so a typo cannot fall through to another
    server's engine."""
    from dbshift.dialects import named

    return engine_for(named(backend))


@contextmanager
def _session(settings: Settings) -> Iterator[tuple[Connection, Engine]]:
    if not settings.url:
        raise UsageError("no database URL: pass --url or configure one")
    url = parse_url(settings.url)
    require_database(url)
    engine = create_engine(url, connect_timeout=settings.connect_timeout, busy_timeout=5)
    conn = connect(engine)
    try:
        yield conn, engine_for(dialect_for(url))
    finally:
        conn.close()
        engine.dispose()


def start(path: Path, settings: Settings, options: Options, progress: Progress) -> Entry:
    """``dbshift online start FILE``; a file of the migrations directory gets its phase in
    the history (started, or completed where the engine applies it whole)."""
    entry = _start(path, settings, options, progress)
    _record(settings, path.stem, entry.phase)
    return entry


def _start(path: Path, settings: Settings, options: Options, progress: Progress) -> Entry:
    migration = load_online(path)
    spec = path.read_text(encoding="utf-8")
    # The backfill's thresholds: the command line's over the file's over the config's.
    throttle = options.backfill.throttle.over(migration.throttle.over(settings.throttle))
    options = replace(options, backfill=replace(options.backfill, throttle=throttle))
    with _session(settings) as (conn, engine):
        migration = replace(migration, schema=engine.base_schema(conn, migration.schema))
        run = Run(conn, migration, options, progress, spec)
        return phases.start(engine, run, path, settings.lock_timeout)


def complete(
    name: str, settings: Settings, options: Options, progress: Progress, *, schema: str, force: bool
) -> Entry:
    entry = _complete(name, settings, options, progress, schema=schema, force=force)
    _record(settings, name, entry.phase)
    return entry


def _complete(
    name: str, settings: Settings, options: Options, progress: Progress, *, schema: str, force: bool
) -> Entry:
    with _session(settings) as (conn, engine):
        schema = engine.base_schema(conn, schema)
        return phases.complete(
            engine, conn, name, schema, options, progress, force=force, wait=settings.lock_timeout
        )


def rollback(
    name: str, settings: Settings, options: Options, progress: Progress, *, schema: str
) -> Entry:
    with _session(settings) as (conn, engine):
        schema = engine.base_schema(conn, schema)
        entry = phases.rollback(
            engine, conn, name, schema, options, progress, wait=settings.lock_timeout
        )
    _record(settings, name, entry.phase)
    return entry


def status(settings: Settings, *, schema: str) -> list[Entry]:
    """The journal's entries; on MySQL the live version databases are refreshed first
    (``refresh``), quietly: status must answer even when that fails."""
    from sqlalchemy.exc import SQLAlchemyError

    with _session(settings) as (conn, engine):
        schema = engine.base_schema(conn, schema)
        journal.ensure(conn, schema)
        with suppress(SQLAlchemyError):
            _refresh(conn, engine, schema, _Silent())
        return journal.all_entries(conn, schema)


class _Silent:
    def step(self, text: str) -> None:
        pass

    def backfill(self, table: str, state: TableBackfill) -> None:
        pass


def refresh(settings: Settings, *, schema: str, progress: Progress | None = None) -> list[str]:
    """``dbshift online refresh`` (and ``migrate`` after it applied migrations): the new
    version of every live online migration told about the tables made or dropped since
    it was built; one line per change. Only MySQL's version database needs it (its views
    are listed table by table); PostgreSQL's new version finds a new table through its
    search path, and SQLite has no second version."""
    if settings.url and not hasattr(
        engine_named(parse_url(settings.url).get_backend_name()), "refresh"
    ):
        return []  # nothing to do: no connection made (``migrate`` asks on every server)
    with _session(settings) as (conn, engine):
        schema = engine.base_schema(conn, schema)
        return _refresh(conn, engine, schema, progress or _Silent())


def _refresh(conn: Connection, engine: Engine, schema: str, progress: Progress) -> list[str]:
    # Not part of ``phases.Engine``: only the MySQL engine has it.
    refresh_views = getattr(engine, "refresh", None)
    if refresh_views is None:
        return []
    return list(refresh_views(conn, schema, progress))


def pause(name: str, settings: Settings, *, schema: str) -> Entry:
    """Ask a running backfill to stop after its batch; returns the entry as it was.

    Only a migration still expanding with an unfinished backfill is marked: pausing one
    whose backfill is done (or that completed, or was rolled back) would change nothing,
    and the caller says so instead of claiming a pause.
    """
    with _session(settings) as (conn, engine):
        schema = engine.base_schema(conn, schema)
        journal.ensure(conn, schema)
        entry = journal.get(conn, schema, name)
        if entry is None:
            raise UsageError(f"no online migration {name!r} in schema {schema!r}")
        if backfill_running(entry):
            journal.set_paused(conn, schema, name, paused=True)
        return entry


def backfill_running(entry: Entry) -> bool:
    """Whether a backfill of ``entry`` is still to run (so pausing it means something)."""
    jobs = entry.jobs.values()
    return entry.phase is Phase.EXPANDING and (
        not jobs or not all(job.get("finished") for job in jobs)
    )


# -- online files of the migrations directory (``dbshift migrate``, history phases) --------

_HISTORY_PHASES = {
    Phase.EXPANDING: OnlinePhase.STARTED,
    Phase.ACTIVE: OnlinePhase.STARTED,
    Phase.COMPLETED: OnlinePhase.COMPLETED,
    Phase.ROLLED_BACK: OnlinePhase.ROLLED_BACK,
}


def _record(settings: Settings, name: str, phase: Phase) -> None:
    """The history's phase row for ``name`` when it is a file of the migrations directory
    and the database has a history table (one that never ran ``migrate`` gets none: a
    history table there would make ``migrate`` take its tables for its own)."""
    from dbshift.migrations import loader
    from dbshift.runner.session import QuietReporter, Session

    if not settings.url or not (settings.migrations_dir / f"{name}.toml").is_file():
        return
    found = [f for f in loader.scan(settings.migrations_dir) if f.path.stem == name]
    if not found:
        return
    with Session(settings, QuietReporter()) as session:
        session.record_online(found[0], _HISTORY_PHASES[phase])


def journal_phase(settings: Settings, path: Path) -> Phase | None:
    """The online journal's phase of the migration in file ``path`` (None: never started)."""
    migration = load_online(path)
    with _session(settings) as (conn, engine):
        schema = engine.base_schema(conn, migration.schema)
        journal.ensure(conn, schema)
        entry = journal.get(conn, schema, migration.name)
        return None if entry is None else entry.phase


def apply_whole(
    path: Path, settings: Settings, progress: Progress, *, offline_ok: bool
) -> Entry | None:
    """The file as one ordinary migration: the engine's own start, then complete with the
    safety period waived, so the schema is the one the phased workflow leaves.

    For ``migrate`` on new databases and CI: refused (``ValidationFailed``, nothing
    changed) when a table the file changes holds rows, unless ``offline_ok`` (complete
    then follows start at once: old application instances must be stopped), and when the
    migration is in flight. A migration the journal has completed already (its history
    row was not written) is not run again: None."""
    migration = load_online(path)
    with _session(settings) as (conn, engine):
        schema = engine.base_schema(conn, migration.schema)
        journal.ensure(conn, schema)
        entry = journal.get(conn, schema, migration.name)
        if entry is not None and entry.phase is Phase.COMPLETED:
            return None
        if entry is not None and entry.phase.in_flight:
            raise ValidationFailed(
                f"{path.name}: online migration in flight ({entry.phase}); run "
                f"'dbshift online complete {migration.name}' (or rollback) first"
            )
        if not offline_ok:
            busy = _tables_with_rows(conn, engine, schema, migration.tables)
            if busy:
                raise ValidationFailed(
                    f"{path.name}: table {busy[0]} has rows, so this online migration is not "
                    f"applied whole: run 'dbshift online start {display_path(path)}' (or pass --offline-ok "
                    "with the application stopped)"
                )
    options = _whole_options(settings)
    _start(path, settings, options, progress)
    entry = _complete(
        migration.name, settings, options, progress, schema=migration.schema, force=True
    )
    _drop_version(settings, entry)
    return entry


def _drop_version(settings: Settings, entry: Entry) -> None:
    """A whole apply serves no second application version: its version schema (MySQL:
    database), which the phased workflow keeps until the next complete, goes now. On a
    scratch database (``diff --from migrations``, ``generate``) a MySQL version database
    would otherwise outlive the scratch database it belongs to."""
    with _session(settings) as (conn, engine):
        if not isinstance(engine, phases.PhasedEngine) or entry.version_schema in (
            "",
            entry.base_schema,
        ):
            return
        conn.exec_driver_sql(engine.dialect.drop_schema_sql(entry.version_schema))


def _whole_options(settings: Settings) -> Options:
    from dbshift.online.backfill import BackfillOptions
    from dbshift.online.locks import LockPolicy

    return Options(
        lock=LockPolicy(
            timeout_ms=max(1, round(settings.ddl_lock_timeout * 1000)),
            attempts=max(1, settings.ddl_lock_retries + 1),
        ),
        backfill=BackfillOptions(),
        safety_period=0.0,
    )


def _tables_with_rows(
    conn: Connection, engine: Engine, schema: str, tables: Iterable[str]
) -> list[str]:
    """The tables of ``tables`` that exist and hold at least one row (one that does not
    exist is empty: an earlier migration of the run may create it, or start names it)."""
    import sqlalchemy as sa

    dialect = engine.dialect
    inspector = sa.inspect(conn)
    busy = []
    for table in sorted(tables):
        if not inspector.has_table(table, schema=schema):
            continue
        sql = f"SELECT 1 FROM {dialect.qualify(schema, table)} LIMIT 1"
        if conn.exec_driver_sql(sql).first() is not None:
            busy.append(table)
    return busy
