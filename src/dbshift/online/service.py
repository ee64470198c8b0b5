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

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from dbshift.connection import connect, create_engine, parse_url, require_database
from dbshift.errors import UsageError
from dbshift.online import journal, phases
from dbshift.online.journal import Entry, Phase
from dbshift.online.phases import Engine, Options, Progress, Run
from dbshift.online.spec import load_online

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from dbshift.config import Settings


def _postgres() -> Engine:
    from dbshift.online.postgres_engine import PostgresEngine

    return PostgresEngine()


def _mysql() -> Engine:
    from dbshift.online.mysql.engine import MySQLEngine

    return MySQLEngine()


def _sqlite() -> Engine:
    from dbshift.online.sqlite import SQLiteEngine

    return SQLiteEngine()


#: Each Dialect's online engine, by the dialect's own name (``dialects.named`` refuses
#: any other, so a typo cannot fall through to another server's engine).
_ENGINES: dict[str, Callable[[], Engine]] = {
    "postgresql": _postgres,
    "mysql": _mysql,
    "sqlite": _sqlite,
}


def engine_named(backend: str) -> Engine:
    """The online engine of the dialect called ``backend`` (a journal entry's)."""
    from dbshift.dialects import named

    return _ENGINES[named(backend).name]()


@contextmanager
def _session(settings: Settings) -> Iterator[tuple[Connection, Engine]]:
    if not settings.url:
        raise UsageError("no database URL: pass --url or configure one")
    url = parse_url(settings.url)
    require_database(url)
    engine = create_engine(url, connect_timeout=settings.connect_timeout, busy_timeout=5)
    conn = connect(engine)
    try:
        yield conn, engine_named(url.get_backend_name())
    finally:
        conn.close()
        engine.dispose()


def start(path: Path, settings: Settings, options: Options, progress: Progress) -> Entry:
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
        return phases.rollback(
            engine, conn, name, schema, options, progress, wait=settings.lock_timeout
        )


def status(settings: Settings, *, schema: str) -> list[Entry]:
    with _session(settings) as (conn, engine):
        schema = engine.base_schema(conn, schema)
        journal.ensure(conn, schema)
        return journal.all_entries(conn, schema)


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
