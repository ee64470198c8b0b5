"""Online migrations on MySQL/MariaDB: start, complete, rollback (``plan.py`` says which
tables get a shadow and which change in place; ``sql.py`` writes the SQL).

The new version is a database of its own, ``<database>_<migration>``: the shadows of the
changed tables (real tables in the final shape) and a view per other table. An
application chooses its version with the database it connects to. At complete one
``RENAME TABLE`` moves each shadow into the base database and, in the same atomic
statement, puts in its place a view over it, so the new version never sees a missing
table. MySQL DDL commits statement by statement, so every step here is idempotent and
checks what is already done: a command killed anywhere is simply run again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from dbshift.errors import MigrationFailed, UsageError
from dbshift.online import journal
from dbshift.online.backfill import Backfill, TableBackfill
from dbshift.online.common import (
    Options,
    Progress,
    check_safety_period,
    crash_point,
    entry_migration,
    refuse_overlap,
    refuse_unless_active,
)
from dbshift.online.journal import Entry, Phase
from dbshift.online.mysql import ddl
from dbshift.online.mysql import sql as my
from dbshift.online.mysql.plan import Column, TablePlan, foreign_key_sql, orphans_sql, plan_table
from dbshift.online.operations.add_foreign_key import AddForeignKey
from dbshift.online.operations.raw_sql import RawSQL
from dbshift.online.spec import OnlineMigration

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

from dbshift.config import ONLINE_JOURNAL_TABLE

#: Journal keys beside the backfill jobs: the catalog as start found it (plans are made
#: from it on every later run, when in-place changes have altered the tables) and the
#: steps done.
_CATALOG = "_dbshift_catalog"
_DONE = "_dbshift_done"
#: ER_DUP_FIELDNAME, ER_DUP_KEYNAME, ER_FK_DUP_NAME / ER_DUP_CONSTRAINT_NAME.
_EXISTS = frozenset({1060, 1061, 1826, 1822})
#: ER_CANT_DROP_FIELD_OR_KEY, ER_BAD_FIELD_ERROR.
_GONE = frozenset({1091, 1054})


@dataclass
class _State:
    conn: Connection
    migration: OnlineMigration
    names: my.MyNames
    plans: dict[str, TablePlan]
    data: dict[str, Any]

    def save(self) -> None:
        journal.save_backfill(self.conn, self.migration.schema, self.migration.name, self.data)

    def done(self, step: str) -> bool:
        return step in self.data.get(_DONE, [])

    def mark(self, step: str) -> None:
        self.data.setdefault(_DONE, []).append(step)
        self.save()


def _columns(conn: Connection, schema: str, table: str) -> dict[str, Column]:
    rows = conn.exec_driver_sql(my.COLUMNS_SQL, {"schema": schema, "table": table}).all()
    return {
        str(r[0]): Column(str(r[0]), str(r[1]), r[2] == "YES", _default(r[3]), str(r[4] or ""))
        for r in rows
    }


def _default(raw: Any) -> str | None:
    """information_schema's COLUMN_DEFAULT as SQL (MariaDB >= 10.2.7 gives it quoted, and
    the string ``NULL`` for a NULL default)."""
    if raw is None or raw == "NULL":
        return None
    return str(raw)


def _kind(conn: Connection, schema: str, table: str) -> str | None:
    found = conn.exec_driver_sql(my.TABLE_KIND_SQL, {"schema": schema, "table": table}).scalar()
    return str(found) if found else None


def _catalog(conn: Connection, migration: OnlineMigration) -> dict[str, Any]:
    """What start needs to know of each table, read once, before anything changes."""
    out: dict[str, Any] = {}
    for table in sorted({op.table for op in migration.operations if not isinstance(op, RawSQL)}):
        columns = _columns(conn, migration.schema, table)
        if not columns:
            raise MigrationFailed(f"table {migration.schema}.{table} does not exist")
        key = conn.exec_driver_sql(
            my.KEY_SQL_COLUMNS, {"schema": migration.schema, "table": table}
        ).all()
        out[table] = {
            "columns": [[c.name, c.type, c.nullable, c.default, c.extra] for c in columns.values()],
            "key": [[str(r[0]), str(r[1])] for r in key],
            "auto": next((str(r[0]) for r in key if "auto_increment" in str(r[2])), None),
        }
    return out


def _plans(migration: OnlineMigration, catalog: dict[str, Any]) -> dict[str, TablePlan]:
    plans = {}
    for table, info in catalog.items():
        columns = {c[0]: Column(c[0], c[1], bool(c[2]), c[3], c[4]) for c in info["columns"]}
        ops = [op for op in migration.operations if op.table == table]
        try:
            plans[table] = plan_table(
                table, ops, columns, [k[0] for k in info["key"]], info["auto"]
            )
        except UsageError as exc:
            raise UsageError(f"{migration.path}: {exc}") from None
    return plans


def _check_shadowable(conn: Connection, migration: OnlineMigration, plan: TablePlan) -> None:
    where = {"schema": migration.schema, "table": plan.table}
    if not plan.key:
        raise UsageError(
            f"{migration.path}: {plan.table!r} has no primary key: changes that copy the "
            "table copy it in key order (add a primary key first)"
        )
    fks = conn.exec_driver_sql(my.FOREIGN_KEYS_SQL, where).all()
    if fks:
        raise UsageError(
            f"{migration.path}: {plan.table!r} has foreign key {fks[0][0]!r} "
            f"({fks[0][1]} -> {fks[0][2]}); changes that copy the table cannot keep foreign "
            "keys pointing at the right copy yet: drop it first, or use a regular migration"
        )
    triggers = conn.exec_driver_sql(my.USER_TRIGGERS_SQL, where).all()
    if triggers:
        raise UsageError(
            f"{migration.path}: {plan.table!r} has trigger {triggers[0][0]!r}; changes that "
            "copy the table would leave it on the old copy: drop it first"
        )


def _load(conn: Connection, migration: OnlineMigration) -> _State:
    entry = journal.get(conn, migration.schema, migration.name)
    assert entry is not None
    names = my.MyNames(migration.schema, version=entry.version_schema)
    data = dict(entry.backfill)
    return _State(conn, migration, names, _plans(migration, data[_CATALOG]), data)


# --- start --------------------------------------------------------------------------------
def start(
    conn: Connection,
    migration: OnlineMigration,
    spec: str,
    options: Options,
    progress: Progress,
    wait: float,
) -> Entry:
    schema = migration.schema
    journal.ensure(conn, schema)
    with ddl.runner_lock(conn, schema, wait):
        entry = journal.get(conn, schema, migration.name)
        if entry is not None and entry.phase is Phase.ROLLED_BACK:
            journal.forget(conn, schema, migration.name)
            entry = None
        if entry is None:
            refuse_overlap(conn, migration)
            catalog = _catalog(conn, migration)
            plans = _plans(migration, catalog)
            for plan in plans.values():
                if plan.shadow:
                    _check_shadowable(conn, migration, plan)
                if plan.view != plan.table and _kind(conn, schema, plan.view) is not None:
                    raise UsageError(
                        f"{migration.path}: rename_table: {plan.view!r} already exists in "
                        f"database {schema!r}"
                    )
            period = migration.safety_period
            journal.insert(
                conn,
                schema,
                name=migration.name,
                version_schema=my.version_database(schema, migration.name),
                tables=sorted(migration.tables),
                spec=spec,
                safety_period=options.safety_period if period is None else period,
            )
            journal.save_backfill(conn, schema, migration.name, {_CATALOG: catalog})
        elif entry.spec != spec:
            raise UsageError(
                f"{migration.path}: changed since 'online start' ran; roll back to change it"
            )
        entry = journal.get(conn, schema, migration.name)
        assert entry is not None
        if not entry.phase.in_flight:
            raise UsageError(f"online migration {migration.name} is already {entry.phase}")
        journal.set_paused(conn, schema, migration.name, paused=False)
        if entry.phase is Phase.EXPANDING:
            state = _load(conn, migration)
            _expand(state, options, progress)
            if not _copy(state, options, progress):
                progress.step("paused: run 'dbshift online start' again to resume")
            else:
                _expose(state, options, progress)
        return _reload(conn, migration)


def _reload(conn: Connection, migration: OnlineMigration) -> Entry:
    entry = journal.get(conn, migration.schema, migration.name)
    assert entry is not None
    return entry


def _expand(state: _State, options: Options, progress: Progress) -> None:
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
        f"CHARACTER SET {charset[0]} COLLATE {charset[1]}"
    )
    for plan in state.plans.values():
        if plan.shadow:
            _build_shadow(state, plan, options, progress)
    for i, op in enumerate(m.operations):
        step = f"raw:{i}"
        if isinstance(op, RawSQL) and not state.done(step):
            progress.step(f"raw_sql on {op.table}")
            ddl.run(conn, op.up, policy=options.lock, what=f"online start {m.name} (raw_sql)")
            state.mark(step)
    for plan in state.plans.values():
        table = names.table(plan.table)
        if not plan.shadow:
            for sql in plan.start_statements(table):
                progress.step(" ".join(sql.split())[:100])
                _online_ddl(conn, sql, options, f"online start {m.name}")
        for op in plan.ops:
            if isinstance(op, AddForeignKey):
                _add_foreign_key(state, op, options)
    state.mark("expand")
    crash_point("after-expand")


def _online_ddl(conn: Connection, sql: str, options: Options, what: str) -> None:
    """An in-place statement; "already there" means a resumed run did it before."""
    try:
        ddl.run(conn, sql, policy=options.lock, what=what, ignore=_EXISTS | _GONE)
    except Exception as exc:
        if my.errno(exc) in (1845, 1846):  # the server cannot do it with that algorithm
            raise MigrationFailed(
                f"{what}: the server cannot run {' '.join(sql.split())[:80]!r} online "
                f"({my.errno(exc)}); use a change that copies the table (e.g. alter_column)"
            ) from None
        raise


def _build_shadow(state: _State, plan: TablePlan, options: Options, progress: Progress) -> None:
    conn, names, m = state.conn, state.names, state.migration
    shadow = names.in_version(plan.view)
    if _kind(conn, names.version, plan.view) != "BASE TABLE":
        build = names.in_version(my.build_name(plan.table))
        progress.step(f"shadow {shadow}: {len(plan.shadow_alter())} changes")
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {build}")
        conn.exec_driver_sql(f"CREATE TABLE {build} LIKE {names.table(plan.table)}")
        alter = plan.shadow_alter()
        if alter:
            conn.execution_options(no_parameters=True).exec_driver_sql(
                f"ALTER TABLE {build} {', '.join(alter)}"
            )
        conn.exec_driver_sql(f"RENAME TABLE {build} TO {shadow}")
        crash_point("after-shadow")
    # Writes of the new version flow back first, then the old table's triggers go in: from
    # then on every write to the old table reaches the shadow, and the copy can start.
    back = my.sync_triggers(
        migration=m.name,
        source_schema=names.version,
        source_table=plan.view,
        source_columns=list(plan.new),
        target=names.table(plan.table),
        key=plan.key,
        source_key=[_renamed(plan, k) for k in plan.key],
        exprs=plan.down_exprs(),
        auto=_renamed(plan, plan.auto) if plan.auto else None,
    )
    forth = my.sync_triggers(
        migration=m.name,
        source_schema=m.schema,
        source_table=plan.table,
        source_columns=list(plan.columns),
        target=shadow,
        key=[_renamed(plan, k) for k in plan.key],
        source_key=plan.key,
        exprs=plan.up_exprs(),
        ensure=True,
    )
    for schema, triggers in ((names.version, back), (m.schema, forth)):
        rows = conn.exec_driver_sql(my.TRIGGER_NAMES_SQL, {"schema": schema}).all()
        present = {str(r[0]) for r in rows}
        for name, sql in triggers:
            if name not in present:
                what = f"online start {m.name} (triggers)"
                ddl.run(conn, sql, policy=options.lock, what=what)
    crash_point("after-triggers")


def _renamed(plan: TablePlan, column: str) -> str:
    """The new version's name of an old column."""
    for name, source in plan.new.items():
        if source == column:
            return name
    raise UsageError(f"{plan.table!r}: key column {column!r} cannot be dropped online")


def _add_foreign_key(state: _State, op: AddForeignKey, options: Options) -> None:
    """MySQL adds a foreign key without a table copy only with foreign_key_checks off,
    which skips checking the rows: dbshift checks them itself, before and after."""
    conn, names = state.conn, state.names
    table, parent = names.table(op.table), names.table(op.references)
    exists = conn.exec_driver_sql(
        "SELECT 1 FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE "
        "CONSTRAINT_SCHEMA = %(s)s AND CONSTRAINT_NAME = %(n)s",
        {"s": state.migration.schema, "n": op.name},
    ).first()
    if exists is None:
        _no_orphans(state, op)
        conn.exec_driver_sql("SET SESSION foreign_key_checks = 0")
        try:
            _online_ddl(conn, foreign_key_sql(op, table, parent), options, "add_foreign_key")
        finally:
            conn.exec_driver_sql("SET SESSION foreign_key_checks = 1")
    _no_orphans(state, op)


def _no_orphans(state: _State, op: AddForeignKey) -> None:
    names = state.names
    sql = orphans_sql(op, names.table(op.table), names.table(op.references))
    bad = state.conn.execution_options(no_parameters=True).exec_driver_sql(sql).scalar()
    if bad:
        raise MigrationFailed(
            f"online {state.migration.name}: {bad} rows of {op.table} have no match in "
            f"{op.references} for foreign key {op.name!r}; fix them, then run the command "
            "again (or roll back)"
        )


def _copy(state: _State, options: Options, progress: Progress) -> bool:
    """The chunked copy of every shadowed table, checkpointed in the journal."""
    conn, names, m = state.conn, state.names, state.migration
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
    for plan in state.plans.values():
        if not plan.shadow:
            continue
        job = plan.table
        up = plan.up_exprs()
        work = my.copy_sql(names.table(plan.table), names.in_version(plan.view), plan.key, up)
        key = [(k[0], k[1]) for k in state.data[_CATALOG][plan.table]["key"]]
        engine = Backfill(
            names.table(plan.table),
            key,
            work,
            my.KEY_SQL,
            {"schema": m.schema, "table": plan.table},
        )
        backfill = TableBackfill.from_dict(state.data.get(job, {}))

        def save(c: Connection, s: TableBackfill, job: str = job) -> None:
            state.data[job] = s.as_dict()
            state.save()
            if s.batches == 2:
                crash_point("in-backfill")

        def paused(c: Connection) -> bool:
            return journal.is_paused(c, m.schema, m.name)

        def report(s: TableBackfill, job: str = job) -> None:
            progress.backfill(job, s)

        if not engine.run(
            conn, backfill, options.backfill, save=save, paused=paused, progress=report
        ):
            return False
    return True


def _base_tables(conn: Connection, schema: str) -> list[str]:
    rows = conn.exec_driver_sql(my.TABLES_SQL, {"schema": schema}).all()
    return [
        str(r[0])
        for r in rows
        if str(r[0]) != ONLINE_JOURNAL_TABLE and not str(r[0]).startswith("_dbshift_")
    ]


def _expose(state: _State, options: Options, progress: Progress) -> None:
    """A view in the version database for every table without a shadow, in the new
    version's shape and name; then both versions are live."""
    conn, names, m = state.conn, state.names, state.migration
    for table in _base_tables(conn, m.schema):
        plan = state.plans.get(table)
        if plan is not None and plan.shadow:
            continue
        if plan is None:
            columns = {c: c for c in _columns(conn, m.schema, table)}
            view = table
        else:
            columns = {n: n for n in plan.new}
            view = plan.view
        conn.exec_driver_sql(my.view_sql(names.in_version(view), names.table(table), columns))
    progress.step(f"new version: connect to database {names.version}")
    journal.set_phase(conn, m.schema, m.name, Phase.ACTIVE)
    crash_point("after-views")


# --- complete -----------------------------------------------------------------------------
def complete(
    conn: Connection,
    name: str,
    schema: str,
    options: Options,
    progress: Progress,
    *,
    force: bool,
    wait: float,
) -> Entry:
    journal.ensure(conn, schema)
    with ddl.runner_lock(conn, schema, wait):
        entry, migration = entry_migration(conn, schema, name)
        if entry.phase is Phase.COMPLETED:
            _cleanup(_load(conn, migration), progress)
            return entry
        refuse_unless_active(entry)
        check_safety_period(entry, force=force)
        state = _load(conn, migration)
        if not state.done("verified"):
            for plan in state.plans.values():
                if plan.shadow:
                    _verify(state, plan, progress)
                for op in plan.ops:
                    if isinstance(op, AddForeignKey):
                        _no_orphans(state, op)
            state.mark("verified")
        crash_point("after-validate")
        for plan in state.plans.values():
            _contract(state, plan, options, progress)
        journal.set_phase(conn, schema, name, Phase.COMPLETED)
        crash_point("after-contract")
        _cleanup(state, progress)
        return _reload(conn, migration)


def _verify(state: _State, plan: TablePlan, progress: Progress) -> None:
    """Every row is in both tables and agrees in the direction of its last writer (new =
    up(old) for the old version's rows, old = down(new) for the new version's); checked
    in key ranges of 50,000 rows, each two range scans joined on the key."""
    conn, names, m = state.conn, state.names, state.migration
    old, new = names.table(plan.table), names.in_version(plan.view)
    typed = [(k[0], k[1]) for k in state.data[_CATALOG][plan.table]["key"]]
    new_key = [_renamed(plan, k) for k, _ in typed]
    where = {"schema": m.schema, "table": plan.table}
    old_keys = Backfill(old, typed, "", my.KEY_SQL, where)
    new_keys = Backfill(
        new, [(nk, t) for nk, (_, t) in zip(new_key, typed, strict=True)], "", my.KEY_SQL, where
    )
    up, down = plan.up_exprs(), plan.down_exprs()
    u = [f"k.{my.q(k)} AS {my.q(f'_k{i}')}" for i, (k, _) in enumerate(typed)]
    u += [f"({e}) AS {my.q('_u_' + c)}" for c, e in up.items()]
    u += [f"k.{my.q(c)} AS {my.q('_o_' + c)}" for c in down]
    d = [f"k.{my.q(k)} AS {my.q(f'_k{i}')}" for i, k in enumerate(new_key)]
    d += [f"({e}) AS {my.q('_d_' + c)}" for c, e in down.items()]
    d += [f"k.{my.q(c)} AS {my.q('_n_' + c)}" for c in up]
    on = " AND ".join(f"u.{my.q(f'_k{i}')} = d.{my.q(f'_k{i}')}" for i in range(len(typed)))
    up_ok = " AND ".join(f"d.{my.q('_n_' + c)} <=> u.{my.q('_u_' + c)}" for c in up) or "TRUE"
    down_ok = " AND ".join(f"u.{my.q('_o_' + c)} <=> d.{my.q('_d_' + c)}" for c in down) or "TRUE"
    missing = bad = checked = 0
    for last, end in old_keys.ranges(conn, 50_000):
        old_range, params = old_keys.condition(last, end)
        new_range, _ = new_keys.condition(last, end)
        sql = (
            f"SELECT (SELECT count(*) FROM {old} AS k WHERE {old_range}), "
            f"(SELECT count(*) FROM {new} AS k WHERE {new_range}), count(*), "
            f"coalesce(sum(NOT (({up_ok}) OR ({down_ok}))), 0) "
            f"FROM (SELECT {', '.join(u)} FROM {old} AS k WHERE {old_range}) AS u "
            f"JOIN (SELECT {', '.join(d)} FROM {new} AS k WHERE {new_range}) AS d ON {on}"
        )
        # '%' in expressions and names survives the driver's parameter pass doubled.
        sql = re.sub(r"%(?!\([le]\d+\)s)", "%%", sql)
        in_old, in_new, joined, wrong = conn.exec_driver_sql(sql, params).one()
        missing += int(in_old) + int(in_new) - 2 * int(joined)
        bad += int(wrong)
        checked += int(joined)
    progress.step(f"verified {checked} rows of {plan.table}")
    if missing:
        raise MigrationFailed(
            f"online complete {m.name}: {missing} rows of {plan.table} missing from the old or "
            "the new table; nothing was changed (roll back, or fix the rows and complete again)"
        )
    if bad:
        raise MigrationFailed(
            f"online complete {m.name}: {bad} rows of {plan.table} have old and new values "
            "out of step; nothing was changed (roll back, or fix the rows and complete again)"
        )


def _contract(state: _State, plan: TablePlan, options: Options, progress: Progress) -> None:
    """In-place drops, then the atomic swap of the table (shadow) or its name."""
    conn, names, m = state.conn, state.names, state.migration
    what = f"online complete {m.name}"
    table = names.table(plan.table)
    if not plan.shadow:
        for sql in plan.complete_statements(table):
            progress.step(" ".join(sql.split())[:100])
            _online_ddl(conn, sql, options, what)
        if plan.view == plan.table or _kind(conn, m.schema, plan.table) is None:
            return
        _rename_in_place(state, plan, options, progress)
        return
    shadow = names.in_version(plan.view)
    if _kind(conn, names.version, plan.view) != "BASE TABLE":
        return  # swapped by an earlier run
    for sql in my.drop_triggers(m.name, names.version, plan.view):
        ddl.run(conn, sql, policy=options.lock, what=what)
    final = _columns(conn, names.version, plan.view)
    nxt = names.in_version(my.next_view_name(plan.view))
    if plan.view == plan.table:
        # The view must name the final columns of the base table; the old table, about to
        # be swapped out, gets any it lacks (INSTANT), so the view can be created now.
        current = _columns(conn, m.schema, plan.table)
        for column in final.values():
            if column.name not in current:
                _online_ddl(
                    conn,
                    f"ALTER TABLE {table} ADD COLUMN {my.q(column.name)} {column.type} NULL, "
                    "ALGORITHM=INSTANT",
                    options,
                    what,
                )
        conn.exec_driver_sql(my.view_sql(nxt, names.table(plan.view), {c: c for c in final}))
    else:
        _future_views(state, plan.view, [(nxt, {c: c for c in final})], like=shadow)
    progress.step(f"cut-over: {shadow} -> {names.table(plan.view)}")
    old = names.table(my.old_table_name(plan.table))
    crash_point("before-swap")
    ddl.run(
        conn,
        f"RENAME TABLE {table} TO {old}, {shadow} TO {names.table(plan.view)}, {nxt} TO {shadow}",
        policy=options.lock,
        what=what,
    )
    crash_point("after-swap")


def _future_views(
    state: _State, target: str, views: list[tuple[str, dict[str, str]]], *, like: str
) -> None:
    """Views over a table name that does not exist yet: MySQL checks a view's columns
    when it is created, so an empty stand-in of the right shape exists for that moment
    (start made sure no table of that name existed)."""
    conn, names = state.conn, state.names
    stand_in = names.table(target)
    conn.exec_driver_sql(f"CREATE TABLE {stand_in} LIKE {like}")
    try:
        for view, columns in views:
            conn.exec_driver_sql(my.view_sql(view, stand_in, columns))
    finally:
        conn.exec_driver_sql(f"DROP TABLE {stand_in}")


def _rename_in_place(state: _State, plan: TablePlan, options: Options, progress: Progress) -> None:
    """rename_table without a shadow, in two atomic renames, so that no query of the new
    version meets a view over a missing table. A query that has read a view's definition
    and then waits for the table's lock goes on with that definition once the lock is
    freed (measured), so the old name must still resolve after the first rename: it is a
    view over the new name until the version's own view has been swapped."""
    conn, names, m = state.conn, state.names, state.migration
    what = f"online complete {m.name}"
    table, renamed = names.table(plan.table), names.table(plan.view)
    columns = {n: n for n in plan.new}
    alias = names.table(my.short(f"_dbshift_alias_{plan.table}"))
    nxt = names.in_version(my.next_view_name(plan.view))
    prev = names.in_version(my.short(f"_dbshift_prev_{plan.view}"))
    if _kind(conn, m.schema, plan.table) == "BASE TABLE":
        # An empty table under the new name is a stand-in left by a killed run (start
        # refuses a new name that exists); anything else is left alone and RENAME fails.
        stand_in = _kind(conn, m.schema, plan.view) == "BASE TABLE"
        if stand_in and conn.exec_driver_sql(f"SELECT 1 FROM {renamed} LIMIT 1").first() is None:
            conn.exec_driver_sql(f"DROP TABLE {renamed}")
        _future_views(state, plan.view, [(alias, columns), (nxt, columns)], like=table)
        progress.step(f"cut-over: {table} -> {renamed}")
        ddl.run(
            conn,
            f"RENAME TABLE {table} TO {renamed}, {alias} TO {table}",
            policy=options.lock,
            what=what,
        )
        crash_point("after-rename")
    if _kind(conn, names.version, my.next_view_name(plan.view)) == "VIEW":
        ddl.run(
            conn,
            f"RENAME TABLE {names.in_version(plan.view)} TO {prev}, "
            f"{nxt} TO {names.in_version(plan.view)}",
            policy=options.lock,
            what=what,
        )
    conn.exec_driver_sql(f"DROP VIEW IF EXISTS {prev}")
    if _kind(conn, m.schema, plan.table) == "VIEW":
        conn.exec_driver_sql(f"DROP VIEW {table}")


def _cleanup(state: _State, progress: Progress) -> None:
    """After the cut-over: the old tables, and the version databases of migrations
    completed before this one (their applications have moved on to this one)."""
    conn, m = state.conn, state.migration
    for plan in state.plans.values():
        if plan.shadow:
            old = state.names.table(my.old_table_name(plan.table))
            progress.step(f"drop {old}")
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {old}")
    for other in journal.all_entries(conn, m.schema):
        if other.phase is Phase.COMPLETED and other.name != m.name:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {my.q(other.version_schema)}")


# --- rollback -----------------------------------------------------------------------------
def rollback(
    conn: Connection,
    name: str,
    schema: str,
    options: Options,
    progress: Progress,
    *,
    wait: float,
) -> Entry:
    journal.ensure(conn, schema)
    with ddl.runner_lock(conn, schema, wait):
        entry, migration = entry_migration(conn, schema, name)
        if entry.phase is Phase.ROLLED_BACK:
            return entry
        if entry.phase is Phase.COMPLETED:
            raise UsageError(f"online migration {name} is completed: write a new one to undo it")
        state = _load(conn, migration)
        names = state.names
        what = f"online rollback {name}"
        # The old table's triggers first: from then on old-version writes touch nothing
        # but the old table, and the shadow can go.
        for plan in state.plans.values():
            if plan.shadow:
                for sql in my.drop_triggers(name, schema, plan.table):
                    ddl.run(conn, sql, policy=options.lock, what=what)
        progress.step(f"drop database {names.version}")
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {my.q(names.version)}")
        crash_point("in-rollback")
        for plan in state.plans.values():
            if plan.shadow:
                continue  # everything of it was in the version database
            for sql in plan.rollback_statements(names.table(plan.table)):
                progress.step(" ".join(sql.split())[:100])
                ddl.run(conn, sql, policy=options.lock, what=what, ignore=_GONE | {1828})
        for i, op in reversed(list(enumerate(migration.operations))):
            if isinstance(op, RawSQL) and state.done(f"raw:{i}"):
                if op.down is None:
                    raise MigrationFailed(
                        f"online rollback {name}: raw_sql on {op.table!r} has no down: it "
                        "cannot be rolled back (the rest was undone)"
                    )
                ddl.run(conn, op.down, policy=options.lock, what=what)
        journal.set_phase(conn, schema, name, Phase.ROLLED_BACK)
        return _reload(conn, migration)
