"""A kept table's parents (PostgreSQL ``INHERITS``) changing: NO INHERIT and INHERIT.

The model lists a child's own columns and checks only (``attislocal``/``conislocal``);
what it has only from its parents is theirs. ALTER TABLE … NO INHERIT makes what the child
had only from that parent its own, and ALTER TABLE … INHERIT requires the child to have
all of the parent's columns and checks already (they stay its own). So a table can leave
any parent, and join one only when the desired child declares the parent's columns and
checks itself, as ``CREATE TABLE child (id int, …) INHERITS (parent)`` does; a child that
is to have them from the parent only is what CREATE TABLE makes and no ALTER reaches:
refused by name.

ALTER TABLE … INHERIT adds the parent last, so parents after the first that differs
leave and join again in the desired order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from dbshift.dialects.render import Unsupported
from dbshift.model import CheckConstraint, Column, Table
from dbshift.ops import InheritTable, NoInheritTable, Operation

Key = tuple[str | None, str]


def changes(
    old: Table, new: Table, old_tables: Mapping[Key, Table], new_tables: Mapping[Key, Table]
) -> tuple[list[Operation], Table, list[Operation]]:
    """(NO INHERIT operations first, the table as they leave it, INHERIT operations after
    new tables and the child's new columns and checks exist)."""
    if old.inherits == new.inherits:
        return [], old, []
    staying = [p for p in old.inherits if p in new.inherits]
    keep = 0
    while keep < len(staying) and staying[keep] == new.inherits[keep]:
        keep += 1
    first: list[Operation] = []
    table = old
    # The last parent leaves first, so the reversed plan joins them again in order.
    for parent in reversed(old.inherits):
        if parent not in staying[:keep]:
            leave = _leave(table, parent, old_tables)
            first.append(leave)
            table = replace(
                table,
                inherits=tuple(p for p in table.inherits if p != parent),
                columns=leave.columns if leave.columns is not None else table.columns,
                checks=leave.checks if leave.checks is not None else table.checks,
            )
    after: list[Operation] = []
    for parent in new.inherits[keep:]:
        parent_table = new_tables.get((new.schema, parent))
        columns, checks = _inherited(parent_table, new_tables) if parent_table else ({}, {})
        missing = [n for n in columns if new.column(n) is None]
        own_checks = {c.name for c in new.checks}
        missing += [f"check {n}" for n in checks if n not in own_checks]
        if missing:
            raise Unsupported(
                f"table {new.name}: INHERIT {parent} keeps the child's columns and checks its "
                f"own, and {new.name} does not declare {', '.join(missing)}: declare them in "
                f"{new.name} too, or create the table again by hand"
            )
        after.append(InheritTable(on=old.key, parent=parent))
    return first, table, after


def _leave(table: Table, parent: str, tables: Mapping[Key, Table]) -> NoInheritTable:
    """NO INHERIT ``parent``, with what the child takes over from it."""
    parent_table = tables.get((table.schema, parent))
    after = table.inherits[table.inherits.index(parent) + 1 :]
    if parent_table is None:
        return NoInheritTable(on=table.key, parent=parent, followed_by=after)
    columns, checks = _inherited(parent_table, tables)
    others = [tables.get((table.schema, p)) for p in table.inherits if p != parent]
    kept_columns: set[str] = set()
    kept_checks: set[str] = set()
    for other in others:
        if other is not None:
            more_columns, more_checks = _inherited(other, tables)
            kept_columns |= set(more_columns)
            kept_checks |= set(more_checks)
    adopted = [n for n in columns if table.column(n) is None and n not in kept_columns]
    adopted_checks = [
        c
        for n, c in checks.items()
        if n not in kept_checks and all(own.name != n for own in table.checks)
    ]
    # The child's columns in attnum order: as the server has them where the inspector
    # said (a parent's column added after the child came last), else its parents' (in
    # order), then its own.
    everything = list(_inherited(table, tables)[0])
    if table.column_order:
        known = set(everything)
        everything = [n for n in table.column_order if n in known] + [
            n for n in everything if n not in set(table.column_order)
        ]
    by_name = {n: c for n, c in columns.items() if n in adopted}
    ordered = tuple(
        table.column(n) or _adopted(by_name[n])
        for n in everything
        if table.column(n) is not None or n in by_name
    )
    return NoInheritTable(
        on=table.key,
        parent=parent,
        columns=ordered if adopted else None,
        checks=(*table.checks, *adopted_checks) if adopted_checks else None,
        adopted=(*adopted, *(f"check {c.name}" for c in adopted_checks)),
        followed_by=after,
    )


def _adopted(column: Column) -> Column:
    """An inherited column as the child has it: identity and comment are not inherited."""
    return replace(column, identity=None, comment=None)


def _inherited(
    table: Table, tables: Mapping[Key, Table], depth: int = 0
) -> tuple[dict[str, Column], dict[str, CheckConstraint]]:
    """Every column of ``table`` (its ancestors' first, in order; its own definition where
    it declares one) and every check a child inherits from it (not ``NO INHERIT`` ones)."""
    columns: dict[str, Column] = {}
    checks: dict[str, CheckConstraint] = {}
    if depth <= len(tables):  # a cycle in a hand-built model must not recurse forever
        for name in table.inherits:
            parent = tables.get((table.schema, name))
            if parent is not None:
                more_columns, more_checks = _inherited(parent, tables, depth + 1)
                for n, c in more_columns.items():
                    columns.setdefault(n, c)
                for n, k in more_checks.items():
                    checks.setdefault(n, k)
    for c in table.columns:
        columns[c.name] = c
    for k in table.checks:
        if not k.no_inherit and not k.expression.rstrip().upper().endswith("NO INHERIT"):
            checks[k.name] = k
    return columns, checks
