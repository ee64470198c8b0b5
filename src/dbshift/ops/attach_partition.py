"""ALTER TABLE parent ATTACH PARTITION table FOR VALUES … (PostgreSQL).

The table's own keys and indexes are gone by then (the differ drops them first) and its
columns are its parent's: once attached, its columns, keys and indexes are the parent's,
the partitioned indexes built on it (or an existing matching one attached) by the server.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.frozen import frozen
from dbshift.ops.base import Operation, TableChange

if TYPE_CHECKING:
    from dbshift.model import Column, Schema, Table


@frozen
class AttachPartition(TableChange):
    parent: str
    bound: str
    #: The table's columns before (its parent's), for the reverse.
    columns: tuple[Column, ...]
    kind: ClassVar[str] = "attach_partition"

    def apply(self, schema: Schema) -> Schema:
        def change(table: Table) -> Table:
            return replace(table, columns=(), partition_of=self.parent, partition_bound=self.bound)

        return self._change(schema, change)

    def reverse(self) -> Operation:
        from dbshift.ops.detach_partition import DetachPartition

        return DetachPartition(
            on=self.on, parent=self.parent, bound=self.bound, columns=self.columns
        )

    def describe(self) -> str:
        return f"attach partition {self.where} to {self.parent}"
