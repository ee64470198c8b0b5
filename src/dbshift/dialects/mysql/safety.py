"""MySQL's and MariaDB's safety facts (InnoDB online DDL): whether each operation runs
INSTANT, INPLACE with writes allowed, or COPY with writes waiting, as MySQL 8.0 and
MariaDB 10.11 behave. The rules every server shares are in ``dialects/safety.py``."""

from __future__ import annotations

from dbshift.dialects.mysql.type_change import mysql_change
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

RULES = SafetyRules("mysql", base=COMMON)


@RULES.rule(AddColumn)
def _add_column(op: AddColumn) -> Safety:
    return Safety(
        note="ALGORITHM=INSTANT where the server allows it (MySQL 8.0.12+, MariaDB 10.3+)"
    )


@RULES.rule(AlterColumn)
def _alter_column(op: AlterColumn) -> Safety:
    changes = set(op.changes)
    retype = bool(changes & {"type", "collation"})
    if "type" in changes and not changes & {"collation", "nullable", "identity"}:
        how = mysql_change(op.before.type, op.after.type, collation=op.after.collation)
        if not how.rebuild:
            return Safety(note=f"{how.why} (ALGORITHM={how.algorithm}, LOCK=NONE)")
    if retype or changes & {"nullable", "identity"}:
        # MariaDB 10.11: adding AUTO_INCREMENT is ALGORITHM=COPY too.
        return Safety(
            lock=Lock.WRITES,
            rewrite=True,
            breaking=retype,
            note="MODIFY COLUMN copies the table (ALGORITHM=COPY) for type, NULL and "
            "AUTO_INCREMENT changes",
        )
    # MariaDB 10.11 makes visibility changes with ALGORITHM=INSTANT too.
    return Safety(note="default, comment and visibility changes are metadata-only")


@RULES.rule(AddCheck)
def _add_check(op: AddCheck) -> Safety:
    return Safety(lock=Lock.ALL, rewrite=True, note="checks every row while copying the table")


@RULES.rule(AddForeignKey)
def _add_foreign_key(op: AddForeignKey) -> Safety:
    return Safety(
        lock=Lock.WRITES,
        rewrite=True,
        note="with foreign_key_checks on, MySQL copies the table (ALGORITHM=COPY)",
    )


@RULES.rule(AddPrimaryKey)
def _add_primary_key(op: AddPrimaryKey) -> Safety:
    return Safety(
        lock=Lock.ALL,
        rewrite=True,
        note="builds a unique index and checks NOT NULL while holding the table",
    )


@RULES.rule(AddUnique)
def _add_unique(op: AddUnique) -> Safety:
    return Safety(lock=Lock.ALL, note="builds a unique index")


@RULES.rule(CreateIndex)
def _create_index(op: CreateIndex) -> Safety:
    return Safety(note="ALGORITHM=INPLACE, LOCK=NONE on InnoDB")


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
    return Safety(lock=Lock.ALL, note="brief lock")


@RULES.rule(DropForeignKey)
def _drop_foreign_key(op: DropForeignKey) -> Safety:
    return Safety(lock=Lock.ALL, note="brief lock on both tables")


@RULES.rule(DropColumn)
def _drop_column(op: DropColumn) -> Safety:
    # A rebuild before MySQL 8.0.29's and MariaDB 10.4's instant DROP COLUMN.
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
