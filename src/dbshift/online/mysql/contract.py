"""Online migrations on MySQL/MariaDB: complete (verify, then the atomic cut-over) and
rollback. Every step checks what is already done, so a killed command is run again."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from dbshift import ops
from dbshift.errors import MigrationFailed
from dbshift.online import journal
from dbshift.online.backfill import Backfill
from dbshift.online.journal import Phase
from dbshift.online.mysql import ddl, foreign_keys, split
from dbshift.online.mysql import sql as my
from dbshift.online.mysql.plan import TablePlan
from dbshift.online.mysql.state import (
    CATALOG,
    GONE,
    State,
    kind,
    load,
    no_orphans,
    online_ddl,
    read_columns,
    renamed,
)
from dbshift.online.phases import Options, Progress, Record, Run, crash_point
from dbshift.online.shape import table_of

if TYPE_CHECKING:
    pass


def verify(run: Run) -> None:
    """Every shadowed table agrees with the old one, every new foreign key holds (once:
    a resumed complete skips it)."""
    state = load(run.conn, run.migration)
    if state.done("verified"):
        return
    for plan in state.plans.values():
        if plan.shadow:
            _verify(state, plan, run.progress)
        for op in plan.ops:
            if isinstance(op, ops.AddForeignKey):
                no_orphans(state, op)
        for op in split.splits(plan.ops):
            split.verify(run.conn, op, state.names, run.migration.name)
    state.mark("verified")


def contract(run: Run, record: Record) -> None:
    """Each table's in-place drops and cut-over, then the phase change."""
    state = load(run.conn, run.migration)
    for plan in state.plans.values():
        _contract(state, plan, run.options, run.progress)
    record(run.conn)


def cleanup(run: Run) -> None:
    _cleanup(load(run.conn, run.migration), run.progress)


def _verify(state: State, plan: TablePlan, progress: Progress) -> None:
    """Every row is in both tables and agrees in the direction of its last writer (new =
    up(old) for the old version's rows, old = down(new) for the new version's); checked
    in key ranges of 50,000 rows, each two range scans joined on the key."""
    conn, names, m = state.conn, state.names, state.migration
    old, new = names.table(plan.table), names.in_version(plan.view)
    typed = [(k[0], k[1]) for k in state.data[CATALOG][plan.table]["key"]]
    new_key = [renamed(plan, k) for k, _ in typed]
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


def _contract(state: State, plan: TablePlan, options: Options, progress: Progress) -> None:
    """In-place drops, then the atomic swap of the table (shadow) or its name."""
    conn, names, m = state.conn, state.names, state.migration
    what = f"online complete {m.name}"
    table = names.table(plan.table)
    if not plan.shadow:
        for op in split.splits(plan.ops):
            split.complete(conn, op, names, m.name, options.lock)
        for sql in plan.complete_statements(table):
            progress.step(" ".join(sql.split())[:100])
            online_ddl(conn, sql, options, what)
        if plan.view == plan.table or kind(conn, m.schema, plan.table) is None:
            return
        _rename_in_place(state, plan, options, progress)
        return
    shadow = names.in_version(plan.view)
    info = state.data[CATALOG][plan.table]
    if kind(conn, names.version, plan.view) != "BASE TABLE":
        # swapped by an earlier run (killed before its children's keys got their names)
        foreign_keys.after_swap(conn, plan, info, names, options.lock, what)
        return
    # Children re-pointed while the shadow's triggers still carry the new version's
    # deletes back: after they go, a delete on the shadow must cascade from the shadow.
    foreign_keys.before_swap(conn, plan, info, names, options.lock, what)
    for sql in my.drop_triggers(m.name, names.version, plan.view):
        ddl.run(conn, sql, policy=options.lock, what=what)
    final = read_columns(conn, names.version, plan.view)
    nxt = names.in_version(my.next_view_name(plan.view))
    if plan.view == plan.table:
        # The view must name the final columns of the base table; the old table, about to
        # be swapped out, gets any it lacks (INSTANT), so the view can be created now.
        current = read_columns(conn, m.schema, plan.table)
        for column in final.values():
            if column.name not in current:
                online_ddl(
                    conn,
                    f"ALTER TABLE {table} ADD COLUMN {my.q(column.name)} {column.type} NULL, "
                    "ALGORITHM=INSTANT",
                    options,
                    what,
                )
        my.plain(conn).exec_driver_sql(
            my.view_sql(nxt, names.table(plan.view), {c: c for c in final})
        )
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
    foreign_keys.after_swap(conn, plan, info, names, options.lock, what)


def _future_views(
    state: State, target: str, views: list[tuple[str, dict[str, str]]], *, like: str
) -> None:
    """Views over a table name that does not exist yet: MySQL checks a view's columns
    when it is created, so an empty stand-in of the right shape exists for that moment
    (start made sure no table of that name existed)."""
    conn, names = state.conn, state.names
    stand_in = names.table(target)
    my.plain(conn).exec_driver_sql(f"CREATE TABLE {stand_in} LIKE {like}")
    try:
        for view, columns in views:
            my.plain(conn).exec_driver_sql(my.view_sql(view, stand_in, columns))
    finally:
        my.plain(conn).exec_driver_sql(f"DROP TABLE {stand_in}")


def _rename_in_place(state: State, plan: TablePlan, options: Options, progress: Progress) -> None:
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
    if kind(conn, m.schema, plan.table) == "BASE TABLE":
        # An empty table under the new name is a stand-in left by a killed run (start
        # refuses a new name that exists); anything else is left alone and RENAME fails.
        stand_in = kind(conn, m.schema, plan.view) == "BASE TABLE"
        if (
            stand_in
            and my.plain(conn).exec_driver_sql(f"SELECT 1 FROM {renamed} LIMIT 1").first() is None
        ):
            my.plain(conn).exec_driver_sql(f"DROP TABLE {renamed}")
        _future_views(state, plan.view, [(alias, columns), (nxt, columns)], like=table)
        progress.step(f"cut-over: {table} -> {renamed}")
        ddl.run(
            conn,
            f"RENAME TABLE {table} TO {renamed}, {alias} TO {table}",
            policy=options.lock,
            what=what,
        )
        crash_point("after-rename")
    if kind(conn, names.version, my.next_view_name(plan.view)) == "VIEW":
        ddl.run(
            conn,
            f"RENAME TABLE {names.in_version(plan.view)} TO {prev}, "
            f"{nxt} TO {names.in_version(plan.view)}",
            policy=options.lock,
            what=what,
        )
    my.plain(conn).exec_driver_sql(f"DROP VIEW IF EXISTS {prev}")
    if kind(conn, m.schema, plan.table) == "VIEW":
        my.plain(conn).exec_driver_sql(f"DROP VIEW {table}")


def _cleanup(state: State, progress: Progress) -> None:
    """After the cut-over: the old tables, and the version databases of migrations
    completed before this one (their applications have moved on to this one)."""
    conn, m = state.conn, state.migration
    for plan in state.plans.values():
        if plan.shadow:
            old = state.names.table(my.old_table_name(plan.table))
            progress.step(f"drop {old}")
            my.plain(conn).exec_driver_sql(f"DROP TABLE IF EXISTS {old}")
    for other in journal.all_entries(conn, m.schema):
        if other.phase is Phase.COMPLETED and other.name != m.name:
            my.plain(conn).exec_driver_sql(f"DROP DATABASE IF EXISTS {my.q(other.version_schema)}")


def rollback(run: Run, record: Record) -> None:
    conn, migration, options, progress = run.conn, run.migration, run.options, run.progress
    name, schema = migration.name, migration.schema
    state = load(conn, migration)
    names = state.names
    what = f"online rollback {name}"
    # The old table's triggers first: from then on old-version writes touch nothing
    # but the old table, and the shadow can go.
    for plan in state.plans.values():
        if plan.shadow:
            for sql in my.drop_triggers(name, schema, plan.table):
                ddl.run(conn, sql, policy=options.lock, what=what)
            info = state.data[CATALOG][plan.table]
            foreign_keys.restore(conn, plan, info, names, options.lock, what)
    progress.step(f"drop database {names.version}")
    my.plain(conn).exec_driver_sql(f"DROP DATABASE IF EXISTS {my.q(names.version)}")
    crash_point("in-rollback")
    for plan in state.plans.values():
        if plan.shadow:
            continue  # everything of it was in the version database
        for sql in plan.rollback_statements(names.table(plan.table)):
            progress.step(" ".join(sql.split())[:100])
            ddl.run(conn, sql, policy=options.lock, what=what, ignore=GONE | {1828})
        for moved in split.splits(plan.ops):
            split.rollback(conn, moved, names, name, options.lock)
    for i, op in reversed(list(enumerate(migration.operations))):
        if isinstance(op, ops.RawSQL) and state.done(f"raw:{i}") and not state.done(f"unraw:{i}"):
            if op.down is None:
                raise MigrationFailed(
                    f"online rollback {name}: raw_sql on {table_of(op)!r} has no down: it "
                    "cannot be rolled back (the rest was undone)"
                )
            ddl.run(conn, op.down, policy=options.lock, what=what)
            state.mark(f"unraw:{i}")  # a rerun after a kill must not run it twice
    record(conn)
