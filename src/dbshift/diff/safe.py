"""From unsafe to safe: a plan rewritten into the forms that keep a live table readable and
writable while it changes, on a server that has them (``Dialect.nonblocking_forms``:
PostgreSQL).

The differ says *what* changes; this pass chooses *how*, for tables that already exist
(a table created in the same plan has no rows and no traffic, so the plain form is best
there). Each rewrite is made of ordinary operations, so the rewritten plan still applies
to the model and converges to the same schema:

- CREATE INDEX / DROP INDEX → ``CONCURRENTLY``;
- a UNIQUE constraint → its index built ``CONCURRENTLY``, then attached with
  ``ADD CONSTRAINT … UNIQUE USING INDEX``;
- a foreign key or CHECK → added ``NOT VALID``, then ``VALIDATE CONSTRAINT``;
- SET NOT NULL (PostgreSQL 12+) → a ``CHECK (c IS NOT NULL) NOT VALID``, validated, then
  SET NOT NULL (which trusts the valid check instead of scanning), then the check dropped;
- a column whose default PostgreSQL would write into every row (a volatile default; any
  default before PostgreSQL 11) → added nullable without it, the default set for new
  rows, existing rows backfilled in batches, then NOT NULL as above.

Every one of these needs its steps to commit separately (CONCURRENTLY refuses a
transaction; a VALIDATE in the same transaction as its ADD would scan under the ADD's
lock), so a plan that uses one is marked non-transactional: the runner then commits and
journals statement by statement, and resumes at the failed one after a crash.

Changes that break the application version still running (renames, type changes, drops)
have no safe single-step form; they are reported in ``breaking`` for the caller to flag.
"""

from __future__ import annotations

from dataclasses import field, replace
from typing import TYPE_CHECKING

from dbshift.frozen import frozen
from dbshift.model import CheckConstraint
from dbshift.ops import (
    AddCheck,
    AddColumn,
    AddForeignKey,
    AddUnique,
    AlterColumn,
    CreateIndex,
    CreateTable,
    DropCheck,
    DropIndex,
    RenameTable,
)
from dbshift.ops.backfill import Backfill
from dbshift.ops.validate_constraint import ValidateConstraint

if TYPE_CHECKING:
    from dbshift.dialects import Dialect
    from dbshift.model import Column, Schema, Table
    from dbshift.ops import Operation


@frozen
class SafePlan:
    ops: tuple[Operation, ...]
    #: False when a safe form needs each statement to commit on its own.
    transactional: bool
    #: Operations that break the running application version: no safe form exists.
    breaking: tuple[Operation, ...]
    #: What a step of a safe form costs, where the operation's own safety note would
    #: describe it out of context (SET NOT NULL after a valid check does not scan).
    notes: dict[int, str] = field(default_factory=dict)


def safe_plan(
    ops: list[Operation], before: Schema, dialect: Dialect, *, server_version: int | None = None
) -> SafePlan:
    """``ops`` in their non-blocking forms for ``dialect`` (where it has them:
    ``Dialect.nonblocking_forms``).

    ``server_version`` is PostgreSQL's ``server_version_num``; None means a supported
    release (12 or later).
    """
    fresh: set[tuple[str | None, str]] = set()
    out: list[Operation] = []
    breaking: list[Operation] = []
    schema = before
    for op in ops:
        key = op.table_key
        table = schema.table(key[1], key[0]) if key is not None and key not in fresh else None
        if table is not None and dialect.safety(op).breaking:
            breaking.append(op)
        if dialect.nonblocking_forms and table is not None:
            out.extend(_nonblocking(op, table, server_version or 120000, dialect))
        else:
            out.append(op)
        if isinstance(op, CreateTable):
            fresh.add(op.table.key)
        elif isinstance(op, RenameTable) and (op.schema, op.old) in fresh:
            fresh.add((op.schema, op.new))
        schema = op.apply(schema)
    transactional = not any(_needs_autocommit(op) for op in out)
    notes = {i: _TRUSTS_CHECK for i, op in enumerate(out) if _trusts_check(out, i, dialect)}
    return SafePlan(
        ops=tuple(out), transactional=transactional, breaking=tuple(breaking), notes=notes
    )


_TRUSTS_CHECK = "brief lock; no scan: the valid NOT NULL check proves it (PostgreSQL 12+)"


def _trusts_check(ops: list[Operation], i: int, dialect: Dialect) -> bool:
    """SET NOT NULL right after the validation of an ``IS NOT NULL`` check on its column."""
    if i < 2:
        return False
    added, validated, op = ops[i - 2], ops[i - 1], ops[i]
    return (
        isinstance(op, AlterColumn)
        and op.changes == ("nullable",)
        and isinstance(validated, ValidateConstraint)
        and isinstance(added, AddCheck)
        and added.constraint.name == validated.name
        and added.constraint.expression == f"{dialect.quote(op.after.name)} IS NOT NULL"
    )


def _needs_autocommit(op: Operation) -> bool:
    if isinstance(op, CreateIndex | DropIndex | AddUnique):
        return op.concurrently
    return isinstance(op, ValidateConstraint | Backfill)


def _nonblocking(op: Operation, table: Table, version: int, dialect: Dialect) -> list[Operation]:
    if isinstance(op, CreateIndex | DropIndex | AddUnique):
        return [replace(op, concurrently=True)]
    if isinstance(op, AddForeignKey) and op.constraint.validated:
        return [
            replace(op, constraint=replace(op.constraint, validated=False)),
            ValidateConstraint(on=op.on, name=op.constraint.name),
        ]
    if isinstance(op, AddCheck) and op.constraint.validated:
        return [
            replace(op, constraint=replace(op.constraint, validated=False)),
            ValidateConstraint(on=op.on, name=op.constraint.name),
        ]
    if isinstance(op, AlterColumn):
        return _alter_column(op, table, version, dialect)
    if isinstance(op, AddColumn):
        return _add_column(op, table, version, dialect)
    return [op]


def _alter_column(op: AlterColumn, table: Table, version: int, dialect: Dialect) -> list[Operation]:
    changes = set(op.changes)
    tightening = "nullable" in changes and not op.after.nullable
    # A type change rewrites the table anyway (and checks NOT NULL while it does); before
    # PostgreSQL 12, SET NOT NULL scans even with a valid check constraint.
    if not tightening or changes & {"type", "collation"} or version < 120000:
        return [op]
    out: list[Operation] = []
    if changes - {"nullable"}:
        out.append(replace(op, after=replace(op.after, nullable=op.before.nullable)))
    return out + _set_not_null(op.on, replace(op.after, nullable=True), table, dialect)


def _set_not_null(
    on: tuple[str | None, str], column: Column, table: Table, dialect: Dialect
) -> list[Operation]:
    """SET NOT NULL without the full-table scan under ACCESS EXCLUSIVE (PostgreSQL 12+
    skips the scan when a valid CHECK proves the column has no NULLs)."""
    check = CheckConstraint(
        name=_check_name(table, column.name, dialect),
        expression=f"{dialect.quote(column.name)} IS NOT NULL",
        validated=False,
    )
    return [
        AddCheck(on=on, constraint=check),
        ValidateConstraint(on=on, name=check.name),
        AlterColumn(on=on, before=column, after=replace(column, nullable=False)),
        DropCheck(on=on, constraint=replace(check, validated=True)),
    ]


def _check_name(table: Table, column: str, dialect: Dialect) -> str:
    """A constraint name not taken on ``table`` that the server keeps whole."""
    taken = {c.name for c in table.checks} | {f.name for f in table.foreign_keys}
    taken |= {u.name for u in table.uniques} | {i.name for i in table.indexes}
    base = f"{table.name}_{column}"
    suffix = "_not_null"
    number = 0
    while True:
        tail = f"{suffix}{number}" if number else suffix
        # Shortened a byte at a time: the limit may count bytes (PostgreSQL's does).
        head = base
        while not dialect.identifier_fits(head + tail):
            head = head.encode()[:-1].decode(errors="ignore")
        if head + tail not in taken:
            return head + tail
        number += 1


def _add_column(op: AddColumn, table: Table, version: int, dialect: Dialect) -> list[Operation]:
    c = op.column
    rewrites = c.default is not None and (dialect.volatile_default(c.default) or version < 110000)
    if not rewrites or c.identity is not None or c.generated is not None:
        return [op]
    assert c.default is not None
    bare = replace(c, default=None, nullable=True)
    pk = table.primary_key.columns if table.primary_key is not None else ()
    # COMMIT inside a DO block (the batched form) needs PostgreSQL 11.
    key = pk[0] if len(pk) == 1 and version >= 110000 else None
    out: list[Operation] = [
        replace(op, column=bare),
        AlterColumn(on=op.on, before=bare, after=replace(bare, default=c.default)),
        Backfill(on=op.on, column=c.name, expression=c.default, key=key),
    ]
    if not c.nullable:
        filled = replace(c, nullable=True)
        if version >= 120000:
            out += _set_not_null(op.on, filled, table, dialect)
        else:
            out.append(AlterColumn(on=op.on, before=filled, after=c))
    return out
