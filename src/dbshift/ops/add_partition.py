"""ALTER TABLE … ADD PARTITION (MySQL, MariaDB): new partitions after the last one.

RANGE partitions are added above the highest bound (the server refuses one below it; a
partition in the middle is a ``ReorganizePartition``), LIST ones with values no other
partition has. HASH and KEY tables get more partitions and their rows are spread again.
``before`` and ``after`` are the table's whole partition lists, so the reverse and the
renderer know where the new ones go.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.frozen import frozen
from dbshift.ops.base import Operation, TableChange

if TYPE_CHECKING:
    from dbshift.model import Partition, Schema, Table


@frozen
class AddPartition(TableChange):
    before: tuple[Partition, ...]
    after: tuple[Partition, ...]
    kind: ClassVar[str] = "add_partition"

    @property
    def added(self) -> tuple[Partition, ...]:
        return tuple(p for p in self.after if p not in self.before)

    def apply(self, schema: Schema) -> Schema:
        def change(table: Table) -> Table:
            return replace(table, partitions=self.after)

        return self._change(schema, change)

    def reverse(self) -> Operation:
        from dbshift.ops.drop_partition import DropPartition

        return DropPartition(on=self.on, before=self.after, after=self.before)

    def describe(self) -> str:
        names = ", ".join(p.name for p in self.added)
        return f"add partition {names} to {self.where}"
