"""The differ's part for extensions, collations, composite types and row-level security.

Extensions and collations come before everything that may use them and go after; composite
types after the enums and domains their attributes may use, and before the tables whose
columns may use them (dropped the other way round). Policies are created last of all (their
expressions may call functions created with the views) and dropped first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import TypeVar

from dbshift.model import Schema, Table
from dbshift.ops import (
    AlterCompositeType,
    AlterExtension,
    CreateCollation,
    CreateCompositeType,
    CreateExtension,
    CreatePolicy,
    DropCollation,
    DropCompositeType,
    DropExtension,
    DropPolicy,
    Operation,
    SetRowSecurity,
)

T = TypeVar("T")


def _keyed(items: Iterable[T]) -> dict[tuple[str | None, str], T]:
    return {(getattr(i, "schema", None), getattr(i, "name", "")): i for i in items}


def _pairs(old: Iterable[T], new: Iterable[T]) -> tuple[list[T], list[tuple[T, T]], list[T]]:
    """(only in new, (old, new) changed, only in old)."""
    before, after = _keyed(old), _keyed(new)
    came = [o for k, o in after.items() if k not in before]
    changed = [(before[k], o) for k, o in after.items() if k in before and before[k] != o]
    gone = [o for k, o in before.items() if k not in after]
    return came, changed, gone


def created_first(current: Schema, desired: Schema) -> list[Operation]:
    """Extensions and collations that come or change, before any type or table."""
    ops: list[Operation] = []
    came, changed, _ = _pairs(current.extensions, desired.extensions)
    ops += [CreateExtension(e) for e in came]
    ops += [AlterExtension(before=b, after=a) for b, a in changed]
    came_c, changed_c, _ = _pairs(current.collations, desired.collations)
    # A collation cannot be altered: a changed one is dropped first (see dropped_first).
    ops += [CreateCollation(c) for c in came_c]
    ops += [CreateCollation(a) for _, a in changed_c]
    return ops


def dropped_first(current: Schema, desired: Schema) -> list[Operation]:
    """Changed collations, dropped before they are created again (a column that still
    uses one makes the server refuse: said, not hidden)."""
    _, changed, _ = _pairs(current.collations, desired.collations)
    return [DropCollation(b) for b, _ in changed]


def types_created(current: Schema, desired: Schema) -> list[Operation]:
    came, changed, _ = _pairs(current.composite_types, desired.composite_types)
    return [
        *(CreateCompositeType(t) for t in _in_use_order(came)),
        *(AlterCompositeType(before=b, after=a) for b, a in changed),
    ]


def types_dropped(current: Schema, desired: Schema) -> list[Operation]:
    _, _, gone = _pairs(current.composite_types, desired.composite_types)
    return [DropCompositeType(t) for t in reversed(_in_use_order(gone))]


def _in_use_order(types: list[T]) -> list[T]:
    """Composite types whose attributes use another of them after it."""
    names = {getattr(t, "name", ""): t for t in types}
    out: list[T] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen:
            return
        seen.add(name)
        for _, type_ in getattr(names[name], "attributes", ()):
            base = type_.split(" COLLATE ")[0].removesuffix("[]").strip('"')
            if base in names:
                visit(base)
        out.append(names[name])

    for name in sorted(names):
        visit(name)
    return out


def dropped_last(current: Schema, desired: Schema) -> list[Operation]:
    """Collations and extensions that go, after everything that may have used them."""
    _, _, gone_c = _pairs(current.collations, desired.collations)
    _, _, gone_x = _pairs(current.extensions, desired.extensions)
    return [*(DropCollation(c) for c in gone_c), *(DropExtension(e) for e in gone_x)]


def security(old: Table, new: Table) -> tuple[list[Operation], list[Operation], list[Operation]]:
    """For a kept table: (policies dropped first, ENABLE/FORCE with the table's other
    changes, policies created last). A changed policy is dropped and created."""
    kept = set(new.policies)
    drops: list[Operation] = [
        DropPolicy(on=new.key, policy=p) for p in old.policies if p not in kept
    ]
    flags: list[Operation] = []
    before = (old.row_security, old.force_row_security)
    after = (new.row_security, new.force_row_security)
    if before != after:
        flags.append(SetRowSecurity(on=new.key, before=before, after=after))
    had = set(old.policies)
    creates: list[Operation] = [
        CreatePolicy(on=new.key, policy=p) for p in new.policies if p not in had
    ]
    return drops, flags, creates


def policies_of(table: Table) -> list[Operation]:
    """A new table's policies, created last (see ``security``)."""
    return [CreatePolicy(on=table.key, policy=p) for p in table.policies]


def without_policies(table: Table) -> Table:
    """The table as CREATE TABLE makes it: its policies come last (see ``security``)."""
    return replace(table, policies=()) if table.policies else table


def policies_over(
    dropped: Iterable[object], current: Schema, desired: Schema
) -> list[tuple[Operation, Operation]]:
    """(drop, create) for each policy kept as it is that names a routine in ``dropped``
    (as a word): it is dropped before the routine and created again at the end."""
    import re

    from dbshift.model import Routine

    names = {r.name for r in dropped if isinstance(r, Routine) and r.kind != "trigger"}
    if not names:
        return []
    pattern = re.compile(
        "|".join(r"(?<![\w$])" + re.escape(n) + r"(?![\w$])" for n in sorted(names))
    )
    out: list[tuple[Operation, Operation]] = []
    for table in current.tables:
        if not table.policies:
            continue
        target = desired.table(table.name, table.schema)
        kept = set(target.policies) if target is not None else set()
        for p in table.policies:
            if p in kept and pattern.search(p.definition):
                out.append(
                    (DropPolicy(on=table.key, policy=p), CreatePolicy(on=table.key, policy=p))
                )
    return out
