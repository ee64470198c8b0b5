"""Online migrations on MySQL/MariaDB, start (``contract.py`` has complete and rollback;
``plan.py`` says which tables get a shadow and which change in place; ``sql.py`` writes
the SQL).

The new version is a database of its own, ``<database>_<migration>``: the shadows of the
changed tables (real tables in the final shape) and a view per other table. An
application chooses its version with the database it connects to. At complete one
``RENAME TABLE`` moves each shadow into the base database and, in the same atomic
statement, puts in its place a view over it, so the new version never sees a missing
table. MySQL DDL commits statement by statement, so every step here is idempotent and
checks what is already done: a command killed anywhere is simply run again.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from dbshift import ops
from dbshift.errors import UsageError
from dbshift.online import journal, shape
from dbshift.online.backfill import Backfill
from dbshift.online.journal import Phase
from dbshift.online.mysql import ddl, foreign_keys, split
from dbshift.online.mysql import sql as my
from dbshift.online.mysql.plan import TablePlan, foreign_key_sql
from dbshift.online.mysql.state import (
    CATALOG,
    State,
    kind,
    load,
    make_plans,
    no_orphans,
    online_ddl,
    read_catalog,
    read_columns,
    renamed,
)
from dbshift.online.phases import (
    Options,
    Progress,
    Record,
    Run,
    crash_point,
    entry_migration,
    run_job,
)
from dbshift.online.shape import table_of
from dbshift.online.spec import OnlineMigration
from dbshift.runner.table_names import ONLINE_JOURNAL_META_TABLE, ONLINE_JOURNAL_TABLE

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection


def _check_shadowable(
    conn: Connection,
    migration: OnlineMigration,
    plan: TablePlan,
    plans: dict[str, TablePlan],
    catalog: dict[str, Any],
) -> None:
    where = {"schema": migration.schema, "table": plan.table}
    if not plan.key:
        raise UsageError(
            f"{migration.path}: {plan.table!r} has no primary key: changes that copy the "
            "table copy it in key order (add a primary key first)"
        )
    shadowed = {t for t, p in plans.items() if p.shadow}
    foreign_keys.check(plan, catalog[plan.table], f"{migration.path}: {plan.table!r}", shadowed)
    triggers = conn.exec_driver_sql(my.USER_TRIGGERS_SQL, where).all()
    if triggers:
        raise UsageError(
            f"{migration.path}: {plan.table!r} has trigger {triggers[0][0]!r}; changes that "
            "copy the table would leave it on the old copy: drop it first"
        )


_INDEX_NAMED_SQL = (
    "SELECT 1 FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = %(schema)s "
    "AND TABLE_NAME = %(table)s AND INDEX_NAME = %(name)s LIMIT 1"
)
_CONSTRAINT_NAMED_SQL = (
    "SELECT 1 FROM information_schema.TABLE_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = %(schema)s "
    "AND TABLE_NAME = %(table)s AND CONSTRAINT_NAME = %(name)s LIMIT 1"
)


def _refuse_taken_names(conn: Connection, migration: OnlineMigration) -> None:
    """An index or constraint an operation creates must not exist yet: the in-place
    statement's "already exists" counts as done on a resumed run, so a name taken by the
    user's own index would be silently skipped, and rollback would then drop it."""
    for i, op in enumerate(migration.operations):
        name = shape.name_of(op)
        if isinstance(op, ops.DropIndex) or not name:
            continue
        where = {"schema": migration.schema, "table": table_of(op), "name": name}
        taken = (
            conn.exec_driver_sql(_INDEX_NAMED_SQL, where).first()
            or conn.exec_driver_sql(_CONSTRAINT_NAMED_SQL, where).first()
        )
        if taken is not None:
            raise UsageError(
                f"{migration.path}: operations[{i}] ({op.kind}): an index or constraint "
                f"named {name!r} already exists on {table_of(op)!r}: choose another name; "
                "nothing was changed"
            )


def _check_expressions(conn: Connection, migration: OnlineMigration) -> None:
    """``default`` and ``up`` prepared by the server before anything changes (``SELECT
    … LIMIT 0`` over the table reads no row), so an unquoted word such as ``default =
    "basic"`` is refused with the server's message instead of failing half-way through
    start."""
    from sqlalchemy.exc import DBAPIError

    from dbshift.connection import first_line

    raw = conn.execution_options(no_parameters=True)
    for i, op in enumerate(migration.operations):
        if shape.changed_column(op) is None:
            continue
        table = f"{my.q(migration.schema)}.{my.q(table_of(op))}"
        default = shape.default(op)
        probes = [("default", f"SELECT ({default}) LIMIT 0")] if default else []
        up = shape.up_of(op)
        if up:
            probes.append(("up", f"SELECT ({up}) FROM {table} LIMIT 0"))
        for key, sql in probes:
            try:
                raw.exec_driver_sql(sql).all()
            except DBAPIError as exc:
                reason = first_line(str(exc.orig if exc.orig is not None else exc))
                raise UsageError(
                    f"{migration.path}: operations[{i}] ({op.kind}): {key} is not a valid SQL "
                    f"expression here: {reason}; nothing was changed"
                ) from None


def prepare(conn: Connection, migration: OnlineMigration) -> dict[str, Any]:
    """Start's checks, before anything changes; the catalog as start found it is what
    every later step plans from (in-place changes alter the tables meanwhile)."""
    catalog = read_catalog(conn, migration)
    plans = make_plans(migration, catalog)
    _refuse_taken_names(conn, migration)
    _check_expressions(conn, migration)
    for plan in plans.values():
        if plan.shadow:
            _check_shadowable(conn, migration, plan, plans, catalog)
        split.check(plan, str(migration.path))
        for op in split.splits(plan.ops):
            if kind(conn, migration.schema, op.new_table) is not None:
                raise UsageError(
                    f"{migration.path}: split_table: {op.new_table!r} already exists in "
                    f"database {migration.schema!r}"
                )
        if plan.view != plan.table and kind(conn, migration.schema, plan.view) is not None:
            raise UsageError(
                f"{migration.path}: rename_table: {plan.view!r} already exists in "
                f"database {migration.schema!r}"
            )
    return {CATALOG: catalog}


def expand(run: Run) -> None:
    """The version database, the shadows and their triggers, in-place DDL, raw SQL
    (each step once: a resumed run skips what is done)."""
    _expand(load(run.conn, run.migration), run.options, run.progress)


def copy(run: Run) -> bool:
    """The chunked copy of every shadowed table; False if paused."""
    return _copy(run, load(run.conn, run.migration))


def expose(run: Run, record: Record) -> None:
    _expose(load(run.conn, run.migration), run.options, run.progress, record)


def _expand(state: State, options: Options, progress: Progress) -> None:
    """The version database, the shadows and their triggers, in-place DDL, raw SQL."""
    if state.done("expand"):
        return
    conn, names, m = state.conn, state.names, state.migration
    charset = conn.exec_driver_sql(
        "SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM "
        "information_schema.SCHEMATA WHERE SCHEMA_NAME = %(s)s",
        {"s": m.schema},
    ).one()
    conn.exec_driver_sql(
        f"CREATE DATABASE IF NOT EXISTS {my.q(names.version)} "
        f"CHARACTER SET {my.literal(charset[0])} COLLATE {my.literal(charset[1])}"
    )
    for plan in state.plans.values():
        if plan.shadow:
            _build_shadow(state, plan, options, progress)
    for i, op in enumerate(m.operations):
        step = f"raw:{i}"
        if isinstance(op, ops.RawSQL) and not state.done(step):
            progress.step(f"raw_sql on {table_of(op)}")
            ddl.run(conn, op.up, policy=options.lock, what=f"online start {m.name} (raw_sql)")
            state.mark(step)
    for plan in state.plans.values():
        table = names.table(plan.table)
        if not plan.shadow:
            for sql in plan.start_statements(table):
                progress.step(" ".join(sql.split())[:100])
                online_ddl(conn, sql, options, f"online start {m.name}")
        for op in plan.ops:
            if isinstance(op, ops.AddForeignKey):
                _add_foreign_key(state, op, options)
        for op in split.splits(plan.ops):
            progress.step(f"split_table: {op.new_table} from {shape.table_of(op)}")
            split.start(conn, plan, op, names, m.name, options.lock)
    state.mark("expand")


def _build_shadow(state: State, plan: TablePlan, options: Options, progress: Progress) -> None:
    conn, names, m = state.conn, state.names, state.migration
    shadow = names.in_version(plan.view)
    if kind(conn, names.version, plan.view) != "BASE TABLE":
        build = names.in_version(my.build_name(plan.table))
        progress.step(f"shadow {shadow}: {len(plan.shadow_alter())} changes")
        my.plain(conn).exec_driver_sql(f"DROP TABLE IF EXISTS {build}")
        my.plain(conn).exec_driver_sql(f"CREATE TABLE {build} LIKE {names.table(plan.table)}")
        alter = plan.shadow_alter()
        if alter:
            conn.execution_options(no_parameters=True).exec_driver_sql(
                f"ALTER TABLE {build} {', '.join(alter)}"
            )
        info = state.data[CATALOG][plan.table]
        what = f"online start {m.name} (foreign keys)"
        foreign_keys.add_to_shadow(
            conn, plan, info, (names.version, my.build_name(plan.table)), options.lock, what
        )
        my.plain(conn).exec_driver_sql(f"RENAME TABLE {build} TO {shadow}")
        crash_point("after-shadow")
    # The old table's triggers: from now on every write to it reaches the shadow, and the
    # copy can start. The shadow's own triggers (the new version's writes flowing back) go
    # in when the new version goes live: until then only the copy and these triggers write
    # to it, and a trigger on every copied row doubled the copy's time (measured).
    forth = my.sync_triggers(
        migration=m.name,
        source_schema=m.schema,
        source_table=plan.table,
        source_columns=list(plan.columns),
        target=shadow,
        key=[renamed(plan, k) for k in plan.key],
        source_key=plan.key,
        exprs=plan.up_exprs(),
        ensure=True,
    )
    _create_triggers(state, m.schema, forth, options)
    crash_point("after-triggers")


def _back_triggers(state: State, plan: TablePlan, options: Options) -> None:
    """The shadow's triggers: the new version's writes flow back to the old table."""
    names = state.names
    back = my.sync_triggers(
        migration=state.migration.name,
        source_schema=names.version,
        source_table=plan.view,
        source_columns=list(plan.new),
        target=names.table(plan.table),
        key=plan.key,
        source_key=[renamed(plan, k) for k in plan.key],
        exprs=plan.down_exprs(),
        auto=renamed(plan, plan.auto) if plan.auto else None,
    )
    _create_triggers(state, names.version, back, options)


def _create_triggers(
    state: State, schema: str, triggers: list[tuple[str, str]], options: Options
) -> None:
    """Those of ``triggers`` not there yet (a resumed run made the others)."""
    rows = state.conn.exec_driver_sql(my.TRIGGER_NAMES_SQL, {"schema": schema}).all()
    present = {str(r[0]) for r in rows}
    for name, sql in triggers:
        if name not in present:
            what = f"online start {state.migration.name} (triggers)"
            ddl.run(state.conn, sql, policy=options.lock, what=what)


def _add_foreign_key(state: State, op: ops.AddForeignKey, options: Options) -> None:
    """MySQL adds a foreign key without a table copy only with foreign_key_checks off,
    which skips checking the rows: dbshift checks them itself, before and after."""
    conn, names = state.conn, state.names
    table, parent = names.table(table_of(op)), names.table(op.constraint.ref_table)
    exists = conn.exec_driver_sql(
        "SELECT 1 FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE "
        "CONSTRAINT_SCHEMA = %(s)s AND CONSTRAINT_NAME = %(n)s",
        {"s": state.migration.schema, "n": op.constraint.name},
    ).first()
    if exists is None:
        no_orphans(state, op)
        conn.exec_driver_sql("SET SESSION foreign_key_checks = 0")
        try:
            online_ddl(conn, foreign_key_sql(op, table, parent), options, "add_foreign_key")
        finally:
            conn.exec_driver_sql("SET SESSION foreign_key_checks = 1")
    no_orphans(state, op)


def _copy(run: Run, state: State) -> bool:
    """The chunked copy of every shadowed table, checkpointed in the journal."""
    conn, names, m = state.conn, state.names, state.migration
    options, progress = run.options, run.progress
    mode = conn.exec_driver_sql("SELECT @@innodb_autoinc_lock_mode").scalar()
    auto = any(plan.shadow and plan.auto for plan in state.plans.values())
    # INSERT ... SELECT holds the shadow's table-level AUTO-INC lock for the whole chunk
    # in this mode, and every insert the triggers make waits for it: shorter chunks bound
    # that wait (measured: p99 97 ms at 100 ms chunks, 27 ms at 25 ms).
    if options.backfill.target_seconds is None and str(mode) == "1" and auto:
        progress.step(
            "innodb_autoinc_lock_mode=1: inserts wait for each copy chunk, so chunks "
            "aim at 25 ms (--target-ms to choose; mode 2 avoids the wait)"
        )
        options = replace(options, backfill=replace(options.backfill, target_seconds=0.025))
        run = replace(run, options=options)
    for plan in state.plans.values():
        key = [(k[0], k[1]) for k in state.data[CATALOG][plan.table]["key"]]
        source, where = names.table(plan.table), {"schema": m.schema, "table": plan.table}
        lock = my.copy_lock_sql(m.schema, source, [k for k, _ in key])
        for sql in my.copy_keys_sql(m.schema, source, key):
            my.plain(conn).exec_driver_sql(sql)
        for op in split.splits(plan.ops):
            copy = split.copy_sql(op, names, [k for k, _ in key])
            job = Backfill(source, key, copy, my.KEY_SQL, where, lock)
            if not run_job(run, job, shape.copy_job(op), state.data):
                return False
        if not plan.shadow:
            continue
        up = plan.up_exprs()
        work = my.copy_sql(m.schema, source, names.in_version(plan.view), plan.key, up)
        if not run_job(
            run, Backfill(source, key, work, my.KEY_SQL, where, lock), plan.table, state.data
        ):
            return False
    return True


def _base_tables(conn: Connection, schema: str) -> list[str]:
    rows = conn.exec_driver_sql(my.TABLES_SQL, {"schema": schema}).all()
    return [
        str(r[0])
        for r in rows
        if str(r[0]) not in (ONLINE_JOURNAL_TABLE, ONLINE_JOURNAL_META_TABLE)
        and not str(r[0]).startswith("_dbshift_")
    ]


def _expose(state: State, options: Options, progress: Progress, record: Record) -> None:
    """A view in the version database for every table without a shadow, in the new
    version's shape and name; then both versions are live."""
    conn, names, m = state.conn, state.names, state.migration
    for shadowed in state.plans.values():
        if shadowed.shadow:
            _back_triggers(state, shadowed, options)
    for table in _base_tables(conn, m.schema):
        plan = state.plans.get(table)
        if plan is not None and plan.shadow:
            continue
        if plan is None:
            columns = {c: c for c in read_columns(conn, m.schema, table)}
            view = table
        else:
            columns = {n: n for n in plan.new}
            view = plan.view
        my.plain(conn).exec_driver_sql(
            my.view_sql(names.in_version(view), names.table(table), columns)
        )
    progress.step(f"new version: connect to database {names.version}")
    record(conn)


def expose_new_tables(run: Run) -> list[str]:
    """The version database brought up to date with the base database (``refresh``); run
    by complete before the cut-over and after it, so the version database that complete
    leaves for the instances still pointed at it has every table; the tables it made."""
    return refresh(run.conn, run.migration, run.progress)[0]


_VERSION_VIEWS_SQL = """
SELECT TABLE_NAME FROM information_schema.TABLES
WHERE TABLE_SCHEMA = %(schema)s AND TABLE_TYPE = 'VIEW'
"""


def refresh(
    conn: Connection, migration: OnlineMigration, progress: Progress
) -> tuple[list[str], list[str]]:
    """Tables created in the base database after start (by a regular migration, say) get
    their view in the version database, which otherwise would not have them (MySQL has no
    search path to fall back on, as PostgreSQL's new version has); a view whose table has
    gone since goes too, and one whose table's columns changed is made again. Tables the
    migration changes are left alone (their shadow or view is its own). The views made or
    remade, and the views dropped."""
    state = load(conn, migration)
    names, schema = state.names, migration.schema
    exists = conn.exec_driver_sql(
        "SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = %(s)s",
        {"s": names.version},
    ).first()
    if exists is None:
        return [], []
    planned = {t for p in state.plans.values() for t in (p.table, p.view)}
    rows = conn.exec_driver_sql(_VERSION_VIEWS_SQL, {"schema": names.version}).all()
    views = {str(r[0]) for r in rows}
    base = _base_tables(conn, schema)
    made: list[str] = []
    for table in base:
        if table in planned:
            continue
        columns = list(read_columns(conn, schema, table))
        if table in views and list(read_columns(conn, names.version, table)) == columns:
            continue
        if table not in views and kind(conn, names.version, table) is not None:
            continue  # a table of the user's own in the version database: not ours to replace
        my.plain(conn).exec_driver_sql(
            my.view_sql(names.in_version(table), names.table(table), {c: c for c in columns})
        )
        progress.step(f"new version: view of {table}")
        made.append(table)
    dropped: list[str] = []
    # (Not dbshift's own: complete prepares the swapped-in view under a temporary name.)
    gone = {v for v in views - planned - set(base) if not v.startswith("_dbshift_")}
    for view in sorted(gone):
        my.plain(conn).exec_driver_sql(f"DROP VIEW IF EXISTS {names.in_version(view)}")
        progress.step(f"new version: view of {view} dropped (its table is gone)")
        dropped.append(view)
    return made, dropped


def refresh_active(conn: Connection, schema: str, progress: Progress) -> list[str]:
    """``refresh`` for every online migration of ``schema`` whose new version is live;
    one line per view made or dropped. Nothing (no journal table made) in a database that
    never ran an online migration."""
    if kind(conn, schema, ONLINE_JOURNAL_TABLE) is None:
        return []
    out = []
    for entry in journal.all_entries(conn, schema):
        if entry.phase is not Phase.ACTIVE:
            continue
        migration = entry_migration(conn, schema, entry.name)[1]
        made, dropped = refresh(conn, migration, progress)
        out += [f"{entry.version_schema}: view of {t} made" for t in made]
        out += [f"{entry.version_schema}: view of {t} dropped" for t in dropped]
    return out
