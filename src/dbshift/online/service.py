"""Online migrations, phase by phase: start (expand), complete (contract), rollback,
status, pause. Each public function is one ``dbshift online`` command.

This module is the PostgreSQL engine and the dispatcher: MySQL/MariaDB run in
``online/mysql/`` (shadow tables, two-way triggers, chunked copy, ``RENAME TABLE``
cut-over) and SQLite in ``online/sqlite.py`` (the same files applied in one transaction:
a single-writer embedded database has no second application version to serve).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from dbshift.connection import connect, create_engine, parse_url, require_database
from dbshift.errors import LockTimeoutError, MigrationFailed, UsageError
from dbshift.online import carry, journal, preflight
from dbshift.online import postgres as pg
from dbshift.online.backfill import Backfill
from dbshift.online.common import (
    Options,
    Progress,
    check_safety_period,
    crash_point,
    entry_migration,
    refuse_overlap,
    refuse_unless_active,
    run_job,
)
from dbshift.online.journal import Entry, Phase
from dbshift.online.locks import run_ddl
from dbshift.online.operations import OnlineOperation
from dbshift.online.operations.add_unique import AddUnique
from dbshift.online.operations.alter_column import AlterColumn
from dbshift.online.operations.create_index import CreateIndex
from dbshift.online.postgres import quote
from dbshift.online.spec import OnlineMigration, load_online

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from dbshift.config import Settings


@contextmanager
def _session(settings: Settings) -> Iterator[Connection]:
    if not settings.url:
        raise UsageError("no database URL: pass --url or configure one")
    url = parse_url(settings.url)
    require_database(url)
    engine = create_engine(url, connect_timeout=settings.connect_timeout, busy_timeout=5)
    conn = connect(engine)
    try:
        yield conn
    finally:
        conn.close()
        engine.dispose()


def base_schema(conn: Connection, schema: str) -> str:
    """The schema the journal and the tables live in: on MySQL the connection's database
    and on SQLite ``main`` unless the command names another (``public`` is PostgreSQL's
    default and means "the default" there)."""
    name = conn.dialect.name
    if name == "mysql" and schema == "public":
        current = conn.exec_driver_sql("SELECT DATABASE()").scalar()
        if not current:
            raise UsageError("the MySQL URL names no database: add /<database> to it")
        return str(current)
    if name == "sqlite" and schema == "public":
        return "main"
    return schema


@contextmanager
def _runner_lock(conn: Connection, schema: str, timeout: float) -> Iterator[None]:
    """One online command at a time per schema: a second one waits up to ``timeout``
    seconds (--lock-timeout), then stops with nothing done."""
    from sqlalchemy.exc import DBAPIError

    from dbshift.dialects import Dialect

    number = Dialect.lock_key_int(f"dbshift-online:{schema}")
    conn.exec_driver_sql(f"SET lock_timeout = {max(1, int(timeout * 1000))}")
    try:
        conn.exec_driver_sql("SELECT pg_advisory_lock(%(n)s)", {"n": number})
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) != "55P03":  # lock_not_available
            raise
        raise LockTimeoutError(
            f"another dbshift online command has been running on schema {schema!r} for "
            f"more than {timeout:g}s (--lock-timeout); nothing was done"
        ) from None
    finally:
        conn.exec_driver_sql("RESET lock_timeout")
    try:
        yield
    finally:
        conn.exec_driver_sql("SELECT pg_advisory_unlock(%(n)s)", {"n": number})


def start(path: Path, settings: Settings, options: Options, progress: Progress) -> Entry:
    migration = load_online(path)
    spec = path.read_text(encoding="utf-8")
    with _session(settings) as conn:
        migration = replace(migration, schema=base_schema(conn, migration.schema))
        if conn.dialect.name == "sqlite":
            from dbshift.online import sqlite

            return sqlite.start(conn, migration, spec, progress)
        if conn.dialect.name == "mysql":
            from dbshift.online.mysql import expand

            return expand.start(conn, migration, spec, options, progress, settings.lock_timeout)
        journal.ensure(conn, migration.schema)
        with _runner_lock(conn, migration.schema, settings.lock_timeout):
            entry = journal.get(conn, migration.schema, migration.name)
            if entry is not None and entry.phase is Phase.ROLLED_BACK:
                # Rolled back means nothing of it is left: start again from scratch.
                journal.forget(conn, migration.schema, migration.name)
                entry = None
            if entry is None:
                refuse_overlap(conn, migration)
                preflight.check(conn, migration)
                state = _plan_state(conn, migration)
                migration = _settled(migration, state)
                _expand_ddl(conn, migration, spec, options, progress, state)
                entry = journal.get(conn, migration.schema, migration.name)
                assert entry is not None
            elif entry.spec != spec:
                raise UsageError(
                    f"{path}: changed since 'online start' ran; roll back to change it"
                )
            else:
                migration = _settled(migration, _state(entry))
            if not entry.phase.in_flight:
                raise UsageError(f"online migration {migration.name} is already {entry.phase}")
            journal.set_paused(conn, migration.schema, migration.name, paused=False)
            if entry.phase is Phase.EXPANDING:
                _concurrent(conn, migration, progress, rollback=False)
                _concurrent_carried(conn, migration, _state(entry), progress)
                if not _backfill(conn, migration, entry, options, progress):
                    progress.step("paused: run 'dbshift online start' again to resume")
                    return _reload(conn, migration)
                _expose(conn, migration, options, progress)
            return _reload(conn, migration)


def _reload(conn: Connection, migration: OnlineMigration) -> Entry:
    entry = journal.get(conn, migration.schema, migration.name)
    assert entry is not None
    return entry


def _state(entry: Entry) -> dict[str, Any]:
    """What start planned and created (``carry.JOURNAL_KEY``); empty for an entry
    journaled before dbshift kept it."""
    raw = entry.backfill.get(carry.JOURNAL_KEY)
    return raw if isinstance(raw, dict) else {}


#: A column's default, nullability, and its type with a collation other than the type's
#: own (an alter_column that keeps the type keeps the collation too).
_COLUMN_SQL = """
SELECT pg_get_expr(d.adbin, d.adrelid), a.attnotnull,
       format_type(a.atttypid, a.atttypmod)
       || CASE WHEN a.attcollation <> t.typcollation AND a.attcollation <> 0
               THEN ' COLLATE ' || a.attcollation::regcollation::text ELSE '' END
FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attrelid = %(rel)s::regclass AND a.attname = %(column)s AND NOT a.attisdropped
"""


def _plan_state(conn: Connection, migration: OnlineMigration) -> dict[str, Any]:
    """Read once at start, kept in the journal: the default and nullability an
    alter_column keeps where the file leaves them out, what follows each altered column
    to its hidden copy (``carry``), and every index start will create (the only ones
    rollback drops)."""
    names = pg.PgNames(migration.schema)
    ignored = [
        e.version_schema
        for e in journal.all_entries(conn, migration.schema)
        if e.phase is Phase.COMPLETED
    ]
    kept: dict[str, dict[str, Any]] = {}
    plans: list[dict[str, Any]] = []
    created: list[str] = []
    for i, op in enumerate(migration.operations):
        if isinstance(op, CreateIndex | AddUnique):
            created.append(op.name)
        if not isinstance(op, AlterColumn) or not _types(conn, names, op.table):
            continue
        row = conn.exec_driver_sql(
            _COLUMN_SQL, {"rel": names.table(op.table), "column": op.column}
        ).first()
        if row is None:
            raise MigrationFailed(
                f"{migration.path}: operations[{i}] ({op.type}): column {op.column!r} does "
                f"not exist in {op.table!r}; nothing was changed"
            )
        kept[str(i)] = {"default": row[0], "not_null": bool(row[1]), "data_type": row[2]}
        try:
            plan = carry.plan(
                conn,
                schema=migration.schema,
                table=op.table,
                column=op.column,
                hidden=op.hidden,
                migration=migration.name,
                ignored_schemas=ignored,
            )
        except carry.Refused as exc:
            raise MigrationFailed(
                f"{migration.path}: operations[{i}] ({op.type}): {exc}; nothing was changed"
            ) from None
        plans.append(plan.as_dict())
        created += plan.created_indexes()
    return {"kept": kept, "plans": plans, "created": created}


def _settled(migration: OnlineMigration, state: dict[str, Any]) -> OnlineMigration:
    """``migration`` with each alter_column's left-out default and nullability as the
    column had them at start."""
    kept = state.get("kept", {})
    ops = []
    for i, op in enumerate(migration.operations):
        if isinstance(op, AlterColumn) and str(i) in kept:
            found = kept[str(i)]
            op = op.keep(default=found["default"], not_null=found["not_null"])
            if op.data_type is None and found.get("data_type"):
                op = replace(op, data_type=found["data_type"])
        ops.append(op)
    return replace(migration, operations=tuple(ops))


def _plans(state: dict[str, Any]) -> list[carry.Plan]:
    return [carry.Plan.from_dict(p) for p in state.get("plans", [])]


def _concurrent_carried(
    conn: Connection, migration: OnlineMigration, state: dict[str, Any], progress: Progress
) -> None:
    """The old column's indexes, built on its hidden copy (CONCURRENTLY, idempotent)."""
    names = pg.PgNames(migration.schema)
    for plan in _plans(state):
        for temp, sql in plan.concurrent_start():
            if _invalid_index(conn, migration.schema, temp):
                conn.exec_driver_sql(f"DROP INDEX CONCURRENTLY IF EXISTS {names.table(temp)}")
            progress.step(" ".join(sql.split())[:100])
            conn.execution_options(no_parameters=True).exec_driver_sql(sql)
            crash_point("after-index")


def _columns(conn: Connection, names: pg.PgNames, table: str) -> dict[str, str]:
    rows = conn.exec_driver_sql(pg.COLUMNS_SQL, {"rel": names.table(table)}).all()
    if not rows:
        raise MigrationFailed(f"table {names.table(table)} does not exist")
    return {r[0]: r[0] for r in rows if not str(r[0]).startswith("_dbshift_")}


def _triggered(migration: OnlineMigration) -> list[str]:
    """Tables that get a dual-write trigger (some operation on them has up or down)."""
    return sorted(
        {op.table for op in migration.operations if op.up_assignments() or op.down_assignments()}
    )


def _types(conn: Connection, names: pg.PgNames, table: str) -> dict[str, str]:
    """The table's columns and their types (empty if it does not exist yet)."""
    exists = conn.exec_driver_sql("SELECT to_regclass(%(rel)s)", {"rel": names.table(table)})
    if exists.scalar() is None:
        return {}
    rows = conn.exec_driver_sql(pg.COLUMNS_SQL, {"rel": names.table(table)}).all()
    return {str(r[0]): str(r[1]) for r in rows}


def _resolved(conn: Connection, migration: OnlineMigration) -> list[OnlineOperation]:
    names = pg.PgNames(migration.schema)
    return [op.resolve(_types(conn, names, op.table)) for op in migration.operations]


def _shapes(
    conn: Connection, migration: OnlineMigration, names: pg.PgNames
) -> dict[str, tuple[dict[str, str], dict[str, str]]]:
    """Per table: (old version's columns, new version's columns), name -> physical."""
    shapes: dict[str, tuple[dict[str, str], dict[str, str]]] = {}
    for op in migration.operations:
        if op.type == "raw_sql":
            continue  # opaque: its table may not even exist before it runs
        if op.table not in shapes:
            old = _columns(conn, names, op.table)
            shapes[op.table] = (old, dict(old))
        old, new = shapes[op.table]
        try:
            shapes[op.table] = (old, op.reshape(new))
        except ValueError as exc:
            raise MigrationFailed(f"{migration.path}: {op.type} on {op.table}: {exc}") from None
    return shapes


def _expand_ddl(
    conn: Connection,
    migration: OnlineMigration,
    spec: str,
    options: Options,
    progress: Progress,
    state: dict[str, Any],
) -> None:
    """Hidden columns, checks, raw up SQL and dual-write triggers: one transaction,
    committed with the journal row that says it happened (and what start plans to
    create, ``state``)."""
    version = pg.version_schema(migration.schema, migration.name)
    names = pg.PgNames(migration.schema, version=version)
    shapes = _shapes(conn, migration, names)
    statements: list[str] = []
    for op in _resolved(conn, migration):
        statements += pg.added_columns_sql(names, op)
        statements += op.start_sql(names)
    for plan in _plans(state):
        statements += plan.start_sql(names.table(plan.table))
    for table, (old, new) in shapes.items():
        ops = [op for op in migration.operations if op.table == table]
        up = [a for op in ops for a in op.up_assignments()]
        down = [a for op in ops for a in op.down_assignments()]
        if up or down:
            statements += pg.trigger_sql(
                names,
                migration=migration.name,
                table=table,
                version=version,
                old_columns=old,
                new_columns=new,
                up=up,
                down=down,
            )
    period = migration.safety_period

    def record(c: Connection) -> None:
        journal.insert(
            c,
            migration.schema,
            name=migration.name,
            version_schema=version,
            tables=sorted(shapes),
            spec=spec,
            safety_period=options.safety_period if period is None else period,
        )
        journal.save_backfill(c, migration.schema, migration.name, {carry.JOURNAL_KEY: state})

    if any(isinstance(op, AlterColumn) for op in migration.operations):
        progress.step(
            "note: on PostgreSQL an altered column moves to the end of the table at complete "
            "(SELECT * and INSERTs without a column list see the new order)"
        )
    progress.step(f"expand: {len(statements)} statements on {', '.join(sorted(shapes))}")
    run_ddl(
        conn,
        statements,
        policy=options.lock,
        tables=[names.table(t) for t in shapes],
        what=f"online start {migration.name}",
        also=record,
    )
    crash_point("after-expand")


def _concurrent(
    conn: Connection, migration: OnlineMigration, progress: Progress, *, rollback: bool
) -> None:
    names = pg.PgNames(migration.schema)
    shapes = {} if rollback else _shapes(conn, migration, names)
    for op in migration.operations:
        try:
            statements = (
                op.concurrent_rollback(names)
                if rollback
                else op.concurrent_start(names, shapes.get(op.table, ({}, {}))[1])
            )
        except ValueError as exc:
            raise MigrationFailed(f"{migration.path}: {op.type} on {op.table}: {exc}") from None
        for sql in statements:
            name = getattr(op, "name", None)
            if not rollback and name and _invalid_index(conn, migration.schema, name):
                # A build killed half-way leaves an INVALID index: drop it, build again.
                conn.exec_driver_sql(f"DROP INDEX CONCURRENTLY IF EXISTS {names.table(name)}")
            progress.step(" ".join(sql.split())[:100])
            conn.execution_options(no_parameters=True).exec_driver_sql(sql)
            crash_point("after-index")


def _invalid_index(conn: Connection, schema: str, name: str) -> bool:
    found = conn.exec_driver_sql(pg.INVALID_INDEX_SQL, {"schema": schema, "name": name})
    return found.first() is not None


def _backfill(
    conn: Connection,
    migration: OnlineMigration,
    entry: Entry,
    options: Options,
    progress: Progress,
) -> bool:
    """Every backfill job in turn: per table, an UPDATE of its hidden columns from the up
    expressions; per copying operation (split_table), its copy into the other table."""
    names = pg.PgNames(migration.schema)
    states = dict(entry.backfill)
    jobs: list[tuple[str, str, Backfill.Work]] = []
    for table in sorted(migration.tables):
        ops = [op for op in migration.operations if op.table == table]
        up = [a for op in ops for a in op.up_assignments()]
        if up:
            jobs.append((table, table, up))
        for op in ops:
            copy = op.resolve(_types(conn, names, table)).copy_sql(names)
            if copy is not None:
                jobs.append((op.copy_job, table, copy))
    for job, table, work in jobs:
        key = [
            (str(r[0]), str(r[1]))
            for r in conn.exec_driver_sql(pg.PRIMARY_KEY_SQL, {"rel": names.table(table)}).all()
        ]
        engine = Backfill(names.table(table), key, work)
        finished = run_job(conn, engine, job, states, migration, options, progress)
        if not finished:
            return False
    return True


def _expose(
    conn: Connection, migration: OnlineMigration, options: Options, progress: Progress
) -> None:
    """The new version's schema of views; committed with the phase change to active."""
    names = pg.PgNames(migration.schema)
    version = pg.version_schema(migration.schema, migration.name)
    shapes = _shapes(conn, migration, names)
    statements = [f"CREATE SCHEMA IF NOT EXISTS {quote(version)}"]
    views = {op.table: op.view_name for op in migration.operations}
    statements += [
        pg.view_sql(names, version, t, new, view=views[t]) for t, (_, new) in shapes.items()
    ]
    progress.step(f"new version: search_path {version}, {migration.schema}")
    run_ddl(
        conn,
        statements,
        policy=options.lock,
        tables=[names.table(t) for t in shapes],
        what=f"online start {migration.name} (views)",
        also=lambda c: journal.set_phase(c, migration.schema, migration.name, Phase.ACTIVE),
    )
    crash_point("after-views")


def complete(
    name: str, settings: Settings, options: Options, progress: Progress, *, schema: str, force: bool
) -> Entry:
    with _session(settings) as conn:
        schema = base_schema(conn, schema)
        if conn.dialect.name != "postgresql":
            return _other(conn).complete(
                conn, name, schema, options, progress, force=force, wait=settings.lock_timeout
            )
        journal.ensure(conn, schema)
        with _runner_lock(conn, schema, settings.lock_timeout):
            entry, migration = entry_migration(conn, schema, name)
            state = _state(entry)
            migration = _settled(migration, state)
            plans = {(p.table, p.column): p for p in _plans(state)}
            names = pg.PgNames(schema)
            if entry.phase is Phase.COMPLETED:
                # A run killed after the contract transaction still owes these.
                _concurrent_complete(conn, migration, names, progress)
                return entry
            refuse_unless_active(entry)
            check_safety_period(entry, force=force)
            _verify(conn, migration)
            tables = [names.table(t) for t in migration.tables]
            validations = [sql for op in migration.operations for sql in op.validate_sql(names)]
            for plan in plans.values():
                validations += plan.validate_sql(names.table(plan.table))
            for sql in validations:
                progress.step(" ".join(sql.split())[:100])
                run_ddl(conn, [sql], policy=options.lock, tables=tables, what=f"complete {name}")
            crash_point("after-validate")
            statements: list[str] = []
            for table in _triggered(migration):
                statements += pg.drop_trigger_sql(names, migration=name, table=table)
            for other in journal.all_entries(conn, schema):
                if other.phase is Phase.COMPLETED and other.name != name:
                    statements.append(
                        f"DROP SCHEMA IF EXISTS {quote(other.version_schema)} CASCADE"
                    )
            # Table renames last: the other operations name the table as it was.
            ordered = sorted(migration.operations, key=lambda op: op.type == "rename_table")
            for op in ordered:
                moved = plans.get((op.table, op.column)) if isinstance(op, AlterColumn) else None
                if moved is not None:
                    statements += moved.before_drop(names.table(op.table))
                statements += op.complete_sql(names)
                if moved is not None:
                    statements += moved.after_swap(names.table(op.table), schema)
            progress.step(f"contract: {len(statements)} statements")
            run_ddl(
                conn,
                statements,
                policy=options.lock,
                tables=tables,
                what=f"online complete {name}",
                also=lambda c: journal.set_phase(c, schema, name, Phase.COMPLETED),
            )
            crash_point("after-contract")
            _concurrent_complete(conn, migration, names, progress)
            return _reload(conn, migration)


def _concurrent_complete(
    conn: Connection, migration: OnlineMigration, names: pg.PgNames, progress: Progress
) -> None:
    """What complete runs outside a transaction (DROP INDEX CONCURRENTLY): idempotent,
    so it runs again whenever complete is asked of a completed migration."""
    for op in migration.operations:
        for sql in op.concurrent_complete(names):
            progress.step(" ".join(sql.split())[:100])
            conn.execution_options(no_parameters=True).exec_driver_sql(sql)


def _verify(conn: Connection, migration: OnlineMigration) -> None:
    """Every row's old and new values agree, in the direction of its last writer (new =
    up(old) for rows the old version wrote, old = down(new) for rows the new one wrote),
    before anything is dropped; a mismatch stops complete with the count."""
    names = pg.PgNames(migration.schema)
    shapes = _shapes(conn, migration, names)
    for op in migration.operations:
        for old_col, up, new_col, down in op.verify_pairs():
            table = names.table(op.table)
            types: dict[str, str] = {
                str(r[0]): str(r[1])
                for r in conn.exec_driver_sql(pg.COLUMNS_SQL, {"rel": table}).all()
            }
            new_cols = shapes[op.table][1]
            # The inner SELECT evaluates up() over the physical (old) names and exposes
            # the new version's names, over which the outer WHERE evaluates down().
            exposed = ", ".join(f"o.{quote(p)} AS {quote(n)}" for n, p in new_cols.items())
            sql = (
                "SELECT count(*), count(*) FILTER (WHERE NOT ("
                "v.__dbshift_new IS NOT DISTINCT FROM v.__dbshift_up OR "
                f"v.__dbshift_old IS NOT DISTINCT FROM CAST(({down}) AS {types[old_col]})))"
                f" FROM (SELECT {exposed}, o.{quote(old_col)} AS __dbshift_old, "
                f"o.{quote(new_col)} AS __dbshift_new, "
                f"CAST(({up}) AS {types[new_col]}) AS __dbshift_up FROM {table} AS o) AS v"
            )
            total, bad = conn.execution_options(no_parameters=True).exec_driver_sql(sql).one()
            if bad:
                raise MigrationFailed(
                    f"online complete {migration.name}: {bad} of {total} rows of "
                    f"{op.table} have {old_col!r} and its new value out of step; nothing was "
                    "dropped (roll back, or fix the rows and complete again)"
                )
    for op in _resolved(conn, migration):
        for what, sql in op.verify_sql(names):
            bad = conn.execution_options(no_parameters=True).exec_driver_sql(sql).scalar()
            if bad:
                raise MigrationFailed(
                    f"online complete {migration.name}: {bad} rows where {what}; nothing was "
                    "dropped (roll back, or fix the rows and complete again)"
                )


def rollback(
    name: str, settings: Settings, options: Options, progress: Progress, *, schema: str
) -> Entry:
    with _session(settings) as conn:
        schema = base_schema(conn, schema)
        if conn.dialect.name != "postgresql":
            return _other(conn).rollback(
                conn, name, schema, options, progress, wait=settings.lock_timeout
            )
        journal.ensure(conn, schema)
        with _runner_lock(conn, schema, settings.lock_timeout):
            entry, migration = entry_migration(conn, schema, name)
            if entry.phase is Phase.ROLLED_BACK:
                return entry
            if entry.phase is Phase.COMPLETED:
                raise UsageError(
                    f"online migration {name} is completed: write a new one to undo it"
                )
            names = pg.PgNames(schema)
            statements = [f"DROP SCHEMA IF EXISTS {quote(entry.version_schema)} CASCADE"]
            for table in _triggered(migration):
                statements += pg.drop_trigger_sql(names, migration=name, table=table)
            try:
                for op in reversed(migration.operations):
                    statements += op.rollback_sql(names)
            except ValueError as exc:
                raise MigrationFailed(f"online rollback {name}: {exc}") from None
            for op in migration.operations:
                statements += pg.drop_added_sql(names, op)
            state = _state(entry)
            if "created" in state:
                # Only what start created, by the names it recorded: an index of the same
                # name that was there before start is never touched.
                for index in state["created"]:
                    sql = f"DROP INDEX CONCURRENTLY IF EXISTS {names.table(index)}"
                    progress.step(sql)
                    conn.exec_driver_sql(sql)
                    crash_point("after-index")
            else:  # journaled before start recorded what it created
                _concurrent(conn, migration, progress, rollback=True)
            progress.step(f"rollback: {len(statements)} statements")
            run_ddl(
                conn,
                statements,
                policy=options.lock,
                tables=[names.table(t) for t in migration.tables],
                what=f"online rollback {name}",
                also=lambda c: journal.set_phase(c, schema, name, Phase.ROLLED_BACK),
            )
            return _reload(conn, migration)


def _other(conn: Connection) -> Engine:
    """The engine of a backend other than PostgreSQL."""
    if conn.dialect.name == "sqlite":
        from dbshift.online import sqlite

        return sqlite
    from dbshift.online.mysql import contract

    return contract


class Engine(Protocol):
    """What a non-PostgreSQL engine module provides (besides its own ``start``)."""

    def complete(
        self,
        conn: Connection,
        name: str,
        schema: str,
        options: Options,
        progress: Progress,
        *,
        force: bool,
        wait: float,
    ) -> Entry: ...

    def rollback(
        self,
        conn: Connection,
        name: str,
        schema: str,
        options: Options,
        progress: Progress,
        *,
        wait: float,
    ) -> Entry: ...


def status(settings: Settings, *, schema: str) -> list[Entry]:
    with _session(settings) as conn:
        schema = base_schema(conn, schema)
        journal.ensure(conn, schema)
        return journal.all_entries(conn, schema)


def pause(name: str, settings: Settings, *, schema: str) -> Entry:
    """Ask a running backfill to stop after its batch; returns the entry as it was.

    Only a migration still expanding with an unfinished backfill is marked: pausing one
    whose backfill is done (or that completed, or was rolled back) would change nothing,
    and the caller says so instead of claiming a pause.
    """
    with _session(settings) as conn:
        schema = base_schema(conn, schema)
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
