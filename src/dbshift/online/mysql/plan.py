"""What an online migration does to each table on MySQL/MariaDB, and with which strategy.

Two strategies (docs/online.md has the table of operations):
- **in place**, where the server changes the table online and no column is renamed or
  retyped, so one table serves both versions: ``ADD COLUMN`` (INSTANT), ``CREATE INDEX``
  / ``ADD UNIQUE`` / ``ADD FOREIGN KEY`` (INPLACE, LOCK=NONE) at start; ``DROP COLUMN``
  and ``DROP INDEX`` at complete. The new version sees the table through a view.
- **shadow**, for everything that renames or retypes a column or needs values computed
  for one version from the other: a copy of the table in the final shape, kept in step
  with the original by triggers both ways, filled by a chunked copy, and swapped in by
  one atomic ``RENAME TABLE`` at complete. The new version uses the shadow directly.

Why not hidden columns and views, as on PostgreSQL: MySQL views name columns, so the
rename of a hidden column at complete would break the new version's view until it is
recreated, and no MySQL statement renames a column and redefines a view atomically.
``RENAME TABLE`` is atomic across any number of tables and views, so the cut-over is
expressed as renames only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dbshift.errors import OnlineOperationError, UsageError
from dbshift.online.mysql.sql import literal, q
from dbshift.online.operations import OnlineOperation
from dbshift.online.operations.add_check import AddCheck
from dbshift.online.operations.add_column import AddColumn
from dbshift.online.operations.add_foreign_key import AddForeignKey
from dbshift.online.operations.add_unique import AddUnique
from dbshift.online.operations.alter_column import AlterColumn
from dbshift.online.operations.create_index import CreateIndex
from dbshift.online.operations.drop_column import DropColumn
from dbshift.online.operations.drop_index import DropIndex
from dbshift.online.operations.raw_sql import RawSQL
from dbshift.online.operations.rename_column import RenameColumn
from dbshift.online.operations.rename_table import RenameTable
from dbshift.online.operations.split_table import SplitTable


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    nullable: bool
    default: str | None
    extra: str
    comment: str = ""


def _needs_shadow(op: OnlineOperation, columns: dict[str, Column]) -> bool:
    if isinstance(op, AlterColumn | RenameColumn):  # AddCheck is an AlterColumn
        return True
    if isinstance(op, AddColumn):
        return op.up is not None
    if isinstance(op, DropColumn):
        column = columns.get(op.column)
        required = column is not None and not column.nullable and column.default is None
        return op.down is not None or required
    return False


@dataclass
class TablePlan:
    table: str
    ops: list[OnlineOperation]
    #: The old table's columns, in order (from the catalog).
    columns: dict[str, Column]
    key: list[str]
    #: The auto-increment key column, if the key is one.
    auto: str | None
    shadow: bool = False
    #: New version: column name -> the old column it comes from (None: a new column).
    new: dict[str, str | None] = field(default_factory=dict)
    #: The table's index names before start, casefolded (MySQL compares them so); None
    #: when the journal does not say.
    indexes: frozenset[str] | None = None

    @property
    def view(self) -> str:
        """The table's name in the new version."""
        for op in self.ops:
            if isinstance(op, RenameTable):
                return op.new_name
        return self.table

    # --- the shadow's columns and the two directions of sync ---------------------------
    def up_exprs(self) -> dict[str, str]:
        """Shadow column -> expression over the old table's columns."""
        ups: dict[str, str] = {}
        for op in self.ops:
            if isinstance(op, AlterColumn):
                ups[op.column] = op.up or q(op.column)
            elif isinstance(op, AddColumn) and op.up:
                ups[op.column] = op.up
        out: dict[str, str] = {}
        for name, source in self.new.items():
            if name in ups:
                out[name] = ups[name]
            elif source is not None:
                out[name] = q(source)
        return out

    def down_exprs(self) -> dict[str, str]:
        """Old column -> expression over the new version's (the shadow's) columns."""
        downs: dict[str, str] = {}
        for op in self.ops:
            if isinstance(op, AlterColumn):
                downs[op.column] = op.down or q(op.column)
            elif isinstance(op, DropColumn) and op.down:
                downs[op.column] = op.down
        renamed = {source: name for name, source in self.new.items() if source is not None}
        out: dict[str, str] = {}
        for name in self.columns:
            if name in downs:
                out[name] = downs[name]
            elif name in renamed:
                out[name] = q(renamed[name])
        return out

    def shadow_alter(self) -> list[str]:
        """ALTER TABLE clauses that turn a copy of the old table into the final shape."""
        clauses: list[str] = []
        for op in self.ops:
            if isinstance(op, AlterColumn):
                # As on every engine: what the file leaves out stays as it is (the type,
                # the nullability, the default unless drop_default).
                current = self.columns[op.column]
                not_null = not current.nullable if op.not_null is None else op.not_null
                null = "NOT NULL" if not_null else "NULL"
                kept = None if op.drop_default else current.default
                value = op.default if op.default is not None else kept
                default = f" DEFAULT {value}" if value is not None else ""
                auto = " AUTO_INCREMENT" if "auto_increment" in current.extra.lower() else ""
                # MODIFY COLUMN drops a comment it does not repeat.
                comment = f" COMMENT {literal(current.comment)}" if current.comment else ""
                type_ = op.data_type or current.type
                clauses.append(
                    f"MODIFY COLUMN {q(op.column)} {type_} {null}{default}{auto}{comment}"
                )
                if isinstance(op, AddCheck):
                    clauses.append(f"ADD CONSTRAINT {q(op.name)} CHECK ({op.check})")
            elif isinstance(op, RenameColumn):
                clauses.append(f"RENAME COLUMN {q(op.column)} TO {q(op.new_name)}")
            elif isinstance(op, AddColumn | DropColumn | CreateIndex | AddUnique | DropIndex):
                clauses.append(_clause(op))
        return clauses

    # --- in place --------------------------------------------------------------------
    def start_statements(self, table: str) -> list[str]:
        """Online DDL on the old table at start (for tables without a shadow)."""
        out = []
        for op in self.ops:
            if isinstance(op, AddColumn):
                out.append(f"ALTER TABLE {table} {_clause(op)}, ALGORITHM=INSTANT")
            elif isinstance(op, CreateIndex | AddUnique):
                out.append(f"ALTER TABLE {table} {_clause(op)}, ALGORITHM=INPLACE, LOCK=NONE")
        return out

    def complete_statements(self, table: str) -> list[str]:
        out = []
        for op in self.ops:
            if isinstance(op, DropColumn):
                out.append(f"ALTER TABLE {table} {_clause(op)}, ALGORITHM=INSTANT")
            elif isinstance(op, DropIndex):
                out.append(f"ALTER TABLE {table} {_clause(op)}, ALGORITHM=INPLACE, LOCK=NONE")
        return out

    def rollback_statements(self, table: str) -> list[str]:
        """Undo of ``start_statements`` and of foreign keys; each may find nothing to undo
        (a start killed half-way), which the engine tolerates."""
        out = []
        for op in reversed(self.ops):
            if isinstance(op, AddColumn):
                out.append(f"ALTER TABLE {table} DROP COLUMN {q(op.column)}")
            elif isinstance(op, CreateIndex | AddUnique):
                out.append(f"ALTER TABLE {table} DROP INDEX {q(op.name)}")
            elif isinstance(op, AddForeignKey):
                out.append(f"ALTER TABLE {table} DROP FOREIGN KEY {q(op.name)}")
                # InnoDB creates an index named after the key when none serves its
                # columns, and keeps it when the key is dropped. Start refuses a taken
                # name, so an index of that name not there before start is start's.
                if self.indexes is not None and op.name.casefold() not in self.indexes:
                    out.append(f"ALTER TABLE {table} DROP INDEX {q(op.name)}")
        return out


def _clause(op: OnlineOperation) -> str:
    if isinstance(op, AddColumn):
        null = " NOT NULL" if op.required else " NULL"
        default = f" DEFAULT {op.default}" if op.default is not None else ""
        return f"ADD COLUMN {q(op.column)} {op.data_type}{null}{default}"
    if isinstance(op, DropColumn):
        return f"DROP COLUMN {q(op.column)}"
    if isinstance(op, CreateIndex):
        unique = "UNIQUE " if op.unique else ""
        method = f" USING {op.method.upper()}" if op.method else ""
        cols = ", ".join(q(c) for c in op.columns)
        return f"ADD {unique}INDEX {q(op.name)}{method} ({cols})"
    if isinstance(op, AddUnique):
        return f"ADD CONSTRAINT {q(op.name)} UNIQUE ({', '.join(q(c) for c in op.columns)})"
    if isinstance(op, DropIndex):
        return f"DROP INDEX {q(op.name)}"
    raise AssertionError(op.type)


def foreign_key_sql(op: AddForeignKey, table: str, parent: str) -> str:
    cols = ", ".join(q(c) for c in op.columns)
    refs = ", ".join(q(c) for c in op.referenced_columns)
    action = f" ON DELETE {op.on_delete.upper()}" if op.on_delete else ""
    return (
        f"ALTER TABLE {table} ADD CONSTRAINT {q(op.name)} FOREIGN KEY ({cols}) "
        f"REFERENCES {parent} ({refs}){action}, ALGORITHM=INPLACE, LOCK=NONE"
    )


def orphans_sql(op: AddForeignKey, table: str, parent: str) -> str:
    """Rows that the foreign key would reject (MySQL adds it online only unchecked)."""
    present = " AND ".join(f"c.{q(c)} IS NOT NULL" for c in op.columns)
    match = " AND ".join(
        f"p.{q(r)} = c.{q(c)}" for c, r in zip(op.columns, op.referenced_columns, strict=True)
    )
    return (
        f"SELECT count(*) FROM {table} AS c WHERE {present} "
        f"AND NOT EXISTS (SELECT 1 FROM {parent} AS p WHERE {match})"
    )


def plan_table(
    table: str,
    ops: list[OnlineOperation],
    columns: dict[str, Column],
    key: list[str],
    auto: str | None,
) -> TablePlan:
    """The plan for one table; operations the MySQL engine cannot run are refused here,
    before anything changes, each with the reason."""
    plan = TablePlan(table, ops, columns, key, auto)
    plan.shadow = any(_needs_shadow(op, columns) for op in ops)
    new: dict[str, str | None] = {name: name for name in columns}
    for op in ops:
        where = f"{op.type} on {table!r}"
        if isinstance(op, CreateIndex) and op.where:
            raise UsageError(f"{where}: MySQL has no partial indexes (where = ...)")
        if isinstance(op, AddForeignKey) and plan.shadow:
            raise UsageError(
                f"{where}: a foreign key cannot be added in the same migration as changes "
                "that copy the table; put it in a migration of its own"
            )
        if isinstance(op, DropColumn) and plan.shadow and op.down is None:
            column = columns.get(op.column)
            if column is not None and not column.nullable and column.default is None:
                raise UsageError(
                    f"{where}: {op.column!r} is NOT NULL without a default, so rows the new "
                    "version inserts need a value for the old version: give a down expression"
                )
        if isinstance(op, AddColumn | DropColumn | RenameColumn | AlterColumn | SplitTable):
            try:
                reshaped = op.reshape({k: k for k in new})
            except OnlineOperationError as exc:
                raise OnlineOperationError(f"{where}: {exc.message}") from None
            if isinstance(op, RenameColumn):
                new = {(op.new_name if k == op.column else k): v for k, v in new.items()}
            else:
                new = {k: new.get(k) for k in reshaped}
    if plan.shadow and auto is not None and auto not in new:
        raise UsageError(f"{table!r}: the auto-increment key {auto!r} cannot be dropped online")
    plan.new = new
    return plan


def is_raw(op: OnlineOperation) -> bool:
    return isinstance(op, RawSQL)
