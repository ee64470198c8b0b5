"""The differ's part for extensions, collations, composite types and row-level security.

Extensions and collations come before everything that may use them and go after; composite
types after the enums and domains their attributes may use, and before the tables whose
columns may use them (dropped the other way round). Policies are created last of all (their
expressions may call functions created with the views) and dropped first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import TypeVar

from dbshift.dialects.render import Unsupported
from dbshift.model import Schema, Table
from dbshift.ops import (
    AlterCompositeType,
    AlterExtension,
    CreateCollation,
    CreateCompositeType,
    CreateExtension,
    CreatePolicy,
    CreateStatistics,
    DropCollation,
    DropCompositeType,
    DropExtension,
    DropIndex,
    DropPolicy,
    DropStatistics,
    Operation,
    RecreateCollation,
    SetRowSecurity,
    SetTableSqliteOptions,
    SetTableStorage,
    SetTableUnlogged,
)

T = TypeVar("T")
Key = tuple[str | None, str]


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
    came_c, _, _ = _pairs(current.collations, desired.collations)
    ops += [CreateCollation(c) for c in came_c]
    # A collation cannot be altered: a changed one is swapped in under its columns.
    ops += recreated_collations(current, desired)
    return ops


def recreated_collations(current: Schema, desired: Schema) -> list[RecreateCollation]:
    _, changed, _ = _pairs(current.collations, desired.collations)
    return [RecreateCollation(before=b, after=a) for b, a in changed]


def collation_users(current: Schema, desired: Schema) -> tuple[list[Operation], set[Key]]:
    """For collations about to be swapped: (indexes that name one, dropped before it goes
    and created again by the rest of the diff; tables with a column of one, whose views
    are recreated around the change). A domain or composite type using one is refused by
    name: no ALTER moves it to another collation."""
    swaps = recreated_collations(current, desired)
    if not swaps:
        return [], set()
    drops: list[Operation] = []
    tables: set[Key] = set()
    for swap in swaps:
        quoted = '"' + swap.before.name.replace('"', '""') + '"'
        spelled = (f"COLLATE {quoted}", f"COLLATE {swap.before.name}")
        users = [
            *(
                f"domain {d.name}"
                for d in current.domains
                if any(s in d.definition for s in spelled)
            ),
            *(
                f"type {t.name}"
                for t in current.composite_types
                if any(s in a for _, a in t.attributes for s in spelled)
            ),
        ]
        if users:
            raise Unsupported(
                f"collation {swap.before.name} changes and {', '.join(users)} uses it: "
                "recreating those around it is not supported yet"
            )
        for t in current.tables:
            drops += [DropIndex(on=t.key, index=i) for i in t.indexes if swap.index_uses(i)]
            if any(swap.column_uses(c) for c in t.columns):
                tables.add(t.key)
    return drops, tables


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
    if old.storage != new.storage:
        flags.append(SetTableStorage(on=new.key, before=old.storage, after=new.storage))
    if old.unlogged != new.unlogged:
        flags.append(SetTableUnlogged(on=new.key, unlogged=new.unlogged))
    if (old.strict, old.without_rowid) != (new.strict, new.without_rowid):
        flags.append(
            SetTableSqliteOptions(
                on=new.key,
                before=(old.strict, old.without_rowid),
                after=(new.strict, new.without_rowid),
            )
        )
    had = set(old.policies)
    creates: list[Operation] = [
        CreatePolicy(on=new.key, policy=p) for p in new.policies if p not in had
    ]
    # Extended statistics: dropped first (dropping a column they name drops them) and
    # created last; a changed one is dropped and created.
    drops += [
        DropStatistics(on=new.key, statistics=s)
        for s in old.statistics
        if s not in set(new.statistics)
    ]
    creates += [
        CreateStatistics(on=new.key, statistics=s)
        for s in new.statistics
        if s not in set(old.statistics)
    ]
    return drops, flags, creates


def logging_in_order(ops: list[Operation], tables: Mapping[Key, Table]) -> list[Operation]:
    """``ops`` with their SET UNLOGGED / SET LOGGED in an order the server takes: a logged
    table may not reference an unlogged one, so SET UNLOGGED goes from a referencing table
    to the tables it references, SET LOGGED from the referenced ones on. The other
    operations keep their places."""
    changes = {op.on: op for op in ops if isinstance(op, SetTableUnlogged)}
    if len(changes) < 2:
        return ops
    referenced: dict[Key, list[Key]] = {
        key: [
            (f.ref_schema if f.ref_schema is not None else key[0], f.ref_table)
            for f in tables[key].foreign_keys
        ]
        for key in changes
        if key in tables
    }
    order: list[Key] = []  # each after what it references
    seen: set[Key] = set()

    def visit(key: Key) -> None:
        if key in seen:
            return
        seen.add(key)
        for target in referenced.get(key, ()):
            if target in changes:
                visit(target)
        order.append(key)

    for key in changes:
        visit(key)
    logged = [changes[k] for k in order if not changes[k].unlogged]
    unlogged = [changes[k] for k in reversed(order) if changes[k].unlogged]
    ordered = iter([*unlogged, *logged])
    return [next(ordered) if isinstance(op, SetTableUnlogged) else op for op in ops]


def policies_of(table: Table) -> list[Operation]:
    """A new table's policies and extended statistics, created last (see ``security``)."""
    return [
        *(CreatePolicy(on=table.key, policy=p) for p in table.policies),
        *(CreateStatistics(on=table.key, statistics=s) for s in table.statistics),
    ]


def without_policies(table: Table) -> Table:
    """The table as CREATE TABLE makes it: its policies and extended statistics come last
    (see ``security``)."""
    if table.policies or table.statistics:
        return replace(table, policies=(), statistics=())
    return table


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
