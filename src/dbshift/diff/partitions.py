"""A kept MySQL/MariaDB table's partitions (``Table.partitions``) changing.

The same key: partitions that go with their range or values (a name and bound no desired
partition has) are dropped; partitions added after the last are added; any other change
(a partition split, merged, renamed, given another bound or put in the middle) is one
REORGANIZE of the run of partitions that differ. HASH and KEY tables gain or lose their
last partitions (ADD PARTITION PARTITIONS n, COALESCE PARTITION n) or are partitioned again.

Another key, or a table partitioned or no longer: PARTITION BY or REMOVE PARTITIONING,
which copy the table. The server wants every unique key of a partitioned table to hold
the key's columns, so partitioning comes after the table's new keys are added and its
removal before its old keys go; where the keys change too, a table partitioned by another
key loses its partitioning first and is partitioned again at the end.
"""

from __future__ import annotations

from dbshift.model import Partition, Table
from dbshift.ops import (
    AddPartition,
    DropPartition,
    Operation,
    PartitionTable,
    RemovePartitioning,
    ReorganizePartition,
)


def inline(old: Table, new: Table) -> bool:
    """The tables keep their partitions in their own definition (MySQL, MariaDB)."""
    return bool(old.partitions or new.partitions)


def changes(old: Table, new: Table) -> tuple[list[Operation], list[Operation]]:
    """(operations before the table's other changes, operations after them)."""
    key = old.key
    if old.partition_by == new.partition_by and old.partitions == new.partitions:
        return [], []
    if not new.partitions:
        assert old.partition_by is not None
        return [
            RemovePartitioning(on=key, partition_by=old.partition_by, partitions=old.partitions)
        ], []
    assert new.partition_by is not None
    if not old.partitions:
        return [], [
            PartitionTable(on=key, partition_by=new.partition_by, partitions=new.partitions)
        ]
    if old.partition_by != new.partition_by:
        keys_change = old.primary_key != new.primary_key or {
            i for i in old.indexes if i.unique
        } != {i for i in new.indexes if i.unique}
        if keys_change:
            assert old.partition_by is not None
            remove = RemovePartitioning(
                on=key, partition_by=old.partition_by, partitions=old.partitions
            )
            again = PartitionTable(on=key, partition_by=new.partition_by, partitions=new.partitions)
            return [remove], [again]
        return [], [
            PartitionTable(
                on=key,
                partition_by=new.partition_by,
                partitions=new.partitions,
                before=(old.partition_by, old.partitions),
            )
        ]
    return _same_key(old, new.partitions), []


def _same_key(old: Table, new: tuple[Partition, ...]) -> list[Operation]:
    key, before = old.key, old.partitions
    if all(p.bound is None for p in (*before, *new)):  # HASH, KEY
        if new[: len(before)] == before:
            return [AddPartition(on=key, before=before, after=new)]
        if before[: len(new)] == new:
            return [DropPartition(on=key, before=before, after=new)]
        assert old.partition_by is not None
        return [
            PartitionTable(
                on=key,
                partition_by=old.partition_by,
                partitions=new,
                before=(old.partition_by, before),
            )
        ]
    ops: list[Operation] = []
    names = {p.name for p in new}
    bounds = {p.bound for p in new}
    kept = tuple(p for p in before if p.name in names or p.bound in bounds)
    if kept != before:
        ops.append(DropPartition(on=key, before=before, after=kept))
    if kept != new:
        if kept and new[: len(kept)] == kept:
            ops.append(AddPartition(on=key, before=kept, after=new))
        elif kept:
            ops.append(ReorganizePartition(on=key, before=kept, after=new))
        else:  # every partition went: partitioned afresh by the same key
            assert old.partition_by is not None
            ops = [
                PartitionTable(
                    on=key,
                    partition_by=old.partition_by,
                    partitions=new,
                    before=(old.partition_by, before),
                )
            ]
    return ops
