"""How the online engines read ``ops.*`` operations: the facts every engine shares.

An operation is plain data (``ops/``, read from the file by ``read.py``); what it means
for an expand/contract change is here, once, as functions dispatching on the ``ops``
class:
- the table it is on, and the name the new version sees that table under;
- the hidden column it adds (add_column, alter_column, add_check's column), and how it
  reshapes the table for the new version (``reshape``: the new version's column names
  mapped to physical columns);
- up assignments (new physical column <- expression over the old version's columns),
  run by the backfill and by the trigger when the old version writes;
- down assignments (old physical column <- expression over the new version's columns),
  run by the trigger when the new version writes;
- the pairs of values complete verifies row by row (``verify_pairs``).
Each engine (``postgres_ops.py``, ``mysql/plan.py``, ``sqlite.py``) turns these into its
server's SQL, dispatching on the ``ops`` class too.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from typing import Any, Protocol

from dbshift import ops
from dbshift.dialects.postgres import PostgresDialect
from dbshift.errors import OnlineOperationError

#: The server up/down expressions and hidden names are written for by default (MySQL and
#: SQLite plan from the operations' fields).
_PG = PostgresDialect()


class Names(Protocol):
    """How an engine spells names in SQL: always quoted, tables schema-qualified."""

    #: The new version's schema (where its session's search path starts).
    version: str

    def q(self, name: str) -> str: ...

    def literal(self, text: str) -> str: ...

    def table(self, name: str) -> str: ...


@dataclass(frozen=True)
class Assignment:
    """``column := (expression)`` where the expression names columns of one version."""

    column: str
    expression: str


@dataclass(frozen=True)
class AddedColumn:
    """A physical column added at start, under a hidden name."""

    name: str
    data_type: str
    default: str | None = None
    #: NOT NULL enforced by a CHECK ... NOT VALID at start, validated and turned into a
    #: real NOT NULL at complete (no full-table scan under an exclusive lock).
    not_null: bool = False


def pg_quote(name: str) -> str:
    """A column named in an up/down expression written for PostgreSQL."""
    return _PG.quote(name)


def hidden_name(prefix: str, column: str) -> str:
    """The physical name of a column the new version sees under ``column``."""
    name = f"_dbshift_{prefix}_{column}"
    # Not fit_name: a prefix of the column's name could collide with another's.
    if _PG.identifier_fits(name):
        return name
    digest = hashlib.sha256(column.encode()).hexdigest()[:12]
    return f"_dbshift_{prefix}_{digest}"


# --- which table -------------------------------------------------------------------------


def table_of(op: ops.Operation) -> str:
    """The table the file names for ``op`` (every online operation names one)."""
    key = op.table_key
    if key is None:
        raise OnlineOperationError(f"{op.describe()} has no online form")
    return key[1]


def view_name(op: ops.Operation) -> str:
    """The name the new version sees the table under."""
    return op.new if isinstance(op, ops.RenameTable) else table_of(op)


def copy_job(op: ops.Operation) -> str:
    """The backfill checkpoint's name for a copy into another table (split_table)."""
    return f"{table_of(op)}:{op.kind}"


def name_of(op: ops.Operation) -> str | None:
    """The index or constraint an operation creates or drops, by the file's ``name``."""
    match op:
        case ops.CreateIndex() | ops.DropIndex():
            return op.index.name
        case ops.AddUnique() | ops.AddCheck() | ops.AddForeignKey():
            return op.constraint.name
    return None


# --- the hidden column ------------------------------------------------------------------


def column_change(op: ops.Operation) -> ops.AlterColumn | None:
    """The column change an ``alter_column`` or ``add_check`` makes (add_check puts its
    check on a hidden copy of the column, which is an alter_column's mechanism)."""
    if isinstance(op, ops.AlterColumn):
        return op
    if isinstance(op, ops.AddCheck):
        return op.through
    return None


def changed_column(op: ops.Operation) -> str | None:
    """The column an operation adds under a hidden name (add_column, alter_column,
    add_check), None for the others."""
    if isinstance(op, ops.AddColumn):
        return op.column.name
    change = column_change(op)
    return change.after.name if change is not None else None


def hidden(column: str) -> str:
    """The hidden column the new version sees under ``column`` meanwhile."""
    return hidden_name("new", column)


def check_name(column: str) -> str:
    """The CHECK ... NOT VALID that stands for NOT NULL on the hidden column."""
    return hidden_name("nn", column)


def data_type(op: ops.Operation) -> str | None:
    """The hidden column's type; None where the file keeps the column's own."""
    if isinstance(op, ops.AddColumn):
        return op.column.type
    change = column_change(op)
    if change is None or "type" in (change.unchanged or ()):
        return None
    return change.after.type


def default(op: ops.Operation) -> str | None:
    """The default the file sets (None: none, or the column keeps its own)."""
    if isinstance(op, ops.AddColumn):
        return op.column.default
    change = column_change(op)
    if change is None or "default" in (change.unchanged or ()):
        return None
    return change.after.default


def required(op: ops.Operation) -> bool:
    """The hidden column ends NOT NULL (known at start: left out means as it was)."""
    if isinstance(op, ops.AddColumn):
        return not op.column.nullable
    change = column_change(op)
    if change is None or "nullable" in (change.unchanged or ()):
        return False
    return not change.after.nullable


def up_of(op: ops.Operation) -> str | None:
    if isinstance(op, ops.AddColumn):
        return op.up
    change = column_change(op)
    return change.up if change is not None else None


def down_of(op: ops.Operation) -> str | None:
    if isinstance(op, ops.DropColumn):
        return op.down
    change = column_change(op)
    return change.down if change is not None else None


def hidden_columns(op: ops.Operation) -> list[str]:
    """Names of the physical columns start adds (rollback drops them)."""
    column = changed_column(op)
    return [hidden(column)] if column is not None else []


def resolve(op: ops.Operation, types: dict[str, str]) -> ops.Operation:
    """``op`` completed from the catalog (``types``: the table's columns and their types,
    empty where the table does not exist yet): a kept type becomes the column's own."""
    change = column_change(op)
    if change is not None:
        column = change.after.name
        if data_type(op) or column not in types:
            return op
        typed = replace(
            change,
            after=replace(change.after, type=types[column]),
            unchanged=frozenset(change.unchanged or ()) - {"type"},
        )
        if isinstance(op, ops.AddCheck):
            return replace(op, through=typed)
        return typed
    if isinstance(op, ops.SplitTable):
        missing = [c for c in (op.key, *op.columns) if c not in types]
        if types and missing:
            raise OnlineOperationError(f"no column {missing[0]!r} in {table_of(op)!r}")
    return op


def settle(op: ops.AlterColumn, found: dict[str, Any]) -> ops.AlterColumn:
    """``op`` with the attributes its file leaves out taken from ``found`` (the column as
    it was at start: ``default``, ``not_null``, and ``data_type`` when known)."""
    unchanged = set(op.unchanged or ())
    after = op.after
    if "default" in unchanged:
        after = replace(after, default=found["default"])
        unchanged.discard("default")
    if "nullable" in unchanged:
        after = replace(after, nullable=not found["not_null"])
        unchanged.discard("nullable")
    if "type" in unchanged and found.get("data_type"):
        after = replace(after, type=found["data_type"])
        unchanged.discard("type")
    return replace(op, after=after, unchanged=frozenset(unchanged))


def settled(op: ops.Operation, found: dict[str, Any]) -> ops.Operation:
    """``settle`` for an alter_column or the column of an add_check; others as they are."""
    if isinstance(op, ops.AlterColumn):
        return settle(op, found)
    if isinstance(op, ops.AddCheck) and op.through is not None:
        return replace(op, through=settle(op.through, found))
    return op


# --- the new version's table ------------------------------------------------------------


def reshape(op: ops.Operation, columns: dict[str, str]) -> dict[str, str]:
    """New-version columns (visible name -> physical column), given the old ones."""
    table = table_of(op)

    def need(name: str) -> None:
        if name not in columns:
            raise OnlineOperationError(f"column {name!r} does not exist in {table!r}")

    def free(name: str) -> None:
        if name in columns:
            raise OnlineOperationError(f"column {name!r} already exists in {table!r}")

    match op:
        case ops.AddColumn():
            free(op.column.name)
            return {**columns, op.column.name: hidden(op.column.name)}
        case ops.DropColumn():
            need(op.column.name)
            return {k: v for k, v in columns.items() if k != op.column.name}
        case ops.RenameColumn():
            need(op.old)
            free(op.new)
            return {(op.new if k == op.old else k): v for k, v in columns.items()}
        case ops.SplitTable():
            return {k: v for k, v in columns.items() if k not in op.columns}
    column = changed_column(op)
    if column is not None:
        need(column)
        return {k: (hidden(column) if k == column else v) for k, v in columns.items()}
    return columns


def up_assignments(op: ops.Operation) -> list[Assignment]:
    if isinstance(op, ops.AddColumn):
        return [Assignment(hidden(op.column.name), op.up)] if op.up else []
    change = column_change(op)
    if change is not None:
        column = change.after.name
        return [Assignment(hidden(column), change.up or pg_quote(column))]
    return []


def down_assignments(op: ops.Operation) -> list[Assignment]:
    if isinstance(op, ops.DropColumn):
        return [Assignment(op.column.name, op.down)] if op.down else []
    change = column_change(op)
    if change is not None:
        column = change.after.name
        return [Assignment(column, change.down or pg_quote(column))]
    return []


def verify_pairs(op: ops.Operation) -> list[tuple[str, str, str, str]]:
    """(old column, up over old, new column, down over new) pairs whose values must
    agree row by row before the old column may be dropped."""
    change = column_change(op)
    if change is None:
        return []
    column = change.after.name
    up, down = change.up or pg_quote(column), change.down or pg_quote(column)
    return [(column, up, hidden(column), down)]


def hidden_check(op: ops.AddCheck) -> str:
    """The check expression with the column replaced by its hidden copy, rewritten with
    PostgreSQL's own parser (pglast), never by text substitution."""
    from pglast.stream import RawStream

    from dbshift.online.read import check_expression

    expr = check_expression(op.constraint.expression)
    column = changed_column(op)
    if column is not None:
        renamer(column, hidden(column))(expr)
    return str(RawStream()(expr))


def renamer(column: str, hidden: str) -> Any:
    """A pglast visitor putting ``hidden`` where an expression or an index names ``column``
    (its ordering, operator class and collation kept)."""
    from pglast import ast
    from pglast.visitors import Visitor

    class Rename(Visitor):
        def visit_ColumnRef(self, parent: object, node: ast.ColumnRef) -> object:
            last = (node.fields or (None,))[-1]
            if isinstance(last, ast.String) and last.sval == column:
                return ast.ColumnRef(fields=(ast.String(sval=hidden),))
            return None

        def visit_IndexElem(self, parent: object, node: ast.IndexElem) -> object:
            if node.name == column:
                return ast.IndexElem(
                    name=hidden,
                    collation=node.collation,
                    opclass=node.opclass,
                    opclassopts=node.opclassopts,
                    ordering=node.ordering,
                    nulls_ordering=node.nulls_ordering,
                )
            return None

    return Rename()
