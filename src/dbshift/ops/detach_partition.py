"""ALTER TABLE parent DETACH PARTITION table (PostgreSQL): a table of its own again.

The server leaves it copies of its parent's keys and indexes, under names of its own
choosing; the PostgreSQL renderer drops them, so the table is left with its columns only
and the differ adds what the desired table declares.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.frozen import frozen
from dbshift.ops.base import Operation, TableChange

if TYPE_CHECKING:
    from dbshift.model import Column, Schema, Table


@frozen
class DetachPartition(TableChange):
    parent: str
    bound: str
    #: Its columns once detached: its parent's.
    columns: tuple[Column, ...]
    kind: ClassVar[str] = "detach_partition"

    def apply(self, schema: Schema) -> Schema:
        def change(table: Table) -> Table:
            return replace(table, columns=self.columns, partition_of=None, partition_bound=None)

        return self._change(schema, change)

    def reverse(self) -> Operation:
        from dbshift.ops.attach_partition import AttachPartition

        return AttachPartition(
            on=self.on, parent=self.parent, bound=self.bound, columns=self.columns
        )

    def describe(self) -> str:
        return f"detach partition {self.where} from {self.parent}"
