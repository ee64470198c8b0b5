"""``dbshift plan``: run the pending migrations on a scratch copy of the target's schema and
record, statement by statement, the locks each takes, whether it rewrites a table, and
its time.

The target is only read (its history and its catalog). Its schema is rendered as DDL the
way ``dbshift inspect --format sql`` does and created in a scratch database on ``dev_url``
(a temporary file for SQLite), which is dropped afterwards whatever happens; or, with
``replay``, the applied migrations are run there instead (for schemas holding objects
dbshift does not model, e.g. extensions). The tables there are empty: locks and rewrites
are what the server decides from the statement and the schema, but times are those of
empty tables.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from dbshift.connection import connect, create_engine
from dbshift.dialects.locks import Observation, Step, TableLock, Tracer
from dbshift.errors import ConfigError, MigrationFailed
from dbshift.migrations import loader
from dbshift.migrations.model import Kind, Migration
from dbshift.runner import sources
from dbshift.runner.executor import display_path
from dbshift.runner.session import QuietReporter, Session

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from dbshift.config import Settings
    from dbshift.dialects import Dialect
    from dbshift.model import Schema


@dataclass(frozen=True)
class TracedStatement:
    where: str  # file:line, or file:up() for a Python migration
    sql: str
    observation: Observation


@dataclass(frozen=True)
class TracedMigration:
    version: str
    filename: str
    transactional: bool
    statements: tuple[TracedStatement, ...]
    #: Locks held from the statement that took them until COMMIT (transactional DDL only).
    held_until_commit: tuple[TableLock, ...]
    #: A stopped migration ``migrate`` resumes: how many of its statements already ran
    #: (not traced: the target already holds their effects). None for a pending one.
    resumed_at: int | None = None


@dataclass(frozen=True)
class LockPlan:
    dialect: Dialect
    migrations: tuple[TracedMigration, ...]


def trace(settings: Settings, *, to: str | None = None, replay: bool = False) -> LockPlan:
    """Trace the migrations ``dbshift migrate --to`` would apply; change nothing."""
    with Session(settings, QuietReporter()) as session:
        # A failed or interrupted migration waits to be resumed: migrate runs it first.
        resumed: list[tuple[Migration, int | None]] = list(session.to_resume(to=to))
        todo = resumed + [(loader.resolve(m), None) for m in session.pending(to=to)]
        dialect = session.dialect
        current = session.analysis().current
        # A baseline's version need not be a file: replay the files up to it.
        older = [m for m in session.migrations() if current and m.number <= current.number]
        replay_to = older[-1].version if older else None
    if not todo:
        return LockPlan(dialect, ())
    if not dialect.database_is_a_file and not settings.dev_url:
        raise ConfigError(
            f"dbshift plan runs the migrations on a scratch {dialect.name} database: set "
            "dev_url in dbshift.toml, $DBSHIFT_DEV_URL or --dev-url (a server where dbshift "
            "may create and drop a database)"
        )
    assert settings.url is not None  # Session refused a missing URL
    schema = None if replay else sources.inspect_url(settings.url, settings)
    with sources.scratch_database(settings, dialect) as url:
        if replay and replay_to is not None:
            scratch = replace(settings, url=url.render_as_string(hide_password=False))
            try:
                with Session(scratch, QuietReporter()) as session:
                    session.migrate(to=replay_to, callbacks=False)
            except MigrationFailed as exc:
                raise MigrationFailed(
                    f"replaying the applied migrations on the scratch database: {exc.message}"
                ) from None
        engine = create_engine(
            url, connect_timeout=settings.connect_timeout, busy_timeout=settings.lock_timeout
        )
        try:
            with connect(engine) as conn:
                if schema is not None:
                    _copy_schema(conn, schema, dialect)
                tracer = tracer_for(conn, dialect)
                # Each migration starts from the same session, as in migrate.
                state = dialect.session_state(conn)
                done_list = []
                for migration, done in todo:
                    done_list.append(
                        trace_migration(
                            tracer, migration, conn, dialect, resumed_at=done, replay=replay
                        )
                    )
                    dialect.restore_session(conn, state)
                traced = tuple(done_list)
        finally:
            engine.dispose()
    return LockPlan(dialect, traced)


def _copy_schema(conn: Connection, schema: Schema, dialect: Dialect) -> None:
    """Create the target's tables, indexes, views, ... in the scratch database."""
    from sqlalchemy.exc import DBAPIError

    from dbshift.diff import DiffOptions, diff
    from dbshift.model import Schema as Empty

    ops = diff(
        Empty(), schema, DiffOptions(inline_foreign_keys=dialect.foreign_keys_only_in_create_table)
    )
    raw = conn.execution_options(no_parameters=True)
    for sql in dialect.renderer().render(ops, Empty()):
        try:
            raw.exec_driver_sql(sql)
        except DBAPIError as exc:
            reason = " ".join(str(exc.orig or exc).split())
            first = " ".join(sql.split())[:80]
            raise MigrationFailed(
                f"cannot copy the target's schema to the scratch database: {reason} "
                f"(while running: {first})",
                hint="for objects dbshift does not copy (extensions, ...), "
                "'dbshift plan --replay' runs the applied migrations there instead",
            ) from None


def tracer_for(conn: Connection, dialect: Dialect) -> Tracer:
    """The lock tracer of ``dialect``'s server, on ``conn`` (a scratch database)."""
    return dialect.lock_tracer(conn)


def trace_migration(
    tracer: Tracer,
    migration: Migration,
    conn: Connection,
    dialect: Dialect,
    *,
    resumed_at: int | None = None,
    replay: bool = False,
) -> TracedMigration:
    from sqlalchemy.exc import DBAPIError

    path = display_path(migration.path)
    steps = _steps(migration, conn, dialect, path)
    done = resumed_at or 0
    if replay:
        # A replayed scratch database lacks what the stopped run already did there.
        for where, _, step in steps[:done]:
            try:
                step.run()
            except DBAPIError as exc:
                raise MigrationFailed(f"{where}: {dialect.describe_error(exc)}") from None
    tracer.start_migration(transactional=migration.transactional)
    traced = []
    for where, sql, step in steps[done:]:
        try:
            observation = tracer.trace(step)
        except DBAPIError as exc:
            raise MigrationFailed(f"{where}: {dialect.describe_error(exc)}") from None
        except MigrationFailed:
            raise
        except Exception as exc:  # a Python migration's own error
            raise MigrationFailed(f"{where}: {type(exc).__name__}: {exc}") from None
        traced.append(TracedStatement(where, sql, observation))
    held = tracer.held() if migration.transactional and tracer.holds_until_commit else ()
    return TracedMigration(
        version=migration.version,
        filename=migration.filename,
        transactional=migration.transactional,
        statements=tuple(traced),
        held_until_commit=held,
        resumed_at=resumed_at,
    )


def _steps(
    migration: Migration, conn: Connection, dialect: Dialect, path: str
) -> list[tuple[str, str, Step]]:
    raw = conn.execution_options(no_parameters=True)
    if migration.kind is Kind.PYTHON:
        from dbshift.migrations.pyfile import MigrationContext, load_python_migration

        function = load_python_migration(migration.path).up
        context = MigrationContext(connection=conn, sql_dialect=dialect)
        return [(f"{path}:up()", "up(ctx), run whole", Step(None, lambda: function(context)))]

    def runner(sql: str) -> Step:
        return Step(sql, lambda: raw.exec_driver_sql(sql))

    return [(f"{path}:{s.line}", s.sql, runner(s.sql)) for s in migration.up.statements]
