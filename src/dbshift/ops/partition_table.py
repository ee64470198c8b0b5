"""ALTER TABLE … PARTITION BY … (MySQL, MariaDB): a table partitioned, or partitioned
again by another key or method, in place; the server copies every row into the new
partitions (and refuses when a row fits none). ``before`` is the partitioning it had:
(None, ()) for a table that had none."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.frozen import frozen
from dbshift.ops.base import Operation, TableChange

if TYPE_CHECKING:
    from dbshift.model import Partition, Schema, Table


@frozen
class PartitionTable(TableChange):
    partition_by: str
    partitions: tuple[Partition, ...]
    before: tuple[str | None, tuple[Partition, ...]] = (None, ())
    kind: ClassVar[str] = "partition_table"

    def apply(self, schema: Schema) -> Schema:
        def change(table: Table) -> Table:
            return replace(table, partition_by=self.partition_by, partitions=self.partitions)

        return self._change(schema, change)

    def reverse(self) -> Operation:
        by, partitions = self.before
        if by is None:
            from dbshift.ops.remove_partitioning import RemovePartitioning

            return RemovePartitioning(
                on=self.on, partition_by=self.partition_by, partitions=self.partitions
            )
        return PartitionTable(
            on=self.on,
            partition_by=by,
            partitions=partitions,
            before=(self.partition_by, self.partitions),
        )

    def describe(self) -> str:
        return f"partition {self.where} by {self.partition_by}"
