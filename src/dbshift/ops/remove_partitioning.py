"""ALTER TABLE … REMOVE PARTITIONING (MySQL, MariaDB): every row copied into one plain
table; nothing is lost, and the reverse partitions it again as it was."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.frozen import frozen
from dbshift.ops.base import Operation, TableChange

if TYPE_CHECKING:
    from dbshift.model import Partition, Schema, Table


@frozen
class RemovePartitioning(TableChange):
    #: What it had, for the reverse.
    partition_by: str
    partitions: tuple[Partition, ...]
    kind: ClassVar[str] = "remove_partitioning"

    def apply(self, schema: Schema) -> Schema:
        def change(table: Table) -> Table:
            return replace(table, partition_by=None, partitions=())

        return self._change(schema, change)

    def reverse(self) -> Operation:
        from dbshift.ops.partition_table import PartitionTable

        return PartitionTable(
            on=self.on, partition_by=self.partition_by, partitions=self.partitions
        )

    def describe(self) -> str:
        return f"remove partitioning of {self.where}"
