"""ALTER TABLE … REORGANIZE PARTITION a, b INTO (…) (MySQL, MariaDB): partitions split,
merged or given other bounds, their rows moved into the new ones.

``before`` and ``after`` are the table's whole partition lists; the renderer reorganizes
the run of partitions where they differ (at least one on each side). The server refuses
the change when the new partitions do not cover the old ones' range (RANGE, except at the
end) or leave rows without a partition (LIST), so no row is lost by it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.frozen import frozen
from dbshift.ops.base import Operation, TableChange

if TYPE_CHECKING:
    from dbshift.model import Partition, Schema, Table


def changed_run(
    before: tuple[Partition, ...], after: tuple[Partition, ...]
) -> tuple[tuple[Partition, ...], tuple[Partition, ...]]:
    """The partitions of ``before`` to reorganize and those of ``after`` they become: both
    lists less the partitions they start and end with alike, widened by a neighbour where
    one side would be empty (REORGANIZE needs at least one partition on each side)."""
    start = 0
    while start < min(len(before), len(after)) and before[start] == after[start]:
        start += 1
    end = 0
    while (
        end < min(len(before), len(after)) - start
        and before[len(before) - 1 - end] == after[len(after) - 1 - end]
    ):
        end += 1
    if start == len(before) - end or start == len(after) - end:
        if end > 0:
            end -= 1
        elif start > 0:
            start -= 1
    return before[start : len(before) - end], after[start : len(after) - end]


@frozen
class ReorganizePartition(TableChange):
    before: tuple[Partition, ...]
    after: tuple[Partition, ...]
    kind: ClassVar[str] = "reorganize_partition"

    def apply(self, schema: Schema) -> Schema:
        def change(table: Table) -> Table:
            return replace(table, partitions=self.after)

        return self._change(schema, change)

    def reverse(self) -> Operation:
        return ReorganizePartition(on=self.on, before=self.after, after=self.before)

    def describe(self) -> str:
        old, new = changed_run(self.before, self.after)
        return (
            f"reorganize partition {', '.join(p.name for p in old)} of {self.where} into "
            f"{', '.join(p.name for p in new)}"
        )
