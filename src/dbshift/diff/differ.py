"""Current schema + desired schema → ordered operations. Written once for every dialect.

Order, chosen so each statement finds what it needs and nothing it removes is still used:
views and foreign keys that go or change are dropped first; changed sequences are altered
in place; new enums, enum values, sequences and domains are created; then columns,
constraints and indexes of kept tables change (an enum that loses or reorders values is
swapped in between); new tables (foreign keys after all tables exist, so cycles need no special case),
new constraints, indexes and foreign keys; dropped tables, sequences, domains and enums
last, and views recreated at the very end.

Renames are never guessed: without a hint a renamed column is a drop and an add, which
the operations flag as destructive. ``suggest_renames`` proposes hints for the CLI to ask.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import field, replace

from dbshift.diff import comments, depends, extras, inheritance, partitions
from dbshift.errors import Unsupported, UsageError
from dbshift.frozen import frozen
from dbshift.model import (
    Column,
    Domain,
    EnumType,
    Index,
    Schema,
    Sequence,
    Table,
    TableOptions,
    View,
)
from dbshift.model.depends import table_ident, view_ident
from dbshift.ops import (
    AddCheck,
    AddColumn,
    AddEnumValue,
    AddExclusion,
    AddForeignKey,
    AddPrimaryKey,
    AddUnique,
    AlterColumn,
    AlterSequence,
    AttachPartition,
    CreateDomain,
    CreateEnum,
    CreateIndex,
    CreateRoutine,
    CreateSchema,
    CreateSequence,
    CreateTable,
    CreateView,
    DetachPartition,
    DropCheck,
    DropColumn,
    DropDomain,
    DropEnum,
    DropExclusion,
    DropForeignKey,
    DropIndex,
    DropPrimaryKey,
    DropRoutine,
    DropSchema,
    DropSequence,
    DropTable,
    DropUnique,
    DropView,
    MovePartition,
    Operation,
    RecreateDomain,
    RecreateEnum,
    RenameColumn,
    RenameTable,
    ReplaceRoutine,
    SetTableComment,
    SetTableOptions,
)
from dbshift.ops.alter_column import ALTERABLE
from dbshift.ops.set_table_options import reframe

Key = tuple[str | None, str]


@frozen
class Renames:
    """Explicit rename hints: ``tables`` old → new; ``columns`` (table, old) → new, where
    ``table`` is the table's name in the desired schema."""

    tables: Mapping[str, str] = field(default_factory=dict)
    columns: Mapping[tuple[str, str], str] = field(default_factory=dict)


@frozen
class DiffOptions:
    #: The dialect's foreign keys can only be declared in CREATE TABLE (SQLite).
    inline_foreign_keys: bool = False
    renames: Renames = field(default_factory=Renames)


def diff(current: Schema, desired: Schema, options: DiffOptions | None = None) -> list[Operation]:
    """Operations that turn ``current`` into ``desired``."""
    options = options or DiffOptions()
    ops: list[Operation] = []
    current = _renames(current, desired, options.renames, ops)
    # Schemas (PostgreSQL namespaces) before anything that lives in them, dropped last.
    ops += [CreateSchema(n) for n in desired.namespaces if n not in current.namespaces]
    current = _identities_given_up(current, desired, ops)
    # Indexes that name a collation about to be swapped go first (see RecreateCollation).
    collation_drops, collated = extras.collation_users(current, desired)
    for drop in collation_drops:
        ops.append(drop)
        current = drop.apply(current)

    old_tables = {t.key: t for t in current.tables}
    new_tables = {t.key: t for t in desired.tables}
    kept = [k for k in new_tables if k in old_tables]
    # Compared once: equal tables of a large schema are most of them, and each comparison
    # walks every column.
    changed_tables = [k for k in kept if old_tables[k] != new_tables[k]]

    # 1. Views and routines that go or change, first, dependants before what they use
    # (see dbshift.diff.depends): they may use columns about to change. What uses them is
    # dropped too and created again at the end, as is a view over a column whose type
    # changes or that goes.
    recreated: list[RecreateEnum | RecreateDomain] = [
        *_recreated_enums(current, desired),
        *_recreated_domains(current, desired),
    ]
    old_late = depends.graph((*current.views, *current.routines), old_tables)
    new_late = depends.graph((*desired.views, *desired.routines), new_tables)
    changed = {k for k, o in old_late.objects.items() if new_late.objects.get(k) != o}
    if recreated:
        over = _views_over(current, recreated)
        changed |= {view_ident(v) for v in current.views if (v.schema, v.name) in over}
    reshaped = {
        table_ident(old_tables[k])
        for k in changed_tables
        if _reshaped(old_tables[k], new_tables[k])
    }
    reshaped |= {table_ident(old_tables[k]) for k in collated}
    if reshaped:
        changed |= {
            k
            for k, o in old_late.objects.items()
            if isinstance(o, View) and old_late.uses.get(k, frozenset()) & reshaped
        }
    dropping = changed | old_late.dependants(changed)
    # Policies that call a routine about to be dropped go first and come back last (the
    # server refuses to drop a function a policy uses); see extras.policies_over.
    policies: list[Operation] = []
    for key in changed_tables:  # policies that go or change: first, they may call what goes
        ops += extras.security(old_tables[key], new_tables[key])[0]
    for policy_drop, policy_create in extras.policies_over(
        [old_late.objects[k] for k in dropping], current, desired
    ):
        ops.append(policy_drop)
        policies.append(policy_create)
    # Routines a table's default, check or index calls are created before the tables and
    # dropped after them (with what they use in turn); the rest of this step's drops go now.
    early_old = _used_by_tables(current, old_late)
    early_new = _used_by_tables(desired, new_late)
    # One still used on both sides is replaced in place: it cannot be dropped meanwhile.
    replaced = {
        k
        for k in early_old & early_new & dropping
        if not isinstance(old_late.objects[k], View) and k in new_late.objects
    }
    drop_order = list(reversed(old_late.ordered(dropping)))
    for k in drop_order:
        if k in early_old:
            continue
        o = old_late.objects[k]
        ops.append(DropView(o) if isinstance(o, View) else DropRoutine(o))
    creating = [k for k in new_late.objects if k not in old_late.objects or k in dropping]

    # 2. Foreign keys that go or change, on kept tables and on tables about to be dropped.
    for key, old in old_tables.items():
        new = new_tables.get(key)
        wanted = set(new.foreign_keys) if new else set()
        ops += [DropForeignKey(on=key, constraint=f) for f in old.foreign_keys if f not in wanted]

    # Changed sequences are altered in place (a recreated one would restart its numbering),
    # before the tables change: PostgreSQL drops a sequence with the column that owns it,
    # so an owner given up must be released before that column goes. A sequence that goes
    # is released too, and dropped at the end: DROP SEQUENCE of one its table or column
    # took along would fail, and the reverse (create, then own) is exact.
    old_seqs = {(s.schema, s.name): s for s in current.sequences}
    new_seq_keys = {(s.schema, s.name) for s in desired.sequences}
    ops += [
        AlterSequence(before=old_seqs[(s.schema, s.name)], after=s)
        for s in desired.sequences
        if (s.schema, s.name) in old_seqs and old_seqs[(s.schema, s.name)] != s
    ]
    ops += [
        AlterSequence(before=s, after=replace(s, owned_by=None))
        for k, s in old_seqs.items()
        if k not in new_seq_keys and s.owned_by is not None
    ]

    # 3. New extensions, collations, types, values and sequences: kept tables' new columns
    # may use them.
    ops += extras.created_first(current, desired)
    ops += _enums_and_sequences(current, desired, creating=True)
    ops += extras.types_created(current, desired)
    for k in new_late.ordered(creating):
        if k in replaced and old_late.objects[k] != new_late.objects[k]:
            ops.append(ReplaceRoutine(old_late.objects[k], new_late.objects[k]))  # type: ignore[arg-type]
        elif k in early_new and k not in replaced:
            ops.append(CreateRoutine(new_late.objects[k]))  # type: ignore[arg-type]

    # 4. Inside kept tables: drops, alterations, adds. An enum that loses or reorders
    # values, or a changed domain, is swapped after every table's drops and alterations (a
    # column may stop using a removed value or the type) and before the adds; without one,
    # each table's operations stay together (SQLite rebuilds a table once for a run).
    late: list[Operation] = []
    adds: list[Operation] = []
    for key in changed_tables:  # most tables of a large schema are equal: skipped
        _, flags, policy_creates = extras.security(old_tables[key], new_tables[key])
        adds += flags
        policies += policy_creates
        leave, old_t, join = inheritance.changes(
            old_tables[key], new_tables[key], old_tables, new_tables
        )
        ops += leave
        before, old_t, new_t, after = _partitioning(old_t, new_tables[key], old_tables, new_tables)
        after += join
        ops += before
        table_ops, table_adds, table_late = _table(old_t, new_t, current.defaults)
        table_late += after
        ops += table_ops
        (adds if recreated else ops).extend(table_adds)
        late += table_late
    ops += recreated
    ops += extras.logging_in_order(adds, new_tables)

    # New tables.
    # Partitions after their parents (PARTITION OF needs it), dropped before them (DROP
    # TABLE takes a parent's partitions along, and the reverse recreates them after it).
    # A table owning a sequence another new table's default draws from comes before it:
    # the reverse (a generated migration's down) drops that table first, and DROP TABLE of
    # the owner takes the sequence along, which the other's default still needs.
    fresh = [new_tables[k] for k in new_tables if k not in old_tables]
    lenders = _lenders(fresh, desired.sequences)
    created = sorted(
        fresh,
        key=lambda t: (_partition_depth(t, new_tables), t.key not in lenders),
    )
    for table in created:
        body = table if options.inline_foreign_keys else replace(table, foreign_keys=())
        ops.append(CreateTable(extras.without_policies(body)))
        policies += extras.policies_of(table)
    ops += late
    if not options.inline_foreign_keys:
        ops += [AddForeignKey(on=t.key, constraint=f) for t in created for f in t.foreign_keys]
    for key in kept:
        if old_tables[key].foreign_keys == new_tables[key].foreign_keys:
            continue
        old_fks = set(old_tables[key].foreign_keys)
        ops += [
            AddForeignKey(on=key, constraint=f)
            for f in new_tables[key].foreign_keys
            if f not in old_fks
        ]

    # 5. Dropped tables (their outgoing foreign keys went in step 2), sequences, types.
    dropped = [old for key, old in old_tables.items() if key not in new_tables]
    dropped.sort(key=lambda t: _partition_depth(t, old_tables), reverse=True)
    ops += [DropTable(replace(old, foreign_keys=())) for old in dropped]
    ops += [
        DropRoutine(old_late.objects[k])  # type: ignore[arg-type]
        for k in drop_order
        if k in early_old and k not in replaced
    ]
    ops += extras.types_dropped(current, desired)
    ops += _enums_and_sequences(current, desired, creating=False)
    ops += extras.dropped_last(current, desired)

    # 6. Views and routines, new or changed, last: each after what it uses; then policies,
    # which may call them; then the schemas that were emptied.
    for k in new_late.ordered(creating):
        if k in early_new:
            continue
        o = new_late.objects[k]
        ops.append(CreateView(o) if isinstance(o, View) else CreateRoutine(o))
    ops += policies
    lead, trail = comments.comment_ops(current, desired, ops)
    ops = [*lead, *ops, *trail]
    ops += [DropSchema(n) for n in current.namespaces if n not in desired.namespaces]
    return ops


def _identities_given_up(current: Schema, desired: Schema, ops: list[Operation]) -> Schema:
    """Drop first the identity of a column that becomes a serial (SQLAlchemy's
    ``autoincrement=True`` against an identity column): its new sequence usually has the
    identity sequence's name (``<table>_<column>_seq``), which exists until DROP IDENTITY,
    so CREATE SEQUENCE must come after it, and SET DEFAULT nextval() after both."""
    old_seqs = {(s.schema, s.name) for s in current.sequences}
    owners: set[tuple[str | None, str, str]] = {
        (s.schema, s.owned_by.rpartition(".")[0], s.owned_by.rpartition(".")[2])
        for s in desired.sequences
        if s.owned_by is not None and (s.schema, s.name) not in old_seqs
    }
    for schema, table_name, column_name in sorted(owners, key=lambda o: (o[0] or "", o[1], o[2])):
        table = current.table(table_name, schema)
        column = table.column(column_name) if table is not None else None
        wanted = desired.table(table_name, schema)
        target = wanted.column(column_name) if wanted is not None else None
        if table is None or column is None or column.identity is None or target is None:
            continue
        if target.identity is not None:
            continue
        op = AlterColumn(on=table.key, before=column, after=replace(column, identity=None))
        ops.append(op)
        current = op.apply(current)
    return current


def _lenders(tables: list[Table], sequences: Iterable[Sequence]) -> set[Key]:
    """Keys of the tables whose column owns a sequence another of ``tables`` calls
    ``nextval()`` on in a default (found by name, quoted or not, qualified or not)."""
    by_key = {t.key: t for t in tables}
    out: set[Key] = set()
    for s in sequences:
        if s.owned_by is None:
            continue
        owner = (s.schema, s.owned_by.rpartition(".")[0])
        if owner not in by_key:
            continue
        spelled = (f"'{s.name}'", f".{s.name}'", f'"{s.name}"')
        for t in tables:
            if t.key != owner and any(
                c.default is not None
                and "nextval(" in c.default
                and any(n in c.default for n in spelled)
                for c in t.columns
            ):
                out.add(owner)
    return out


def _partition_depth(table: Table, tables: Mapping[Key, Table], seen: int = 0) -> int:
    """0 for a table with no parent, 1 for a partition or a child (INHERITS), 2 for one
    of theirs…: parents are created first and dropped last."""
    parents = [table.partition_of] if table.partition_of is not None else []
    parents += table.inherits
    if not parents or seen > len(tables):
        return 0
    depths = []
    for name in parents:
        parent = tables.get((table.schema, name))
        depths.append(1 if parent is None else 1 + _partition_depth(parent, tables, seen + 1))
    return max(depths)


def _partitioning(
    old: Table, new: Table, old_tables: Mapping[Key, Table], new_tables: Mapping[Key, Table]
) -> tuple[list[Operation], Table, Table, list[Operation]]:
    """A table that becomes a partition, stops being one, or moves: (operations first, the
    table as they leave it, the table to reach from there, operations after the rest).

    Detached, a table has its parent's columns and nothing else (see DetachPartition), and
    what the desired table declares is added to that. To be attached, a table is first
    brought to its new parent's columns and nothing else, and attached last (after new
    tables: the parent may be one).
    """
    was, will = (old.partition_of, old.partition_bound), (new.partition_of, new.partition_bound)
    if was == will:
        return [], old, new, []
    bare = Table(name=old.name, schema=old.schema, partition_by=new.partition_by)
    if old.partition_of is not None and new.partition_of is not None:
        assert old.partition_bound is not None and new.partition_bound is not None
        move = MovePartition(
            on=old.key,
            before=(old.partition_of, old.partition_bound),
            after=(new.partition_of, new.partition_bound),
        )
        return [move], replace(old, partition_of=will[0], partition_bound=will[1]), new, []
    if old.partition_of is not None:
        parent = old_tables.get((old.schema, old.partition_of))
        columns = parent.columns if parent is not None else ()
        detach = DetachPartition(
            on=old.key, parent=old.partition_of, bound=old.partition_bound or "", columns=columns
        )
        detached = replace(bare, columns=columns, partition_by=old.partition_by)
        return [detach], detached, new, []
    assert new.partition_of is not None
    parent = new_tables.get((new.schema, new.partition_of))
    columns = parent.columns if parent is not None else old.columns
    attach = AttachPartition(
        on=old.key, parent=new.partition_of, bound=new.partition_bound or "", columns=columns
    )
    return [], old, replace(bare, columns=columns, partition_by=old.partition_by), [attach]


def _used_by_tables(schema: Schema, late: depends.Graph) -> set[str]:
    """Routines (and the routines they call) that a table's default, check or index uses."""
    roots = {k for t in schema.tables for k in t.depends_on if k in late.objects}
    todo, out = list(roots), set(roots)
    while todo:
        for used in late.uses.get(todo.pop(), ()):
            obj = late.objects.get(used)
            if obj is not None and not isinstance(obj, View) and used not in out:
                out.add(used)
                todo.append(used)
    return out


def _reshaped(old: Table, new: Table) -> bool:
    """A column goes or changes type: PostgreSQL refuses either under a view that reads it."""
    for column in old.columns:
        target = new.column(column.name)
        if target is None or (column.type, column.collation) != (target.type, target.collation):
            return True
    return False


def _key(key: tuple[str | None, str]) -> tuple[str, str]:
    return (key[0] or "", key[1])


def _renames(current: Schema, desired: Schema, renames: Renames, ops: list[Operation]) -> Schema:
    """Apply the rename hints to ``current`` (recording the operations).

    A hint naming nothing is a usage error (exit 2): the hints come from the command line."""
    for old, new in renames.tables.items():
        table = next((t for t in current.tables if t.name == old), None)
        if table is None:
            raise UsageError(f"rename hint {old}:{new}: no table {old} in the current schema")
        rename_table = RenameTable(old=old, new=new, schema=table.schema)
        ops.append(rename_table)
        current = rename_table.apply(current)
    for (table_name, old), new in renames.columns.items():
        table = next((t for t in current.tables if t.name == table_name), None)
        if table is None or table.column(old) is None:
            raise UsageError(
                f"rename hint {table_name}.{old}:{new}: no such column in the current schema"
            )
        op = RenameColumn(on=table.key, old=old, new=new)
        ops.append(op)
        current = op.apply(current)
    return current


def _collation_resolved(table: Table, defaults: TableOptions) -> Table:
    """``table`` with a collation left to the database (None) made ``defaults``' own."""
    if table.options.collation is not None or defaults.collation is None:
        return table
    return replace(table, options=replace(table.options, collation=defaults.collation))


def _table(
    old: Table, new: Table, defaults: TableOptions
) -> tuple[list[Operation], list[Operation], list[Operation]]:
    """Operations inside one kept table: (drops and alterations, adds, after new tables)."""
    key = old.key
    ops: list[Operation] = []
    adds: list[Operation] = []
    later: list[Operation] = []
    last_partitioning: list[Operation] = []
    if partitions.inline(old, new):
        first, last_partitioning = partitions.changes(old, new)
        ops += first
    elif old.partition_by != new.partition_by:
        # PostgreSQL (15) has no ALTER for a partition key, and a table cannot become
        # partitioned or stop being so: only a new table and a copy of the rows can.
        raise Unsupported(
            f"table {old.name}: partition key {old.partition_by or '(none)'} -> "
            f"{new.partition_by or '(none)'}: PostgreSQL cannot change it in place; "
            "create the new table, move the rows and swap the names by hand"
        )
    # Inspected tables always say their collation (``inspect.mysql``); a model that leaves
    # it to the database (written by hand, or a snapshot an older dbshift took, which left
    # out a collation that was its database's default) means the default of the database
    # the statements run on, which ``defaults`` is: on either side, or an old snapshot
    # compared with the live database it was taken of would change every table.
    old, new = _collation_resolved(old, defaults), _collation_resolved(new, defaults)
    if old.options != new.options:
        # First, and the columns compared as they stand after it: a new default collation
        # leaves existing columns as they were (see dbshift.ops.set_table_options).
        ops.append(SetTableOptions(on=key, before=old.options, after=new.options))
        old = replace(reframe(old, old.options, new.options, defaults), options=new.options)
    new_index_names = {i.name: i for i in new.indexes}
    # A column dropped and added again (a changed generation expression) takes its indexes,
    # unique and check constraints with it (MySQL/MariaDB shrink a several-column index
    # instead): those are dropped before it and created after it, changed or not; they
    # were silently lost.
    recreated = {
        c.name
        for c in old.columns
        if (t := new.column(c.name)) is not None and _must_recreate(c, t)
    }
    if recreated:
        touched_indexes = [i for i in old.indexes if _mentions(_index_text(i), recreated)]
        touched_uniques = [u for u in old.uniques if recreated & set(u.columns)]
        touched_checks = [c for c in old.checks if _mentions(c.expression, recreated)]
        ops += [DropIndex(on=key, index=i) for i in touched_indexes]
        ops += [DropUnique(on=key, constraint=u) for u in touched_uniques]
        ops += [DropCheck(on=key, constraint=c) for c in touched_checks]
        old = replace(
            old,
            indexes=tuple(i for i in old.indexes if i not in touched_indexes),
            uniques=tuple(u for u in old.uniques if u not in touched_uniques),
            checks=tuple(c for c in old.checks if c not in touched_checks),
        )
    # An index a kept foreign key needs (MySQL/MariaDB refuse to drop it: error 1553) goes
    # after its replacement is created, unless the replacement has its name.
    kept_fks = [f.columns for f in old.foreign_keys if f in set(new.foreign_keys)]
    replaced_last: list[Operation] = []
    for i in old.indexes:
        if new_index_names.get(i.name) == i:
            continue
        needed = any(i.column_names[: len(cols)] == cols for cols in kept_fks)
        if needed and i.name not in new_index_names:
            replaced_last.append(DropIndex(on=key, index=i))
        else:
            ops.append(DropIndex(on=key, index=i))
    ops += [DropCheck(on=key, constraint=c) for c in old.checks if c not in new.checks]
    ops += [DropExclusion(on=key, constraint=x) for x in old.exclusions if x not in new.exclusions]
    ops += [DropUnique(on=key, constraint=u) for u in old.uniques if u not in new.uniques]
    if old.primary_key is not None and old.primary_key != new.primary_key:
        ops.append(DropPrimaryKey(on=key, key=old.primary_key))

    for column in old.columns:
        target = new.column(column.name)
        if target is None or _must_recreate(column, target):
            ops.append(DropColumn(on=key, column=column))
    for column in old.columns:
        target = new.column(column.name)
        if target is not None and not _must_recreate(column, target) and column != target:
            ops.append(AlterColumn(on=key, before=column, after=target))
    for column in new.columns:
        previous = old.column(column.name)
        if previous is None or _must_recreate(previous, column):
            adds.append(AddColumn(on=key, column=column))

    if new.primary_key is not None and old.primary_key != new.primary_key:
        adds.append(AddPrimaryKey(on=key, key=new.primary_key))
    adds += [AddUnique(on=key, constraint=u) for u in new.uniques if u not in old.uniques]
    adds += [AddCheck(on=key, constraint=c) for c in new.checks if c not in old.checks]
    adds += [AddExclusion(on=key, constraint=x) for x in new.exclusions if x not in old.exclusions]
    old_index_names = {i.name: i for i in old.indexes}
    later += [CreateIndex(on=key, index=i) for i in new.indexes if old_index_names.get(i.name) != i]
    later += replaced_last
    later += last_partitioning
    if old.comment != new.comment:
        adds.append(SetTableComment(on=key, before=old.comment, after=new.comment))
    return ops, adds, later


def _index_text(index: Index) -> str:
    """Everything of an index that can name a column: elements, INCLUDE and WHERE."""
    return " ".join([*(e.expression for e in index.elements), *index.include, index.where or ""])


def _mentions(text: str, names: set[str]) -> bool:
    """Whether ``text`` (an expression as the catalog prints it) names one of the columns,
    bare or double-quoted. A word match: it may see a column where a function or a string
    has the name, and then a constraint is recreated needlessly, never lost."""
    return any(
        re.search(r'(?<![\w$"])' + re.escape(n) + r'(?![\w$"])', text)
        or '"' + n.replace('"', '""') + '"' in text
        for n in names
    )


def _must_recreate(old: Column, new: Column) -> bool:
    """Generated expressions cannot be altered in place everywhere; identities can
    (AlterColumn)."""
    if old.generated != new.generated:
        return True
    return any(
        getattr(old, f) != getattr(new, f)
        for f in Column.__dataclass_fields__
        if f not in ALTERABLE and f != "name"
    )


def _enums_and_sequences(current: Schema, desired: Schema, *, creating: bool) -> list[Operation]:
    ops: list[Operation] = []
    old_enums = {(e.schema, e.name): e for e in current.enums}
    new_enums = {(e.schema, e.name): e for e in desired.enums}
    old_seqs = {(s.schema, s.name): s for s in current.sequences}
    new_seqs = {(s.schema, s.name): s for s in desired.sequences}
    old_domains = {(d.schema, d.name): d for d in current.domains}
    new_domains = {(d.schema, d.name): d for d in desired.domains}
    if creating:
        for k, e in new_enums.items():
            before = old_enums.get(k)
            if before is None:
                ops.append(CreateEnum(e))
            elif before != e:
                ops += _enum_additions(before.values, e.values, e)  # else see _recreated_enums
        ops += [CreateSequence(s) for k, s in new_seqs.items() if k not in old_seqs]
        # Domains compare by definition; a changed one is swapped (see _recreated_domains).
        ops += [
            CreateDomain(d)
            for d in _domains_in_order([d for k, d in new_domains.items() if k not in old_domains])
        ]
    else:
        ops += [
            DropSequence(replace(s, owned_by=None))  # released before the tables changed
            for k, s in old_seqs.items()
            if k not in new_seqs
        ]
        gone = [d for k, d in old_domains.items() if k not in new_domains]
        ops += [DropDomain(d) for d in reversed(_domains_in_order(gone))]
        ops += [DropEnum(e) for k, e in old_enums.items() if k not in new_enums]
    return ops


def _domains_in_order(domains: list[Domain]) -> list[Domain]:
    """``domains`` with each after the domain it is defined over (``CREATE DOMAIN d2 AS
    d1``): by name, else the server refuses to create d2 first or to drop d1 first."""
    by_name = {(d.schema, d.name): d for d in domains}
    done: dict[tuple[str | None, str], Domain] = {}

    def base(d: Domain) -> tuple[str | None, str] | None:
        word = d.definition.removeprefix("AS ").split(" ", 1)[0].split("[", 1)[0]
        name = word.rsplit(".", 1)[-1].strip('"').replace('""', '"')
        key = (d.schema, name)
        return key if key in by_name and key != (d.schema, d.name) else None

    def visit(d: Domain, depth: int = 0) -> None:
        key = (d.schema, d.name)
        if key in done or depth > len(domains):
            return
        under = base(d)
        if under is not None:
            visit(by_name[under], depth + 1)
        done[key] = d

    for d in domains:
        visit(d)
    return list(done.values())


def _recreated_enums(current: Schema, desired: Schema) -> list[RecreateEnum]:
    """Enums whose values cannot be reached by adding (a value goes, or the order changes)."""
    old_enums = {(e.schema, e.name): e for e in current.enums}
    return [
        RecreateEnum(before=old, after=e)
        for e in desired.enums
        if (old := old_enums.get((e.schema, e.name))) is not None
        and old != e
        and not _enum_additions(old.values, e.values, e)
    ]


def _recreated_domains(current: Schema, desired: Schema) -> list[RecreateDomain]:
    """Domains whose definition changes: swapped under their columns (a drop would fail)."""
    old_domains = {(d.schema, d.name): d for d in current.domains}
    return [
        RecreateDomain(before=old, after=d)
        for d in desired.domains
        if (old := old_domains.get((d.schema, d.name))) is not None and old != d
    ]


def _views_over(schema: Schema, recreated: list[RecreateEnum | RecreateDomain]) -> set[Key]:
    """Views that may read a column of a recreated type: PostgreSQL refuses to change the
    type of a column a view uses, so they are dropped first and created again at the end.
    A view is taken when its definition names such a table as a word or quoted: a false
    match only costs a needless recreate."""
    import re

    tables = {
        t.name
        for op in recreated
        for t in schema.tables
        if any(op.column_suffix(c.type, t.schema) is not None for c in t.columns)
    }
    patterns = [re.compile(r"(?<![\w$])" + re.escape(name) + r"(?![\w$])") for name in tables] + [
        re.compile(re.escape('"' + name.replace('"', '""') + '"')) for name in tables
    ]
    return {
        (v.schema, v.name)
        for v in schema.views
        if any(pattern.search(v.definition) for pattern in patterns)
    }


def _enum_additions(
    before: tuple[str, ...], after: tuple[str, ...], enum: EnumType
) -> list[Operation]:
    """ADD VALUE operations when ``after`` only inserts values into ``before``; else []."""
    remaining = iter(after)
    if not all(value in remaining for value in before):  # before must be a subsequence
        return []
    ops: list[Operation] = []
    current = list(before)
    for i, value in enumerate(after):
        if value in current:
            continue
        following = next((v for v in after[i + 1 :] if v in current), None)
        state = replace(enum, values=tuple(current))
        ops.append(AddEnumValue(enum=state, value=value, before=following))
        current.insert(current.index(following) if following else len(current), value)
    return ops


def suggest_renames(current: Schema, desired: Schema) -> list[tuple[str, str, str]]:
    """Likely renames, as (table, old column, new column), for the CLI to ask about.

    A column that disappears and one that appears in the same table, with the same type,
    nullability and position, and names that share most characters.
    """
    from difflib import SequenceMatcher

    out = []
    for new in desired.tables:
        old = current.table(new.name, new.schema)
        if old is None:
            continue
        gone = [c for c in old.columns if new.column(c.name) is None]
        came = [c for c in new.columns if old.column(c.name) is None]
        for g in gone:
            for c in came:
                same_shape = (g.type, g.nullable) == (c.type, c.nullable)
                similar = SequenceMatcher(None, g.name, c.name).ratio() >= 0.5
                same_place = _position(old.columns, g) == _position(new.columns, c)
                if same_shape and (similar or same_place):
                    out.append((new.name, g.name, c.name))
    return out


def _position(columns: Iterable[Column], column: Column) -> int:
    return next(i for i, c in enumerate(columns) if c.name == column.name)
