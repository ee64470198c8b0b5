"""Comments on routines, triggers, types, sequences, indexes, constraints, policies,
collations and extensions: set last, once everything they name exists.

An object the plan creates (or drops and creates) starts without a comment, so its
comment is set whatever the current schema said; a comment that goes from an object that
stays is removed; one whose object goes, goes with it.
"""

from __future__ import annotations

from collections.abc import Iterable

from dbshift.errors import Irreversible
from dbshift.model import Routine, Schema, Table
from dbshift.ops import (
    AddCheck,
    AddExclusion,
    AddForeignKey,
    AddPrimaryKey,
    AddUnique,
    CreateCollation,
    CreateCompositeType,
    CreateDomain,
    CreateEnum,
    CreateExtension,
    CreateIndex,
    CreatePolicy,
    CreateRoutine,
    CreateSequence,
    CreateTable,
    CreateView,
    Operation,
    RecreateCollation,
    RecreateDomain,
    RecreateEnum,
    SetComment,
)

Target = tuple[str, str | None, str, str | None, str | None]


def comment_ops(
    current: Schema, desired: Schema, ops: list[Operation]
) -> tuple[list[Operation], list[Operation]]:
    """(removals to run first, comments to set last).

    A comment on an object the plan drops (to recreate it, or for good) is removed first,
    while the object is there: so the reversed plan sets it again once it has created the
    object again. Comments on objects the plan creates are set whatever the current text.
    """
    if not current.comments and not desired.comments:
        return [], []
    old = {c.target: c for c in current.comments}
    new = {c.target: c for c in desired.comments}
    created, dropped = _created(ops), _dropped(ops)
    lead: list[Operation] = []
    exists: set[Target] | None = None
    for target, c in old.items():
        if target in dropped:
            lead.append(SetComment(comment=c, before=c.text, after=None))
        elif target not in new:
            if exists is None:
                exists = set(_targets(desired))
            if target in exists and target not in created:
                lead.append(SetComment(comment=c, before=c.text, after=None))
    trail: list[Operation] = []
    for target, c in new.items():
        kept = target in old and target not in dropped and target not in created
        before = old[target].text if kept else None
        if before != c.text:
            trail.append(SetComment(comment=c, before=before, after=c.text))
    return lead, trail


def _dropped(ops: list[Operation]) -> set[Target]:
    """What ``ops`` drop, each as the ``_created`` of the operation that would undo it."""
    out: set[Target] = set()
    for op in ops:
        if isinstance(op, RecreateEnum):  # the old type goes under the new one
            out.add(("TYPE", op.before.schema, op.before.name, None, None))
            continue
        if isinstance(op, RecreateDomain):
            out.add(("DOMAIN", op.before.schema, op.before.name, None, None))
            continue
        if isinstance(op, RecreateCollation):
            out.add(("COLLATION", op.before.schema, op.before.name, None, None))
            continue
        try:
            undo: Operation = op.reverse()
        except Irreversible:
            continue
        if isinstance(undo, (CreateTable, CreateView, CreateRoutine, CreateIndex, CreateEnum,
                             CreateDomain, CreateCompositeType, CreateSequence, AddUnique,
                             AddCheck, AddForeignKey, AddExclusion, AddPrimaryKey,
                             CreatePolicy, CreateCollation, CreateExtension)):  # fmt: skip
            out.update(_created([undo]))
    return out


def _routine(r: Routine) -> Target:
    if r.kind == "trigger":
        return ("TRIGGER", r.schema, r.name, r.table, None)
    kind = {"procedure": "PROCEDURE", "aggregate": "AGGREGATE"}.get(r.kind, "FUNCTION")
    return (kind, r.schema, r.name, None, r.signature)


def _table_parts(t: Table) -> Iterable[Target]:
    for i in t.indexes:
        yield ("INDEX", t.schema, i.name, None, None)
    names = [
        *([t.primary_key.name] if t.primary_key and t.primary_key.name else []),
        *(u.name for u in t.uniques),
        *(c.name for c in t.checks),
        *(f.name for f in t.foreign_keys),
        *(x.name for x in t.exclusions),
    ]
    for name in names:
        yield ("CONSTRAINT", t.schema, name, t.name, None)
    for p in t.policies:
        yield ("POLICY", t.schema, p.name, t.name, None)


def _created(ops: list[Operation]) -> set[Target]:
    out: set[Target] = set()
    for op in ops:
        if isinstance(op, CreateRoutine):
            out.add(_routine(op.routine))
        elif isinstance(op, (CreateEnum, RecreateEnum)):
            e = op.enum if isinstance(op, CreateEnum) else op.after
            out.add(("TYPE", e.schema, e.name, None, None))
        elif isinstance(op, CreateCompositeType):
            out.add(("TYPE", op.type.schema, op.type.name, None, None))
        elif isinstance(op, (CreateDomain, RecreateDomain)):
            d = op.domain if isinstance(op, CreateDomain) else op.after
            out.add(("DOMAIN", d.schema, d.name, None, None))
        elif isinstance(op, CreateSequence):
            out.add(("SEQUENCE", op.sequence.schema, op.sequence.name, None, None))
        elif isinstance(op, CreateIndex):
            out.add(("INDEX", op.on[0], op.index.name, None, None))
        elif isinstance(op, CreateTable):
            out.update(_table_parts(op.table))
        elif isinstance(op, CreateView):
            out.update(("INDEX", op.view.schema, i.name, None, None) for i in op.view.indexes)
        elif isinstance(op, (AddUnique, AddCheck, AddForeignKey, AddExclusion)):
            out.add(("CONSTRAINT", op.on[0], op.constraint.name, op.on[1], None))
        elif isinstance(op, AddPrimaryKey) and op.key.name:
            out.add(("CONSTRAINT", op.on[0], op.key.name, op.on[1], None))
        elif isinstance(op, CreatePolicy):
            out.add(("POLICY", op.on[0], op.policy.name, op.on[1], None))
        elif isinstance(op, (CreateCollation, RecreateCollation)):
            c = op.collation if isinstance(op, CreateCollation) else op.after
            out.add(("COLLATION", c.schema, c.name, None, None))
        elif isinstance(op, CreateExtension):
            out.add(("EXTENSION", op.extension.schema, op.extension.name, None, None))
    return out


def _targets(schema: Schema) -> Iterable[Target]:
    """Everything in ``schema`` a comment can name."""
    for r in schema.routines:
        yield _routine(r)
    for t in schema.tables:
        yield from _table_parts(t)
    for e in schema.enums:
        yield ("TYPE", e.schema, e.name, None, None)
    for c in schema.composite_types:
        yield ("TYPE", c.schema, c.name, None, None)
    for d in schema.domains:
        yield ("DOMAIN", d.schema, d.name, None, None)
    for s in schema.sequences:
        yield ("SEQUENCE", s.schema, s.name, None, None)
    for v in schema.views:
        for i in v.indexes:
            yield ("INDEX", v.schema, i.name, None, None)
    for co in schema.collations:
        yield ("COLLATION", co.schema, co.name, None, None)
    for x in schema.extensions:
        yield ("EXTENSION", x.schema, x.name, None, None)
    for n in schema.namespaces:
        yield ("SCHEMA", n, n, None, None)
