"""SQLite's safety facts: one lock for the whole database while a statement runs, and
every ALTER TABLE beyond ADD/RENAME/DROP COLUMN done by rebuilding the table (copy, drop,
rename). The rules every server shares are in ``dialects/safety.py``."""

from __future__ import annotations

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

RULES = SafetyRules("sqlite", base=COMMON)


@RULES.rule(AddColumn)
def _add_column(op: AddColumn) -> Safety:
    return Safety(note="SQLite adds columns in place")


@RULES.rule(AlterColumn)
def _alter_column(op: AlterColumn) -> Safety:
    return Safety(
        lock=Lock.ALL,
        rewrite=True,
        breaking=bool(set(op.changes) & {"type", "collation"}),
        note="SQLite cannot alter a column: the table is rebuilt",
    )


@RULES.rule(AddCheck)
def _add_check(op: AddCheck) -> Safety:
    return Safety(lock=Lock.ALL, rewrite=True, note="checks every row while copying the table")


@RULES.rule(AddForeignKey)
def _add_foreign_key(op: AddForeignKey) -> Safety:
    return Safety(lock=Lock.ALL, rewrite=True, note="SQLite rebuilds the table")


@RULES.rule(AddPrimaryKey)
def _add_primary_key(op: AddPrimaryKey) -> Safety:
    return Safety(
        lock=Lock.ALL,
        rewrite=True,
        note="builds a unique index and checks NOT NULL while holding the table",
    )


@RULES.rule(AddUnique)
def _add_unique(op: AddUnique) -> Safety:
    return Safety(lock=Lock.ALL, rewrite=True, note="builds a unique index")


@RULES.rule(CreateIndex)
def _create_index(op: CreateIndex) -> Safety:
    return Safety(lock=Lock.WRITES, note="the database is locked while it builds")


@RULES.rule(DropIndex)
def _drop_index(op: DropIndex) -> Safety:
    return Safety(
        lock=Lock.ALL,
        note="queries that relied on the index slow down; unique enforcement ends"
        if op.index.unique
        else "queries that relied on the index slow down",
    )


@RULES.rule(DropCheck, DropUnique)
def _drop_constraint(op: Operation) -> Safety:
    return Safety(lock=Lock.ALL, rewrite=True, note="brief lock")


@RULES.rule(DropForeignKey)
def _drop_foreign_key(op: DropForeignKey) -> Safety:
    return Safety(lock=Lock.ALL, rewrite=True, note="brief lock on both tables")


@RULES.rule(DropColumn)
def _drop_column(op: DropColumn) -> Safety:
    return Safety(
        lock=Lock.ALL,
        rewrite=True,
        breaking=True,
        destructive=True,
        note="the column's data is lost; the previous version still reads and writes it",
    )


@RULES.rule(DropPrimaryKey)
def _drop_primary_key(op: DropPrimaryKey) -> Safety:
    return Safety(
        lock=Lock.ALL,
        rewrite=True,
        breaking=True,
        note="lookups by key lose their index; replication tools may need the key",
    )


@RULES.rule(ValidateConstraint)
def _validate_constraint(op: ValidateConstraint) -> Safety:
    return Safety(note="PostgreSQL only")
