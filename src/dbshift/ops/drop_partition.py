"""ALTER TABLE … DROP PARTITION (MySQL, MariaDB): RANGE and LIST partitions go with their
rows (destructive: the reverse brings the partition back empty); HASH and KEY tables lose
their last partitions with ``COALESCE PARTITION n``, which spreads the rows over the rest.
``before`` and ``after`` are the table's whole partition lists."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.frozen import frozen
from dbshift.ops.base import Operation, TableChange

if TYPE_CHECKING:
    from dbshift.model import Partition, Schema, Table


@frozen
class DropPartition(TableChange):
    before: tuple[Partition, ...]
    after: tuple[Partition, ...]
    kind: ClassVar[str] = "drop_partition"

    @property
    def dropped(self) -> tuple[Partition, ...]:
        return tuple(p for p in self.before if p not in self.after)

    @property
    def loses_rows(self) -> bool:
        """RANGE and LIST partitions take their rows along; HASH and KEY ones (no bound)
        hand them to the partitions left."""
        return any(p.bound is not None for p in self.dropped)

    def apply(self, schema: Schema) -> Schema:
        def change(table: Table) -> Table:
            return replace(table, partitions=self.after)

        return self._change(schema, change)

    def reverse(self) -> Operation:
        # Partitions that were last come back with ADD PARTITION; one from the middle
        # only by splitting the partition that took over its range or values.
        if self.before[: len(self.after)] == self.after:
            from dbshift.ops.add_partition import AddPartition

            return AddPartition(on=self.on, before=self.after, after=self.before)
        from dbshift.ops.reorganize_partition import ReorganizePartition

        return ReorganizePartition(on=self.on, before=self.after, after=self.before)

    def describe(self) -> str:
        names = ", ".join(p.name for p in self.dropped)
        return f"drop partition {names} of {self.where}"
