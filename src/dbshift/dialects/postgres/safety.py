"""PostgreSQL's safety facts: the lock each operation takes (ACCESS EXCLUSIVE, SHARE,
SHARE ROW EXCLUSIVE, SHARE UPDATE EXCLUSIVE, in ``Lock``'s three words) and whether it
rewrites the table, as PostgreSQL 12-15 behave. The rules every server shares are in
``dialects/safety.py``."""

from __future__ import annotations

from dbshift.dialects.postgres import PostgresDialect
from dbshift.dialects.postgres.type_change import pg_rewrites
from dbshift.dialects.safety import COMMON, SafetyRules
from dbshift.ops import (
    AddCheck,
    AddColumn,
    AddForeignKey,
    AddPrimaryKey,
    AddUnique,
    AlterColumn,
    CreateIndex,
    DropCheck,
    DropColumn,
    DropForeignKey,
    DropIndex,
    DropPrimaryKey,
    DropUnique,
    Lock,
    Operation,
    Safety,
)
from dbshift.ops.validate_constraint import ValidateConstraint

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


@RULES.rule(AddPrimaryKey)
def _add_primary_key(op: AddPrimaryKey) -> Safety:
    return Safety(
        lock=Lock.ALL, note="builds a unique index and checks NOT NULL while holding the table"
    )


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
    return Safety(
        lock=Lock.NONE if op.concurrently else Lock.ALL,
        note="queries that relied on the index slow down; unique enforcement ends"
        if op.index.unique
        else "queries that relied on the index slow down",
    )


@RULES.rule(DropCheck, DropUnique)
def _drop_constraint(op: Operation) -> Safety:
    return Safety(lock=Lock.ALL, note="brief lock")


@RULES.rule(DropForeignKey)
def _drop_foreign_key(op: DropForeignKey) -> Safety:
    return Safety(lock=Lock.ALL, note="brief lock on both tables")


@RULES.rule(DropColumn)
def _drop_column(op: DropColumn) -> Safety:
    # Catalog-only: the column is marked dropped and its space reclaimed by later writes.
    return Safety(
        lock=Lock.ALL,
        breaking=True,
        destructive=True,
        note="the column's data is lost; the previous version still reads and writes it",
    )


@RULES.rule(DropPrimaryKey)
def _drop_primary_key(op: DropPrimaryKey) -> Safety:
    return Safety(
        lock=Lock.ALL,
        breaking=True,
        note="lookups by key lose their index; replication tools may need the key",
    )


@RULES.rule(ValidateConstraint)
def _validate_constraint(op: ValidateConstraint) -> Safety:
    return Safety(
        lock=Lock.NONE,
        note="scans the rows under SHARE UPDATE EXCLUSIVE: reads and writes go on",
    )
