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

from dbshift import ops
from dbshift.errors import OnlineOperationError, UsageError
from dbshift.model import Column as ModelColumn
from dbshift.online import shape
from dbshift.online.mysql.sql import literal, q
from dbshift.ops import Operation


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    nullable: bool
    default: str | None
    extra: str
    comment: str = ""


def _needs_shadow(op: ops.Operation, columns: dict[str, Column]) -> bool:
    if shape.column_change(op) is not None or isinstance(op, ops.RenameColumn):
        return True
    if isinstance(op, ops.AddColumn):
        return op.up is not None
    if isinstance(op, ops.DropColumn):
        column = columns.get(op.column.name)
        required = column is not None and not column.nullable and column.default is None
        return op.down is not None or required
    return False


@dataclass
class TablePlan:
    table: str
    ops: list[Operation]
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
            if isinstance(op, ops.RenameTable):
                return op.new
        return self.table

    # --- the shadow's columns and the two directions of sync ---------------------------
    def up_exprs(self) -> dict[str, str]:
        """Shadow column -> expression over the old table's columns."""
        ups: dict[str, str] = {}
        for op in self.ops:
            change = shape.column_change(op)
            if change is not None:
                ups[change.after.name] = change.up or q(change.after.name)
            elif isinstance(op, ops.AddColumn) and op.up:
                ups[op.column.name] = op.up
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
            change = shape.column_change(op)
            if change is not None:
                downs[change.after.name] = change.down or q(change.after.name)
            elif isinstance(op, ops.DropColumn) and op.down:
                downs[op.column.name] = op.down
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
            change = shape.column_change(op)
            if change is not None:
                # As on every engine: what the file leaves out stays as it is (the type,
                # the nullability, the default unless the file drops it).
                current = self.columns[change.after.name]
                final = change.resolve(
                    ModelColumn(current.name, current.type, current.nullable, current.default)
                ).after
                null = "NULL" if final.nullable else "NOT NULL"
                default = f" DEFAULT {final.default}" if final.default is not None else ""
                auto = " AUTO_INCREMENT" if "auto_increment" in current.extra.lower() else ""
                # MODIFY COLUMN drops a comment it does not repeat.
                comment = f" COMMENT {literal(current.comment)}" if current.comment else ""
                type_ = final.type or current.type
                clauses.append(
                    f"MODIFY COLUMN {q(current.name)} {type_} {null}{default}{auto}{comment}"
                )
                if isinstance(op, ops.AddCheck):
                    c = op.constraint
                    clauses.append(f"ADD CONSTRAINT {q(c.name)} CHECK ({c.expression})")
            elif isinstance(op, ops.RenameColumn):
                clauses.append(f"RENAME COLUMN {q(op.old)} TO {q(op.new)}")
            elif isinstance(
                op, ops.AddColumn | ops.DropColumn | ops.CreateIndex | ops.AddUnique | ops.DropIndex
            ):
                clauses.append(_clause(op))
        return clauses

    # --- in place --------------------------------------------------------------------
    def start_statements(self, table: str) -> list[str]:
        """Online DDL on the old table at start (for tables without a shadow)."""
        out = []
        for op in self.ops:
            if isinstance(op, ops.AddColumn):
                out.append(f"ALTER TABLE {table} {_clause(op)}, ALGORITHM=INSTANT")
            elif isinstance(op, ops.CreateIndex | ops.AddUnique):
                out.append(f"ALTER TABLE {table} {_clause(op)}, ALGORITHM=INPLACE, LOCK=NONE")
        return out

    def complete_statements(self, table: str) -> list[str]:
        out = []
        for op in self.ops:
            if isinstance(op, ops.DropColumn):
                out.append(f"ALTER TABLE {table} {_clause(op)}, ALGORITHM=INSTANT")
            elif isinstance(op, ops.DropIndex):
                out.append(f"ALTER TABLE {table} {_clause(op)}, ALGORITHM=INPLACE, LOCK=NONE")
        return out

    def rollback_statements(self, table: str) -> list[str]:
        """Undo of ``start_statements`` and of foreign keys; each may find nothing to undo
        (a start killed half-way), which the engine tolerates."""
        out = []
        for op in reversed(self.ops):
            if isinstance(op, ops.AddColumn):
                out.append(f"ALTER TABLE {table} DROP COLUMN {q(op.column.name)}")
            elif isinstance(op, ops.CreateIndex | ops.AddUnique):
                out.append(f"ALTER TABLE {table} DROP INDEX {q(str(shape.name_of(op)))}")
            elif isinstance(op, ops.AddForeignKey):
                name = op.constraint.name
                out.append(f"ALTER TABLE {table} DROP FOREIGN KEY {q(name)}")
                # InnoDB creates an index named after the key when none serves its
                # columns, and keeps it when the key is dropped. Start refuses a taken
                # name, so an index of that name not there before start is start's.
                if self.indexes is not None and name.casefold() not in self.indexes:
                    out.append(f"ALTER TABLE {table} DROP INDEX {q(name)}")
        return out


def _clause(op: ops.Operation) -> str:
    match op:
        case ops.AddColumn():
            c = op.column
            null = " NULL" if c.nullable else " NOT NULL"
            default = f" DEFAULT {c.default}" if c.default is not None else ""
            return f"ADD COLUMN {q(c.name)} {c.type}{null}{default}"
        case ops.DropColumn():
            return f"DROP COLUMN {q(op.column.name)}"
        case ops.CreateIndex():
            i = op.index
            unique = "UNIQUE " if i.unique else ""
            method = f" USING {i.method.upper()}" if i.method else ""
            cols = ", ".join(q(c) for c in i.column_names)
            return f"ADD {unique}INDEX {q(i.name)}{method} ({cols})"
        case ops.AddUnique():
            u = op.constraint
            return f"ADD CONSTRAINT {q(u.name)} UNIQUE ({', '.join(q(c) for c in u.columns)})"
        case ops.DropIndex():
            return f"DROP INDEX {q(op.index.name)}"
    raise AssertionError(op.kind)


def foreign_key_sql(op: ops.AddForeignKey, table: str, parent: str) -> str:
    fk = op.constraint
    cols = ", ".join(q(c) for c in fk.columns)
    refs = ", ".join(q(c) for c in fk.ref_columns)
    no_action = fk.on_delete is fk.on_delete.NO_ACTION
    action = "" if no_action else f" ON DELETE {fk.on_delete.value}"
    return (
        f"ALTER TABLE {table} ADD CONSTRAINT {q(fk.name)} FOREIGN KEY ({cols}) "
        f"REFERENCES {parent} ({refs}){action}, ALGORITHM=INPLACE, LOCK=NONE"
    )


def orphans_sql(op: ops.AddForeignKey, table: str, parent: str) -> str:
    """Rows that the foreign key would reject (MySQL adds it online only unchecked)."""
    fk = op.constraint
    present = " AND ".join(f"c.{q(c)} IS NOT NULL" for c in fk.columns)
    match = " AND ".join(
        f"p.{q(r)} = c.{q(c)}" for c, r in zip(fk.columns, fk.ref_columns, strict=True)
    )
    return (
        f"SELECT count(*) FROM {table} AS c WHERE {present} "
        f"AND NOT EXISTS (SELECT 1 FROM {parent} AS p WHERE {match})"
    )


def plan_table(
    table: str,
    on: list[ops.Operation],
    columns: dict[str, Column],
    key: list[str],
    auto: str | None,
) -> TablePlan:
    """The plan for one table; operations the MySQL engine cannot run are refused here,
    before anything changes, each with the reason."""
    plan = TablePlan(table, on, columns, key, auto)
    plan.shadow = any(_needs_shadow(op, columns) for op in on)
    new: dict[str, str | None] = {name: name for name in columns}
    for op in on:
        where = f"{op.kind} on {table!r}"
        if isinstance(op, ops.CreateIndex) and op.index.where:
            raise UsageError(f"{where}: MySQL has no partial indexes (where = ...)")
        if isinstance(op, ops.AddForeignKey) and plan.shadow:
            raise UsageError(
                f"{where}: a foreign key cannot be added in the same migration as changes "
                "that copy the table; put it in a migration of its own"
            )
        if isinstance(op, ops.DropColumn) and plan.shadow and op.down is None:
            name = op.column.name
            column = columns.get(name)
            if column is not None and not column.nullable and column.default is None:
                raise UsageError(
                    f"{where}: {name!r} is NOT NULL without a default, so rows the new "
                    "version inserts need a value for the old version: give a down expression"
                )
        if (
            isinstance(op, ops.AddColumn | ops.DropColumn | ops.RenameColumn | ops.SplitTable)
            or shape.column_change(op) is not None
        ):
            try:
                reshaped = shape.reshape(op, {k: k for k in new})
            except OnlineOperationError as exc:
                raise OnlineOperationError(f"{where}: {exc.message}") from None
            if isinstance(op, ops.RenameColumn):
                new = {(op.new if k == op.old else k): v for k, v in new.items()}
            else:
                new = {k: new.get(k) for k in reshaped}
    if plan.shadow and auto is not None and auto not in new:
        raise UsageError(f"{table!r}: the auto-increment key {auto!r} cannot be dropped online")
    plan.new = new
    return plan


def is_raw(op: ops.Operation) -> bool:
    return isinstance(op, ops.RawSQL)
