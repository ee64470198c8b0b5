"""A partition given another bound or parent (PostgreSQL): detached and attached again,
its indexes re-attached to the partitioned ones they still match."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.frozen import frozen
from dbshift.ops.base import Operation, TableChange

if TYPE_CHECKING:
    from dbshift.model import Schema, Table


@frozen
class MovePartition(TableChange):
    #: (parent, bound) before and after.
    before: tuple[str, str]
    after: tuple[str, str]
    kind: ClassVar[str] = "move_partition"

    def apply(self, schema: Schema) -> Schema:
        def change(table: Table) -> Table:
            return replace(table, partition_of=self.after[0], partition_bound=self.after[1])

        return self._change(schema, change)

    def reverse(self) -> Operation:
        return MovePartition(on=self.on, before=self.after, after=self.before)

    def describe(self) -> str:
        return f"move partition {self.where} to {self.after[0]} {self.after[1]}"
