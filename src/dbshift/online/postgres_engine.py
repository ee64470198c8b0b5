"""The PostgreSQL online engine: hidden columns, dual-write triggers, keyset backfill, a
schema of views for the new version, and a contract step that runs in one transaction.

How the two versions coexist is told in ``online/postgres.py`` (the SQL); which step runs
when, under which guards, in ``online/phases.py``. Each step's DDL commits in the same
transaction as the journal update that records it (``run_ddl``'s ``also``), so a killed
command leaves the journal naming the last step that happened.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar

from dbshift import ops
from dbshift.dialects.postgres import online_catalog as catalog
from dbshift.errors import MigrationFailed, OnlineOperationError
from dbshift.online import carry, journal, preflight, shape
from dbshift.online import postgres as pg
from dbshift.online import postgres_ops as pgops
from dbshift.online.backfill import Backfill
from dbshift.online.journal import Entry, Phase
from dbshift.online.locks import run_ddl
from dbshift.online.phases import (
    Insert,
    NewVersion,
    Options,
    Progress,
    Record,
    Run,
    crash_point,
    run_job,
)
from dbshift.online.postgres import quote
from dbshift.online.shape import table_of
from dbshift.online.spec import OnlineMigration

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from dbshift.dialects import Dialect


class PostgresEngine:
    """The ``phases.PhasedEngine`` of PostgreSQL."""

    casts_on_alter: ClassVar[bool] = True
    uses_runner_lock: ClassVar[bool] = True
    undo_hint: ClassVar[str] = "write a new one to undo it"

    def __init__(self) -> None:
        self.dialect: Dialect = pg.PG

    def base_schema(self, conn: Connection, schema: str) -> str:
        return schema

    def new_version(self, entry: Entry) -> NewVersion:
        version, base = entry.version_schema, entry.base_schema
        return NewVersion(
            lines=(
                f"  new version: SET search_path TO {quote(version)}, {quote(base)}"
                f"  (libpq: options=-csearch_path={version},{base})",
                "  old version: unchanged (the tables as they were)",
            ),
            search_path=f"{version},{base}",
        )

    def prepare(self, run: Run) -> dict[str, Any]:
        preflight.check(run.conn, run.migration)
        return {carry.JOURNAL_KEY: _plan_state(run.conn, run.migration)}

    def version_name(self, migration: OnlineMigration) -> str:
        return pg.version_schema(migration.schema, migration.name)

    def begin(self, run: Run, state: dict[str, Any], insert: Insert) -> None:
        planned = state[carry.JOURNAL_KEY]
        migration = _settled(run.migration, planned)
        _expand_ddl(run.conn, migration, run.options, run.progress, planned, insert)

    def settle(self, run: Run, entry: Entry) -> OnlineMigration:
        return _settled(run.migration, _state(entry))

    def expand(self, run: Run, entry: Entry) -> None:
        _concurrent(run.conn, run.migration, run.progress, rollback=False)
        _concurrent_carried(run.conn, run.migration, _state(entry), run.progress)

    def backfill(self, run: Run, entry: Entry) -> bool:
        return _backfill(run, entry)

    def expose(self, run: Run, entry: Entry, record: Record) -> None:
        _expose(run.conn, run.migration, run.options, run.progress, record)

    def verify(self, run: Run, entry: Entry) -> None:
        conn, migration, options, progress = run.conn, run.migration, run.options, run.progress
        name = migration.name
        plans = {(p.table, p.column): p for p in _plans(_state(entry))}
        names = pg.PgNames(migration.schema)
        _verify(conn, migration)
        tables = [names.table(t) for t in migration.tables]
        validations = [sql for op in migration.operations for sql in pgops.validate_sql(op, names)]
        for plan in plans.values():
            validations += plan.validate_sql(names.table(plan.table))
        for sql in validations:
            progress.step(" ".join(sql.split())[:100])
            run_ddl(conn, [sql], policy=options.lock, tables=tables, what=f"complete {name}")

    def contract(self, run: Run, entry: Entry, record: Record) -> None:
        conn, migration, options, progress = run.conn, run.migration, run.options, run.progress
        name, schema = migration.name, migration.schema
        plans = {(p.table, p.column): p for p in _plans(_state(entry))}
        names = pg.PgNames(schema)
        tables = [names.table(t) for t in migration.tables]
        statements: list[str] = []
        for table in _triggered(migration):
            statements += pg.drop_trigger_sql(names, migration=name, table=table)
        for other in journal.all_entries(conn, schema):
            if other.phase is Phase.COMPLETED and other.name != name:
                statements.append(f"DROP SCHEMA IF EXISTS {quote(other.version_schema)} CASCADE")
        # Table renames last: the other operations name the table as it was.
        ordered = sorted(migration.operations, key=lambda op: isinstance(op, ops.RenameTable))
        for op in ordered:
            table, column = table_of(op), shape.changed_column(op)
            change = shape.column_change(op)
            moved = plans.get((table, column)) if change and column is not None else None
            if moved is not None:
                statements += moved.before_drop(names.table(table))
            statements += pgops.complete_sql(op, names)
            if moved is not None:
                statements += moved.after_swap(names.table(table), schema)
        progress.step(f"contract: {len(statements)} statements")
        run_ddl(
            conn,
            statements,
            policy=options.lock,
            tables=tables,
            what=f"online complete {name}",
            also=record,
        )

    def cleanup(self, run: Run, entry: Entry) -> None:
        _concurrent_complete(
            run.conn, run.migration, pg.PgNames(run.migration.schema), run.progress
        )

    def rollback(self, run: Run, entry: Entry, record: Record) -> None:
        conn, migration, options, progress = run.conn, run.migration, run.options, run.progress
        name, schema = migration.name, migration.schema
        names = pg.PgNames(schema)
        statements = [f"DROP SCHEMA IF EXISTS {quote(entry.version_schema)} CASCADE"]
        for table in _triggered(migration):
            statements += pg.drop_trigger_sql(names, migration=name, table=table)
        try:
            for op in reversed(migration.operations):
                statements += pgops.rollback_sql(op, names)
        except OnlineOperationError as exc:
            raise MigrationFailed(f"online rollback {name}: {exc.message}") from None
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
            also=record,
        )


def _state(entry: Entry) -> dict[str, Any]:
    """What start planned and created (``carry.JOURNAL_KEY``); empty for an entry
    journaled before dbshift kept it."""
    raw = entry.backfill.get(carry.JOURNAL_KEY)
    return raw if isinstance(raw, dict) else {}


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
        if isinstance(op, ops.CreateIndex | ops.AddUnique):
            created.append(str(shape.name_of(op)))
        table, column = table_of(op), shape.changed_column(op)
        if (
            shape.column_change(op) is None
            or column is None
            or not preflight.column_types(conn, names, table)
        ):
            continue
        row = catalog.column_state(conn, names.table(table), column)
        if row is None:
            raise MigrationFailed(
                f"{migration.path}: operations[{i}] ({op.kind}): column {column!r} does "
                f"not exist in {table!r}; nothing was changed"
            )
        kept[str(i)] = {
            "default": row.default,
            "not_null": row.not_null,
            "data_type": row.data_type,
        }
        try:
            plan = carry.plan(
                conn,
                schema=migration.schema,
                table=table,
                column=column,
                hidden=shape.hidden(column),
                migration=migration.name,
                ignored_schemas=ignored,
            )
        except carry.Refused as exc:
            raise MigrationFailed(
                f"{migration.path}: operations[{i}] ({op.kind}): {exc}; nothing was changed"
            ) from None
        plans.append(plan.as_dict())
        created += plan.created_indexes()
    return {"kept": kept, "plans": plans, "created": created}


def _settled(migration: OnlineMigration, state: dict[str, Any]) -> OnlineMigration:
    """``migration`` with each alter_column's left-out default and nullability as the
    column had them at start."""
    kept = state.get("kept", {})
    return replace(
        migration,
        operations=tuple(
            shape.settled(op, kept[str(i)]) if str(i) in kept else op
            for i, op in enumerate(migration.operations)
        ),
    )


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
    rows = catalog.columns(conn, names.table(table))
    if not rows:
        raise MigrationFailed(f"table {names.table(table)} does not exist")
    return {r[0]: r[0] for r in rows if not str(r[0]).startswith("_dbshift_")}


def _triggered(migration: OnlineMigration) -> list[str]:
    """Tables that get a dual-write trigger (some operation on them has up or down)."""
    return sorted(
        {
            table_of(op)
            for op in migration.operations
            if shape.up_assignments(op) or shape.down_assignments(op)
        }
    )


def _resolved(
    conn: Connection, migration: OnlineMigration
) -> list[tuple[ops.Operation, dict[str, str]]]:
    """Each operation completed from the catalog, with its table's column types."""
    names = pg.PgNames(migration.schema)
    out = []
    for op in migration.operations:
        types = preflight.column_types(conn, names, table_of(op))
        out.append((shape.resolve(op, types), types))
    return out


def _shapes(
    conn: Connection, migration: OnlineMigration, names: pg.PgNames
) -> dict[str, tuple[dict[str, str], dict[str, str]]]:
    """Per table: (old version's columns, new version's columns), name -> physical."""
    shapes: dict[str, tuple[dict[str, str], dict[str, str]]] = {}
    for op in migration.operations:
        if isinstance(op, ops.RawSQL):
            continue  # opaque: its table may not even exist before it runs
        table = table_of(op)
        if table not in shapes:
            old = _columns(conn, names, table)
            shapes[table] = (old, dict(old))
        old, new = shapes[table]
        try:
            shapes[table] = (old, shape.reshape(op, new))
        except OnlineOperationError as exc:
            # Not the table as the file expects it: the same kind, named with its file.
            raise OnlineOperationError(
                f"{migration.path}: {op.kind} on {table}: {exc.message}"
            ) from None
    return shapes


def _expand_ddl(
    conn: Connection,
    migration: OnlineMigration,
    options: Options,
    progress: Progress,
    state: dict[str, Any],
    insert: Insert,
) -> None:
    """Hidden columns, checks, raw up SQL and dual-write triggers: one transaction,
    committed with the journal row that says it happened (and what start plans to
    create, ``state``)."""
    version = pg.version_schema(migration.schema, migration.name)
    names = pg.PgNames(migration.schema, version=version)
    shapes = _shapes(conn, migration, names)
    statements: list[str] = []
    for op, types in _resolved(conn, migration):
        statements += pg.added_columns_sql(names, op)
        statements += pgops.start_sql(op, names, types)
    for plan in _plans(state):
        statements += plan.start_sql(names.table(plan.table))
    for table, (old, new) in shapes.items():
        on = [op for op in migration.operations if table_of(op) == table]
        up = [a for op in on for a in shape.up_assignments(op)]
        down = [a for op in on for a in shape.down_assignments(op)]
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
    if any(shape.column_change(op) is not None for op in migration.operations):
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
        also=lambda c: insert(c, sorted(shapes)),
    )


def _concurrent(
    conn: Connection, migration: OnlineMigration, progress: Progress, *, rollback: bool
) -> None:
    names = pg.PgNames(migration.schema)
    shapes = {} if rollback else _shapes(conn, migration, names)
    for op in migration.operations:
        try:
            statements = (
                pgops.concurrent_rollback(op, names)
                if rollback
                else pgops.concurrent_start(op, names, shapes.get(table_of(op), ({}, {}))[1])
            )
        except OnlineOperationError as exc:
            raise OnlineOperationError(
                f"{migration.path}: {op.kind} on {table_of(op)}: {exc.message}"
            ) from None
        for sql in statements:
            name = shape.name_of(op)
            if not rollback and name and _invalid_index(conn, migration.schema, name):
                # A build killed half-way leaves an INVALID index: drop it, build again.
                conn.exec_driver_sql(f"DROP INDEX CONCURRENTLY IF EXISTS {names.table(name)}")
            progress.step(" ".join(sql.split())[:100])
            conn.execution_options(no_parameters=True).exec_driver_sql(sql)
            crash_point("after-index")


def _invalid_index(conn: Connection, schema: str, name: str) -> bool:
    return catalog.invalid_index(conn, schema, name)


def _backfill(run: Run, entry: Entry) -> bool:
    """Every backfill job in turn: per table, an UPDATE of its hidden columns from the up
    expressions; per copying operation (split_table), its copy into the other table."""
    conn, migration = run.conn, run.migration
    names = pg.PgNames(migration.schema)
    states = dict(entry.backfill)
    jobs: list[tuple[str, str, Backfill.Work]] = []
    for table in sorted(migration.tables):
        on = [op for op in migration.operations if table_of(op) == table]
        up = [a for op in on for a in shape.up_assignments(op)]
        if up:
            jobs.append((table, table, up))
        for op in on:
            copy = pgops.copy_sql(
                shape.resolve(op, preflight.column_types(conn, names, table)), names
            )
            if copy is not None:
                jobs.append((shape.copy_job(op), table, copy))
    for job, table, work in jobs:
        key = catalog.primary_key(conn, names.table(table))
        engine = Backfill(names.table(table), key, work, pg.KEY_SQL)
        finished = run_job(run, engine, job, states)
        if not finished:
            return False
    return True


def _expose(
    conn: Connection,
    migration: OnlineMigration,
    options: Options,
    progress: Progress,
    record: Record,
) -> None:
    """The new version's schema of views; committed with the phase change to active."""
    names = pg.PgNames(migration.schema)
    version = pg.version_schema(migration.schema, migration.name)
    shapes = _shapes(conn, migration, names)
    statements = [f"CREATE SCHEMA IF NOT EXISTS {quote(version)}"]
    views = {table_of(op): shape.view_name(op) for op in migration.operations}
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
        also=record,
    )


def _concurrent_complete(
    conn: Connection, migration: OnlineMigration, names: pg.PgNames, progress: Progress
) -> None:
    """What complete runs outside a transaction (DROP INDEX CONCURRENTLY): idempotent,
    so it runs again whenever complete is asked of a completed migration."""
    for op in migration.operations:
        for sql in pgops.concurrent_complete(op, names):
            progress.step(" ".join(sql.split())[:100])
            conn.execution_options(no_parameters=True).exec_driver_sql(sql)


def _verify(conn: Connection, migration: OnlineMigration) -> None:
    """Every row's old and new values agree, in the direction of its last writer (new =
    up(old) for rows the old version wrote, old = down(new) for rows the new one wrote),
    before anything is dropped; a mismatch stops complete with the count."""
    names = pg.PgNames(migration.schema)
    shapes = _shapes(conn, migration, names)
    for op in migration.operations:
        for old_col, up, new_col, down in shape.verify_pairs(op):
            table = names.table(table_of(op))
            types = dict(catalog.columns(conn, table))
            new_cols = shapes[table_of(op)][1]
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
                    f"{table_of(op)} have {old_col!r} and its new value out of step; nothing was "
                    "dropped (roll back, or fix the rows and complete again)"
                )
    for op, _ in _resolved(conn, migration):
        for what, sql in pgops.verify_sql(op, names):
            bad = conn.execution_options(no_parameters=True).exec_driver_sql(sql).scalar()
            if bad:
                raise MigrationFailed(
                    f"online complete {migration.name}: {bad} rows where {what}; nothing was "
                    "dropped (roll back, or fix the rows and complete again)"
                )
