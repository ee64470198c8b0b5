"""What each online operation runs on PostgreSQL, phase by phase: one function per phase,
dispatching on the operation's kind, as the MySQL plan (``mysql/plan.py``) and the SQLite
applier (``sqlite.py``) do. The operations are ``ops.*`` in their online form; what they
mean for an expand/contract change (hidden columns, reshaping, up/down assignments) is
``shape.py``'s, shared by every engine.

The statements fall in the engine's steps (``postgres_engine.py``):
- ``start_sql``: the start transaction, after the hidden columns exist;
- ``concurrent_start``: outside a transaction at start (CREATE INDEX CONCURRENTLY);
- ``validate_sql``: VALIDATE CONSTRAINT before the contract transaction (it scans under
  SHARE UPDATE EXCLUSIVE, which blocks neither reads nor writes);
- ``complete_sql``: the contract transaction, catalog-only changes;
- ``concurrent_complete``: outside a transaction after it (DROP INDEX CONCURRENTLY);
- ``rollback_sql`` / ``concurrent_rollback``: what rollback removes besides the hidden
  columns, triggers and the version schema.
"""

from __future__ import annotations

from dataclasses import replace

from dbshift import ops
from dbshift.errors import OnlineOperationError
from dbshift.online import shape
from dbshift.online.backfill import RANGE
from dbshift.online.shape import AddedColumn, Names, hidden_name, table_of


def added(op: ops.Operation) -> list[AddedColumn]:
    """The physical columns start adds, under hidden names."""
    column = shape.changed_column(op)
    if column is None:
        return []
    data_type = shape.data_type(op)
    if data_type is None:
        raise OnlineOperationError(
            f"{op.kind} on {table_of(op)!r}: the column's type is not resolved"
        )
    added = AddedColumn(shape.hidden(column), data_type, shape.default(op), shape.required(op))
    if shape.column_change(op) is not None:
        # The default is set after the column is added (start_sql): ADD COLUMN with a
        # volatile default (a serial's nextval) would rewrite the table under an
        # exclusive lock, and the backfill fills existing rows anyway.
        added = replace(added, default=None)
    return [added]


def _fk_sql(fk: ops.AddForeignKey, n: Names) -> str:
    c = fk.constraint
    cols = ", ".join(n.q(x) for x in c.columns)
    refs = ", ".join(n.q(x) for x in c.ref_columns)
    action = f" ON DELETE {c.on_delete.value}" if c.on_delete is not c.on_delete.NO_ACTION else ""
    return (
        f"ALTER TABLE {n.table(table_of(fk))} ADD CONSTRAINT {n.q(c.name)} FOREIGN KEY ({cols}) "
        f"REFERENCES {n.table(c.ref_table)} ({refs}){action} NOT VALID"
    )


def start_sql(op: ops.Operation, n: Names, types: dict[str, str]) -> list[str]:
    """``types``: the table's columns and their types (split_table's new table)."""
    t = n.table(table_of(op))
    out: list[str] = []
    column = shape.changed_column(op)
    if column is not None and shape.required(op):
        # NOT NULL is a CHECK ... NOT VALID during the change, validated without blocking
        # writes before complete, then a real NOT NULL (swap_sql).
        out.append(
            f"ALTER TABLE {t} ADD CONSTRAINT {n.q(shape.check_name(column))} "
            f"CHECK ({n.q(shape.hidden(column))} IS NOT NULL) NOT VALID"
        )
    default = shape.default(op)
    if column is not None and shape.column_change(op) is not None and default is not None:
        out.append(
            f"ALTER TABLE {t} ALTER COLUMN {n.q(shape.hidden(column))} SET DEFAULT {default}"
        )
    match op:
        case ops.AddCheck():
            out.append(
                f"ALTER TABLE {t} ADD CONSTRAINT {n.q(op.constraint.name)} "
                f"CHECK ({shape.hidden_check(op)}) NOT VALID"
            )
        case ops.AddForeignKey():
            out.append(_fk_sql(op, n))
        case ops.RawSQL():
            out.append(op.up)
        case ops.SplitTable():
            out += _split_start(op, n, types)
    return out


def concurrent_start(op: ops.Operation, n: Names, columns: dict[str, str]) -> list[str]:
    """``columns`` maps the new version's column names to physical columns: an index on a
    column another operation changes is built on the new physical column, so it survives
    complete (which drops the old one)."""
    match op:
        case ops.CreateIndex():
            name, wanted = op.index.name, op.index.column_names
        case ops.AddUnique():
            name, wanted = op.constraint.name, op.constraint.columns
        case _:
            return []
    unknown = [c for c in wanted if c not in columns]
    if unknown:
        what = f"index {name!r}: " if isinstance(op, ops.CreateIndex) else ""
        raise OnlineOperationError(f"{what}no column {unknown[0]!r} in {table_of(op)!r}")
    cols = ", ".join(n.q(columns[c]) for c in wanted)
    if isinstance(op, ops.AddUnique):
        return [
            f"CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS {n.q(name)} "
            f"ON {n.table(table_of(op))} ({cols})"
        ]
    index = op.index
    unique = "UNIQUE " if index.unique else ""
    method = f" USING {n.q(index.method)}" if index.method else ""
    where = f" WHERE {index.where}" if index.where else ""
    return [
        f"CREATE {unique}INDEX CONCURRENTLY IF NOT EXISTS {n.q(name)} "
        f"ON {n.table(table_of(op))}{method} ({cols}){where}"
    ]


def validate_sql(op: ops.Operation, n: Names) -> list[str]:
    t = n.table(table_of(op))
    out = []
    column = shape.changed_column(op)
    if column is not None and shape.required(op):
        out.append(f"ALTER TABLE {t} VALIDATE CONSTRAINT {n.q(shape.check_name(column))}")
    if isinstance(op, ops.AddCheck | ops.AddForeignKey):
        out.append(f"ALTER TABLE {t} VALIDATE CONSTRAINT {n.q(op.constraint.name)}")
    return out


def complete_sql(op: ops.Operation, n: Names) -> list[str]:
    t = n.table(table_of(op))
    match op:
        case ops.AlterColumn() | ops.AddCheck():
            column = shape.changed_column(op)
            assert column is not None
            return [f"ALTER TABLE {t} DROP COLUMN {n.q(column)}", *_swap_sql(op, n)]
        case ops.AddColumn():
            return _swap_sql(op, n)
        case ops.RenameColumn():
            return [f"ALTER TABLE {t} RENAME COLUMN {n.q(op.old)} TO {n.q(op.new)}"]
        case ops.DropColumn():
            return [f"ALTER TABLE {t} DROP COLUMN {n.q(op.column.name)}"]
        case ops.RenameTable():
            return [f"ALTER TABLE {t} RENAME TO {n.q(op.new)}"]
        case ops.AddUnique():
            name = n.q(op.constraint.name)
            return [f"ALTER TABLE {t} ADD CONSTRAINT {name} UNIQUE USING INDEX {name}"]
        case ops.SplitTable():
            drops = [f"ALTER TABLE {t} DROP COLUMN {n.q(c)}" for c in op.columns]
            return [*_split_drop_triggers(op, n), *drops]
    return []


def concurrent_complete(op: ops.Operation, n: Names) -> list[str]:
    if isinstance(op, ops.DropIndex):
        return [f"DROP INDEX CONCURRENTLY IF EXISTS {n.table(op.index.name)}"]
    return []


def rollback_sql(op: ops.Operation, n: Names) -> list[str]:
    match op:
        case ops.AddForeignKey():
            return [
                f"ALTER TABLE {n.table(table_of(op))} "
                f"DROP CONSTRAINT IF EXISTS {n.q(op.constraint.name)}"
            ]
        case ops.RawSQL():
            if op.down is None:
                raise OnlineOperationError(
                    f"raw_sql on {table_of(op)!r} has no down: it cannot be rolled back"
                )
            return [op.down]
        case ops.SplitTable():
            return [
                f"DROP TRIGGER IF EXISTS {n.q(_split_trigger(op, 'fwd'))} "
                f"ON {n.table(table_of(op))}",
                f"DROP FUNCTION IF EXISTS {_split_fn(op, n, 'fwd')}()",
                f"DROP TABLE IF EXISTS {n.table(op.new_table)}",
                f"DROP FUNCTION IF EXISTS {_split_fn(op, n, 'back')}()",
            ]
    return []


def concurrent_rollback(op: ops.Operation, n: Names) -> list[str]:
    if isinstance(op, ops.CreateIndex | ops.AddUnique):
        name = shape.name_of(op)
        assert name is not None
        return [f"DROP INDEX CONCURRENTLY IF EXISTS {n.table(name)}"]
    return []


def copy_sql(op: ops.Operation, n: Names) -> str | None:
    """A backfill that copies rows elsewhere (split_table): one statement reading the
    table as ``k``, with ``RANGE`` (the batch's key range) in its WHERE."""
    if not isinstance(op, ops.SplitTable):
        return None
    cols = ", ".join(n.q(c) for c in op.columns)
    picked = ", ".join(f"k.{n.q(c)}" for c in op.columns)
    return (
        f"INSERT INTO {n.table(op.new_table)} ({n.q(op.new_key)}, {cols}) "
        f"SELECT k.{n.q(op.key)}, {picked} FROM {n.table(table_of(op))} AS k "
        # FOR KEY SHARE: a source row deleted while the batch runs is skipped (after
        # its delete commits) instead of failing the new table's foreign key.
        f"WHERE {RANGE} FOR KEY SHARE OF k ON CONFLICT ({n.q(op.new_key)}) DO NOTHING"
    )


def verify_sql(op: ops.Operation, n: Names) -> list[tuple[str, str]]:
    """(what, query counting rows out of step) pairs that must all count 0 before
    complete drops anything."""
    if not isinstance(op, ops.SplitTable):
        return []
    table = table_of(op)
    src, dst = n.table(table), n.table(op.new_table)
    # A source row without a row in the new table reads as all moved columns NULL there
    # (the LEFT JOIN's NULLs), which is what the new version's INSERT into the source
    # leaves on the old side: that row agrees, and any moved value it holds does not.
    differs = " OR ".join(f"s.{n.q(c)} IS DISTINCT FROM d.{n.q(c)}" for c in op.columns)
    return [
        (
            f"{table} and {op.new_table} disagree",
            f"SELECT count(*) FROM {src} AS s LEFT JOIN {dst} AS d "
            f"ON d.{n.q(op.new_key)} = s.{n.q(op.key)} "
            f"WHERE {differs}",
        )
    ]


def _swap_sql(op: ops.Operation, n: Names) -> list[str]:
    """The hidden column becomes the real one (after any old column is gone); PostgreSQL
    >= 12 proves NOT NULL from the validated check instead of scanning."""
    t = n.table(table_of(op))
    column = shape.changed_column(op)
    assert column is not None
    copy = n.q(shape.hidden(column))
    out = []
    if shape.required(op):
        out.append(f"ALTER TABLE {t} ALTER COLUMN {copy} SET NOT NULL")
        out.append(f"ALTER TABLE {t} DROP CONSTRAINT {n.q(shape.check_name(column))}")
    out.append(f"ALTER TABLE {t} RENAME COLUMN {copy} TO {n.q(column)}")
    return out


def _split_fn(op: ops.SplitTable, n: Names, direction: str) -> str:
    return n.table(hidden_name(f"split_{direction}", f"{table_of(op)}_{op.new_table}"))


def _split_trigger(op: ops.SplitTable, direction: str) -> str:
    return hidden_name(f"split_{direction}", op.new_table)


def _split_start(op: ops.SplitTable, n: Names, types: dict[str, str]) -> list[str]:
    """The new table (its key references the source's, ON DELETE CASCADE) and two AFTER
    triggers: the old version's writes to the source are copied into the new table, the
    new version's writes to the new table back into the source; ``pg_trigger_depth()``
    stops the copy from bouncing back."""
    if not types:
        raise OnlineOperationError(
            f"split_table on {table_of(op)!r}: column types are not resolved"
        )
    src, dst = n.table(table_of(op)), n.table(op.new_table)
    key, new_key = n.q(op.key), n.q(op.new_key)
    cols = [n.q(c) for c in op.columns]
    body = ", ".join(f"{c} {types[name]}" for c, name in zip(cols, op.columns, strict=True))
    sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in cols)
    back = ", ".join(f"{c} = NEW.{c}" for c in cols)
    new_values = ", ".join(f"NEW.{c}" for c in cols)
    forward = (
        f"CREATE FUNCTION {_split_fn(op, n, 'fwd')}() RETURNS trigger LANGUAGE plpgsql AS $f$\n"
        "BEGIN\n"
        # Only the old version's writes are copied forward: the new version writes
        # the new table itself (and a copy would make its INSERT collide).
        f"  IF pg_trigger_depth() > 1 OR (current_schemas(false))[1] = {n.literal(n.version)}\n"
        "  THEN RETURN NULL; END IF;\n"
        f"  INSERT INTO {dst} ({new_key}, {', '.join(cols)}) VALUES (NEW.{key}, {new_values})\n"
        f"    ON CONFLICT ({new_key}) DO UPDATE SET {sets};\n"
        "  RETURN NULL;\n"
        "END $f$"
    )
    backward = (
        f"CREATE FUNCTION {_split_fn(op, n, 'back')}() RETURNS trigger LANGUAGE plpgsql AS $f$\n"
        "BEGIN\n"
        "  IF pg_trigger_depth() > 1 THEN RETURN NULL; END IF;\n"
        f"  UPDATE {src} SET {back} WHERE {key} = NEW.{new_key};\n"
        "  RETURN NULL;\n"
        "END $f$"
    )
    return [
        f"CREATE TABLE {dst} ({new_key} {types[op.key]} PRIMARY KEY "
        f"REFERENCES {src} ({key}) ON DELETE CASCADE, {body})",
        forward,
        backward,
        f"CREATE TRIGGER {n.q(_split_trigger(op, 'fwd'))} AFTER INSERT OR UPDATE ON {src} "
        f"FOR EACH ROW EXECUTE FUNCTION {_split_fn(op, n, 'fwd')}()",
        # The backfill's own copies already match the source: no write back for them.
        f"CREATE TRIGGER {n.q(_split_trigger(op, 'back'))} AFTER INSERT OR UPDATE ON {dst} "
        "FOR EACH ROW WHEN (current_setting('dbshift.backfill', true) IS DISTINCT FROM 'on') "
        f"EXECUTE FUNCTION {_split_fn(op, n, 'back')}()",
    ]


def _split_drop_triggers(op: ops.SplitTable, n: Names) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {n.q(_split_trigger(op, 'fwd'))} ON {n.table(table_of(op))}",
        f"DROP TRIGGER IF EXISTS {n.q(_split_trigger(op, 'back'))} ON {n.table(op.new_table)}",
        f"DROP FUNCTION IF EXISTS {_split_fn(op, n, 'fwd')}()",
        f"DROP FUNCTION IF EXISTS {_split_fn(op, n, 'back')}()",
    ]
