"""What each online operation runs on PostgreSQL, phase by phase: one function per phase,
dispatching on the operation's kind, as the MySQL plan (``mysql/plan.py``) and the SQLite
applier (``sqlite.py``) do. The operations themselves are data (``online/operations/``):
their fields, how they reshape a table for the new version, and their up/down
expressions; none of them writes SQL.

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

from dbshift.errors import OnlineOperationError
from dbshift.online.backfill import RANGE
from dbshift.online.operations import OnlineOperation
from dbshift.online.operations.add_check import AddCheck
from dbshift.online.operations.add_column import AddColumn
from dbshift.online.operations.add_foreign_key import AddForeignKey
from dbshift.online.operations.add_unique import AddUnique
from dbshift.online.operations.alter_column import AlterColumn
from dbshift.online.operations.base import AddedColumn, HiddenColumnChange, Names, hidden_name
from dbshift.online.operations.create_index import CreateIndex
from dbshift.online.operations.drop_column import DropColumn
from dbshift.online.operations.drop_index import DropIndex
from dbshift.online.operations.raw_sql import RawSQL
from dbshift.online.operations.rename_column import RenameColumn
from dbshift.online.operations.rename_table import RenameTable
from dbshift.online.operations.split_table import SplitTable


def added(op: OnlineOperation) -> list[AddedColumn]:
    """The physical columns start adds, under hidden names."""
    if not isinstance(op, HiddenColumnChange):
        return []
    if op.data_type is None:
        raise OnlineOperationError(f"{op.type} on {op.table!r}: the column's type is not resolved")
    column = AddedColumn(op.hidden, op.data_type, op.default, op.required)
    if isinstance(op, AlterColumn):
        # The default is set after the column is added (start_sql): ADD COLUMN with a
        # volatile default (a serial's nextval) would rewrite the table under an
        # exclusive lock, and the backfill fills existing rows anyway.
        column = replace(column, default=None)
    return [column]


def start_sql(op: OnlineOperation, n: Names) -> list[str]:
    t = n.table(op.table)
    out: list[str] = []
    if isinstance(op, HiddenColumnChange) and op.required:
        # NOT NULL is a CHECK ... NOT VALID during the change, validated without blocking
        # writes before complete, then a real NOT NULL (swap_sql).
        out.append(
            f"ALTER TABLE {t} ADD CONSTRAINT {n.q(op.check_name)} "
            f"CHECK ({n.q(op.hidden)} IS NOT NULL) NOT VALID"
        )
    if isinstance(op, AlterColumn) and op.default is not None:
        out.append(f"ALTER TABLE {t} ALTER COLUMN {n.q(op.hidden)} SET DEFAULT {op.default}")
    if isinstance(op, AddCheck):
        out.append(
            f"ALTER TABLE {t} ADD CONSTRAINT {n.q(op.name)} CHECK ({op.hidden_check()}) NOT VALID"
        )
    if isinstance(op, AddForeignKey):
        cols = ", ".join(n.q(c) for c in op.columns)
        refs = ", ".join(n.q(c) for c in op.referenced_columns)
        action = f" ON DELETE {op.on_delete.upper()}" if op.on_delete else ""
        out.append(
            f"ALTER TABLE {t} ADD CONSTRAINT {n.q(op.name)} FOREIGN KEY ({cols}) "
            f"REFERENCES {n.table(op.references)} ({refs}){action} NOT VALID"
        )
    if isinstance(op, RawSQL):
        out.append(op.up)
    if isinstance(op, SplitTable):
        out += _split_start(op, n)
    return out


def concurrent_start(op: OnlineOperation, n: Names, columns: dict[str, str]) -> list[str]:
    """``columns`` maps the new version's column names to physical columns: an index on a
    column another operation changes is built on the new physical column, so it survives
    complete (which drops the old one)."""
    if not isinstance(op, CreateIndex | AddUnique):
        return []
    unknown = [c for c in op.columns if c not in columns]
    if unknown:
        what = f"index {op.name!r}: " if isinstance(op, CreateIndex) else ""
        raise OnlineOperationError(f"{what}no column {unknown[0]!r} in {op.table!r}")
    cols = ", ".join(n.q(columns[c]) for c in op.columns)
    if isinstance(op, AddUnique):
        return [
            f"CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS {n.q(op.name)} "
            f"ON {n.table(op.table)} ({cols})"
        ]
    unique = "UNIQUE " if op.unique else ""
    method = f" USING {n.q(op.method)}" if op.method else ""
    where = f" WHERE {op.where}" if op.where else ""
    return [
        f"CREATE {unique}INDEX CONCURRENTLY IF NOT EXISTS {n.q(op.name)} "
        f"ON {n.table(op.table)}{method} ({cols}){where}"
    ]


def validate_sql(op: OnlineOperation, n: Names) -> list[str]:
    t = n.table(op.table)
    out = []
    if isinstance(op, HiddenColumnChange) and op.required:
        out.append(f"ALTER TABLE {t} VALIDATE CONSTRAINT {n.q(op.check_name)}")
    if isinstance(op, AddCheck | AddForeignKey):
        out.append(f"ALTER TABLE {t} VALIDATE CONSTRAINT {n.q(op.name)}")
    return out


def complete_sql(op: OnlineOperation, n: Names) -> list[str]:
    t = n.table(op.table)
    match op:
        case AlterColumn():  # add_check too
            return [f"ALTER TABLE {t} DROP COLUMN {n.q(op.column)}", *_swap_sql(op, n)]
        case AddColumn():
            return _swap_sql(op, n)
        case RenameColumn():
            return [f"ALTER TABLE {t} RENAME COLUMN {n.q(op.column)} TO {n.q(op.new_name)}"]
        case DropColumn():
            return [f"ALTER TABLE {t} DROP COLUMN {n.q(op.column)}"]
        case RenameTable():
            return [f"ALTER TABLE {t} RENAME TO {n.q(op.new_name)}"]
        case AddUnique():
            return [
                f"ALTER TABLE {t} ADD CONSTRAINT {n.q(op.name)} UNIQUE USING INDEX {n.q(op.name)}"
            ]
        case SplitTable():
            drops = [f"ALTER TABLE {t} DROP COLUMN {n.q(c)}" for c in op.columns]
            return [*_split_drop_triggers(op, n), *drops]
    return []


def concurrent_complete(op: OnlineOperation, n: Names) -> list[str]:
    if isinstance(op, DropIndex):
        return [f"DROP INDEX CONCURRENTLY IF EXISTS {n.table(op.name)}"]
    return []


def rollback_sql(op: OnlineOperation, n: Names) -> list[str]:
    match op:
        case AddForeignKey():
            return [f"ALTER TABLE {n.table(op.table)} DROP CONSTRAINT IF EXISTS {n.q(op.name)}"]
        case RawSQL():
            if op.down is None:
                raise OnlineOperationError(
                    f"raw_sql on {op.table!r} has no down: it cannot be rolled back"
                )
            return [op.down]
        case SplitTable():
            return [
                f"DROP TRIGGER IF EXISTS {n.q(_split_trigger(op, 'fwd'))} ON {n.table(op.table)}",
                f"DROP FUNCTION IF EXISTS {_split_fn(op, n, 'fwd')}()",
                f"DROP TABLE IF EXISTS {n.table(op.new_table)}",
                f"DROP FUNCTION IF EXISTS {_split_fn(op, n, 'back')}()",
            ]
    return []


def concurrent_rollback(op: OnlineOperation, n: Names) -> list[str]:
    if isinstance(op, CreateIndex | AddUnique):
        return [f"DROP INDEX CONCURRENTLY IF EXISTS {n.table(op.name)}"]
    return []


def copy_sql(op: OnlineOperation, n: Names) -> str | None:
    """A backfill that copies rows elsewhere (split_table): one statement reading the
    table as ``k``, with ``RANGE`` (the batch's key range) in its WHERE."""
    if not isinstance(op, SplitTable):
        return None
    cols = ", ".join(n.q(c) for c in op.columns)
    picked = ", ".join(f"k.{n.q(c)}" for c in op.columns)
    return (
        f"INSERT INTO {n.table(op.new_table)} ({n.q(op.new_key)}, {cols}) "
        f"SELECT k.{n.q(op.key)}, {picked} FROM {n.table(op.table)} AS k "
        # FOR KEY SHARE: a source row deleted while the batch runs is skipped (after
        # its delete commits) instead of failing the new table's foreign key.
        f"WHERE {RANGE} FOR KEY SHARE OF k ON CONFLICT ({n.q(op.new_key)}) DO NOTHING"
    )


def verify_sql(op: OnlineOperation, n: Names) -> list[tuple[str, str]]:
    """(what, query counting rows out of step) pairs that must all count 0 before
    complete drops anything."""
    if not isinstance(op, SplitTable):
        return []
    src, dst = n.table(op.table), n.table(op.new_table)
    # A source row without a row in the new table reads as all moved columns NULL there
    # (the LEFT JOIN's NULLs), which is what the new version's INSERT into the source
    # leaves on the old side: that row agrees, and any moved value it holds does not.
    differs = " OR ".join(f"s.{n.q(c)} IS DISTINCT FROM d.{n.q(c)}" for c in op.columns)
    return [
        (
            f"{op.table} and {op.new_table} disagree",
            f"SELECT count(*) FROM {src} AS s LEFT JOIN {dst} AS d "
            f"ON d.{n.q(op.new_key)} = s.{n.q(op.key)} "
            f"WHERE {differs}",
        )
    ]


def _swap_sql(op: HiddenColumnChange, n: Names) -> list[str]:
    """The hidden column becomes the real one (after any old column is gone); PostgreSQL
    >= 12 proves NOT NULL from the validated check instead of scanning."""
    t = n.table(op.table)
    out = []
    if op.required:
        out.append(f"ALTER TABLE {t} ALTER COLUMN {n.q(op.hidden)} SET NOT NULL")
        out.append(f"ALTER TABLE {t} DROP CONSTRAINT {n.q(op.check_name)}")
    out.append(f"ALTER TABLE {t} RENAME COLUMN {n.q(op.hidden)} TO {n.q(op.column)}")
    return out


def _split_fn(op: SplitTable, n: Names, direction: str) -> str:
    return n.table(hidden_name(f"split_{direction}", f"{op.table}_{op.new_table}"))


def _split_trigger(op: SplitTable, direction: str) -> str:
    return hidden_name(f"split_{direction}", op.new_table)


def _split_start(op: SplitTable, n: Names) -> list[str]:
    """The new table (its key references the source's, ON DELETE CASCADE) and two AFTER
    triggers: the old version's writes to the source are copied into the new table, the
    new version's writes to the new table back into the source; ``pg_trigger_depth()``
    stops the copy from bouncing back."""
    if not op.types:
        raise OnlineOperationError(f"split_table on {op.table!r}: column types are not resolved")
    types = dict(op.types)
    src, dst = n.table(op.table), n.table(op.new_table)
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


def _split_drop_triggers(op: SplitTable, n: Names) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {n.q(_split_trigger(op, 'fwd'))} ON {n.table(op.table)}",
        f"DROP TRIGGER IF EXISTS {n.q(_split_trigger(op, 'back'))} ON {n.table(op.new_table)}",
        f"DROP FUNCTION IF EXISTS {_split_fn(op, n, 'fwd')}()",
        f"DROP FUNCTION IF EXISTS {_split_fn(op, n, 'back')}()",
    ]
