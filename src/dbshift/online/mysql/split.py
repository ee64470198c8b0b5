"""``split_table`` on MySQL/MariaDB: some columns of a table move to a new table keyed by
the old one's key, while the old version keeps reading and writing them where they were.
The same contract as on PostgreSQL (``postgres_ops``), in place (no shadow):

- start creates the new table in the base database (its key references the source's, ON
  DELETE CASCADE), and triggers both ways, guarded like the shadow's (``sql.guarded``: a
  MySQL trigger may not write the table whose statement fired it, error 1442, so the write
  it causes skips its own trigger):
  - on the source (the old version's writes): an insert whose moved columns are not all
    NULL, and an update that changes one, are upserted into the new table;
  - on the new table (the new version's writes): inserts and updates set the source's moved
    columns, a delete sets them NULL.
  The new version sees the source through a view without the moved columns, and the new
  table through a view. The new version's insert into the source (moved columns NULL
  there) copies nothing forward, so its own insert into the new table does not collide:
  MySQL cannot tell which version wrote through a view, so moved columns must be nullable
  without a default (else every insert would look like the old version's), and start
  refuses them otherwise.
- the backfill copies the existing rows in key batches (a row a trigger put there first is
  newer and is kept);
- complete checks both tables agree row by row (a source row without a row in the new
  table agrees when its moved columns are NULL), drops the triggers, then the moved columns
  (``ALGORITHM=INSTANT``); rollback drops the triggers and the new table.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from dbshift import ops as opsmod
from dbshift.errors import MigrationFailed, UsageError
from dbshift.online import shape
from dbshift.online.mysql import ddl
from dbshift.online.mysql import sql as my

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from dbshift.online.locks import LockPolicy
    from dbshift.online.mysql.plan import TablePlan

#: Trigger events: (suffix, timing) on the source, then on the new table.
#: In the order they are created: the update trigger first, so a row the insert trigger
#: carried over never misses a later update (the copy keeps a row a trigger put there);
#: see ``sql.sync_triggers``.
_FORWARD = ("su", "si")
_BACK = ("bi", "bu", "bd")


def splits(ops: list[opsmod.Operation]) -> list[opsmod.SplitTable]:
    return [op for op in ops if isinstance(op, opsmod.SplitTable)]


def check(plan: TablePlan, where: str) -> None:
    """What this scheme cannot run, refused before anything changes."""
    for op in splits(plan.ops):
        label = f"{where}: split_table on {plan.table!r}"
        if plan.shadow:
            raise UsageError(
                f"{label}: cannot share a migration with changes that copy the table; "
                "put it in a migration of its own"
            )
        if plan.key != [op.key]:
            raise UsageError(f"{label}: key {op.key!r} must be the table's primary key")
        for column in op.columns:
            found = plan.columns.get(column)
            if found is None:
                raise UsageError(f"{label}: no column {column!r}")
            if not found.nullable or found.default is not None:
                raise UsageError(
                    f"{label}: moved column {column!r} must be nullable without a default "
                    "on MySQL/MariaDB (an insert through the new version's view cannot be "
                    "told from the old version's otherwise)"
                )


def _names(migration: str, op: opsmod.SplitTable) -> dict[str, str]:
    return {
        **{e: my.trigger_name(migration, shape.table_of(op), e) for e in _FORWARD},
        **{e: my.trigger_name(migration, op.new_table, e) for e in _BACK},
    }


def create_sql(plan: TablePlan, op: opsmod.SplitTable, names: my.MyNames) -> str:
    key = plan.columns[op.key]
    cols = ", ".join(f"{my.q(c)} {plan.columns[c].type} NULL" for c in op.columns)
    # The key's name is PostgreSQL's for the same file (<table>_<column>_fkey), so one
    # file gives one schema on both servers.
    fk = my.short(f"{op.new_table}_{op.new_key}_fkey")
    return (
        f"CREATE TABLE {names.table(op.new_table)} ({my.q(op.new_key)} {key.type} NOT NULL, "
        f"{cols}, PRIMARY KEY ({my.q(op.new_key)}), CONSTRAINT {my.q(fk)} FOREIGN KEY "
        f"({my.q(op.new_key)}) REFERENCES {names.table(shape.table_of(op))} ({my.q(op.key)}) "
        "ON DELETE CASCADE)"
    )


def trigger_sql(migration: str, op: opsmod.SplitTable, names: my.MyNames) -> list[tuple[str, str]]:
    """(name, CREATE TRIGGER) pairs, forward on the source and back on the new table."""
    src, dst = names.table(shape.table_of(op)), names.table(op.new_table)
    key, new_key = my.q(op.key), my.q(op.new_key)
    cols = [my.q(c) for c in op.columns]
    values = ", ".join(f"NEW.{c}" for c in cols)
    upsert = (
        f"INSERT INTO {dst} ({new_key}, {', '.join(cols)}) VALUES (NEW.{key}, {values}) "
        f"ON DUPLICATE KEY UPDATE {', '.join(f'{c} = NEW.{c}' for c in cols)};"
    )
    any_value = " OR ".join(f"NEW.{c} IS NOT NULL" for c in cols)
    changed = " OR ".join(f"NOT (OLD.{c} <=> NEW.{c})" for c in cols)
    back = ", ".join(f"{c} = NEW.{c}" for c in cols)
    cleared = ", ".join(f"{c} = NULL" for c in cols)
    bodies = {
        "si": ("AFTER INSERT", src, f"IF {any_value} THEN {upsert} END IF;"),
        "su": ("AFTER UPDATE", src, f"IF {changed} THEN {upsert} END IF;"),
        "bi": ("AFTER INSERT", dst, f"UPDATE {src} SET {back} WHERE {key} = NEW.{new_key};"),
        "bu": ("AFTER UPDATE", dst, f"UPDATE {src} SET {back} WHERE {key} = NEW.{new_key};"),
        "bd": ("AFTER DELETE", dst, f"UPDATE {src} SET {cleared} WHERE {key} = OLD.{new_key};"),
    }
    out = []
    for event, name in _names(migration, op).items():
        timing, table, body = bodies[event]
        schema = names.schema
        out.append(
            (
                name,
                f"CREATE TRIGGER {my.q(schema)}.{my.q(name)} {timing} ON {table} "
                f"FOR EACH ROW {my.guarded(body)}",
            )
        )
    return out


def drop_triggers(migration: str, op: opsmod.SplitTable, names: my.MyNames) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {my.q(names.schema)}.{my.q(name)}"
        for name in _names(migration, op).values()
    ]


def copy_sql(op: opsmod.SplitTable, names: my.MyNames, key: Sequence[str]) -> str:
    """One batch of the backfill (``RANGE``: the key range over ``k``, ``key`` the source
    table's primary key): the rows the statements before share-locked
    (``sql.copy_lock_sql``), read without locks (see ``sql.copy_sql``); a row a trigger
    put there first is newer."""
    cols = ", ".join(my.q(c) for c in op.columns)
    picked = ", ".join(f"k.{my.q(c)}" for c in op.columns)
    new_key = my.q(op.new_key)
    return (
        f"INSERT INTO {names.table(op.new_table)} ({new_key}, {cols}) "
        f"SELECT k.{my.q(op.key)}, {picked} FROM {names.table(shape.table_of(op))} AS k "
        f"WHERE __DBSHIFT_RANGE__ AND {my.copied(names.schema, key)} ORDER BY k.{my.q(op.key)} "
        f"ON DUPLICATE KEY UPDATE {new_key} = {names.table(op.new_table)}.{new_key}"
    )


def start(
    conn: Connection,
    plan: TablePlan,
    op: opsmod.SplitTable,
    names: my.MyNames,
    migration: str,
    policy: LockPolicy,
) -> None:
    """The new table and the triggers (each skipped when a resumed run finds it there)."""
    what = f"online start {migration} (split_table)"
    ddl.run(conn, create_sql(plan, op, names), policy=policy, what=what, ignore=frozenset({1050}))
    present = {
        str(r[0])
        for r in conn.exec_driver_sql(my.TRIGGER_NAMES_SQL, {"schema": names.schema}).all()
    }
    for name, sql in trigger_sql(migration, op, names):
        if name not in present:
            ddl.run(conn, sql, policy=policy, what=what)


def verify(conn: Connection, op: opsmod.SplitTable, names: my.MyNames, migration: str) -> int:
    """Rows out of step; raises if any."""
    differs = " OR ".join(f"NOT (s.{my.q(c)} <=> d.{my.q(c)})" for c in op.columns)
    bad = int(
        my.plain(conn)
        .exec_driver_sql(
            f"SELECT count(*) FROM {names.table(shape.table_of(op))} AS s "
            f"LEFT JOIN {names.table(op.new_table)} AS d "
            f"ON d.{my.q(op.new_key)} = s.{my.q(op.key)} WHERE {differs}"
        )
        .scalar()
        or 0
    )
    if bad:
        raise MigrationFailed(
            f"online complete {migration}: {bad} rows of {shape.table_of(op)} and {op.new_table} "
            "disagree; nothing was changed (roll back, or fix the rows and complete again)"
        )
    return bad


def complete(
    conn: Connection, op: opsmod.SplitTable, names: my.MyNames, migration: str, policy: LockPolicy
) -> None:
    """The triggers, then the moved columns (a killed run finds them gone: tolerated)."""
    what = f"online complete {migration} (split_table)"
    for sql in drop_triggers(migration, op, names):
        ddl.run(conn, sql, policy=policy, what=what)
    drops = ", ".join(f"DROP COLUMN {my.q(c)}" for c in op.columns)
    ddl.run(
        conn,
        f"ALTER TABLE {names.table(shape.table_of(op))} {drops}, ALGORITHM=INSTANT",
        policy=policy,
        what=what,
        ignore=frozenset({1091, 1054}),
    )


def rollback(
    conn: Connection, op: opsmod.SplitTable, names: my.MyNames, migration: str, policy: LockPolicy
) -> None:
    """The triggers first (from then on the old version's writes touch the source only),
    then the new table: the new version's writes are in the source already."""
    what = f"online rollback {migration} (split_table)"
    for sql in drop_triggers(migration, op, names):
        ddl.run(conn, sql, policy=policy, what=what)
    ddl.run(conn, f"DROP TABLE IF EXISTS {names.table(op.new_table)}", policy=policy, what=what)
