"""PostgreSQL's safety facts: the lock each operation takes (ACCESS EXCLUSIVE, SHARE,
SHARE ROW EXCLUSIVE, SHARE UPDATE EXCLUSIVE, in ``Lock``'s three words) and whether it
rewrites the table, as PostgreSQL 12-15 behave. The rules every server shares are in
``dialects/safety.py``."""

from __future__ import annotations

from dataclasses import replace

from dbshift.dialects.postgres import PostgresDialect
from dbshift.dialects.postgres.type_change import pg_rewrites
from dbshift.dialects.safety import COMMON, SafetyRules, drop_index
from dbshift.ops import (
    AddCheck,
    AddColumn,
    AddForeignKey,
    AddUnique,
    AlterColumn,
    CreateIndex,
    DropIndex,
    Lock,
    Safety,
)
from dbshift.ops.validate_constraint import ValidateConstraint

#: No ``rebuilds``: PostgreSQL drops a column by marking it dropped in the catalog (its
#: space is reclaimed by later writes), and adds or drops keys without copying the heap.
RULES = SafetyRules("postgresql", base=COMMON)
_FACTS = PostgresDialect()


@RULES.rule(AddColumn)
def _add_column(op: AddColumn) -> Safety:
    c = op.column
    stored = c.generated is not None and c.generated.stored
    if _FACTS.volatile_default(c.default) or stored or c.identity is not None:
        return Safety(
            lock=Lock.ALL,
            rewrite=True,
            note="a volatile default, identity or stored generated column rewrites the table",
        )
    return Safety(lock=Lock.ALL, note="brief ACCESS EXCLUSIVE lock; catalog-only change")


@RULES.rule(AlterColumn)
def _alter_column(op: AlterColumn) -> Safety:
    changes = set(op.changes)
    rewrites = "type" in changes and pg_rewrites(op.before.type, op.after.type)
    # A new collation leaves the heap alone but rebuilds the column's indexes.
    if rewrites or "collation" in changes:
        return Safety(
            lock=Lock.ALL,
            rewrite=True,
            breaking=True,
            note="changing the type rewrites the table and its indexes under ACCESS EXCLUSIVE",
        )
    if "nullable" in changes and not op.after.nullable:
        return Safety(
            lock=Lock.ALL,
            note="SET NOT NULL scans the whole table under ACCESS EXCLUSIVE; "
            "add a CHECK (col IS NOT NULL) NOT VALID, validate it, then set",
        )
    if op.before.identity is None and op.after.identity is not None:
        return Safety(
            lock=Lock.ALL,
            note="ADD GENERATED AS IDENTITY under ACCESS EXCLUSIVE, then the new "
            "sequence is moved past the highest existing value (a scan)",
        )
    return Safety(lock=Lock.ALL, note="brief ACCESS EXCLUSIVE lock; catalog-only change")


@RULES.rule(AddCheck)
def _add_check(op: AddCheck) -> Safety:
    if op.constraint.validated:
        return Safety(
            lock=Lock.ALL,
            note="scans every row under ACCESS EXCLUSIVE; add it NOT VALID, then VALIDATE",
        )
    return Safety(lock=Lock.ALL, note="NOT VALID: brief lock, existing rows unchecked")


@RULES.rule(AddForeignKey)
def _add_foreign_key(op: AddForeignKey) -> Safety:
    if op.constraint.validated:
        return Safety(
            lock=Lock.WRITES,
            note="SHARE ROW EXCLUSIVE on both tables while every row is checked; "
            "add it NOT VALID, then VALIDATE CONSTRAINT",
        )
    return Safety(lock=Lock.WRITES, note="NOT VALID: brief lock on both tables")


@RULES.rule(AddUnique)
def _add_unique(op: AddUnique) -> Safety:
    if op.concurrently:
        return Safety(
            lock=Lock.ALL, note="brief lock to attach the unique index built CONCURRENTLY"
        )
    return Safety(
        lock=Lock.ALL,
        note="builds its index under the table lock; build a unique index "
        "CONCURRENTLY first and add the constraint USING INDEX",
    )


@RULES.rule(CreateIndex)
def _create_index(op: CreateIndex) -> Safety:
    if op.concurrently:
        return Safety()
    return Safety(
        lock=Lock.WRITES,
        note="writes wait until the index is built; use CREATE INDEX CONCURRENTLY",
    )


@RULES.rule(DropIndex)
def _drop_index(op: DropIndex) -> Safety:
    # DROP INDEX CONCURRENTLY waits for the queries using the index instead of locking.
    common = drop_index(op)
    return replace(common, lock=Lock.NONE) if op.concurrently else common


@RULES.rule(ValidateConstraint)
def _validate_constraint(op: ValidateConstraint) -> Safety:
    return Safety(
        lock=Lock.NONE,
        note="scans the rows under SHARE UPDATE EXCLUSIVE: reads and writes go on",
    )
