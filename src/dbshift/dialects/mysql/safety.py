"""MySQL's and MariaDB's safety facts (InnoDB online DDL): whether each operation runs
INSTANT, INPLACE with writes allowed, or COPY with writes waiting, as MySQL 8.0 and
MariaDB 10.11 behave. The rules every server shares are in ``dialects/safety.py``."""

from __future__ import annotations

from dbshift.dialects.mysql.type_change import mysql_change
from dbshift.dialects.safety import COMMON, SafetyRules
from dbshift.ops import (
    AddColumn,
    AddForeignKey,
    AddPartition,
    AddPrimaryKey,
    AlterColumn,
    CreateIndex,
    DropColumn,
    DropPartition,
    DropPrimaryKey,
    DropSchema,
    Lock,
    PartitionTable,
    RemovePartitioning,
    ReorganizePartition,
    Safety,
)

#: InnoDB rebuilds the table (its clustered index) to add or drop a primary key, and to
#: drop a column before MySQL 8.0.29's and MariaDB 10.4's instant DROP COLUMN.
RULES = SafetyRules("mysql", base=COMMON, rebuilds=(AddPrimaryKey, DropColumn, DropPrimaryKey))

RULES.fixed(
    {
        AddColumn: Safety(
            note="ALGORITHM=INSTANT where the server allows it (MySQL 8.0.12+, MariaDB 10.3+)"
        ),
        AddForeignKey: Safety(
            lock=Lock.WRITES,
            rewrite=True,
            note="with foreign_key_checks on, MySQL copies the table (ALGORITHM=COPY)",
        ),
        CreateIndex: Safety(note="ALGORITHM=INPLACE, LOCK=NONE on InnoDB"),
        DropSchema: Safety(
            breaking=True,
            destructive=True,
            note="DROP DATABASE has no RESTRICT: whatever is left in the database (left "
            "out of the comparison) goes with it",
        ),
    }
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


# -- partitions (MariaDB 10.11, MySQL 8.0: partition changes are ALGORITHM=COPY or
# INPLACE per partition, with writes to the table waiting either way) -------------------


@RULES.rule(AddPartition)
def _add_partition(op: AddPartition) -> Safety:
    if all(p.bound is None for p in op.after):
        return Safety(
            lock=Lock.WRITES,
            rewrite=True,
            note="HASH/KEY: every row is spread again over the new number of partitions",
        )
    return Safety(
        lock=Lock.ALL,
        note="RANGE/LIST: a new, empty partition; brief exclusive metadata lock",
    )


@RULES.rule(DropPartition)
def _drop_partition(op: DropPartition) -> Safety:
    names = ", ".join(p.name for p in op.dropped)
    if op.loses_rows:
        return Safety(
            lock=Lock.ALL,
            breaking=True,
            destructive=True,
            note=f"the rows of partition {names} are deleted with it; the reverse brings "
            "the partition back empty",
        )
    return Safety(
        lock=Lock.WRITES,
        rewrite=True,
        note=f"COALESCE PARTITION: the rows of {names} are spread over the partitions left",
    )


RULES.fixed(
    {
        ReorganizePartition: Safety(
            lock=Lock.WRITES,
            rewrite=True,
            note="the reorganized partitions' rows are copied into the new ones (writes "
            "wait); the server refuses rather than lose a row",
        ),
        PartitionTable: Safety(
            lock=Lock.WRITES,
            rewrite=True,
            note="ALGORITHM=COPY: every row is copied into the new partitions (writes "
            "wait); a row no partition takes fails the statement",
        ),
        RemovePartitioning: Safety(
            lock=Lock.WRITES,
            rewrite=True,
            note="ALGORITHM=COPY: every row is copied into one plain table (writes wait)",
        ),
    }
)
