"""DROP STATISTICS (PostgreSQL extended statistics) of a kept table."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.frozen import frozen
from dbshift.ops.base import Operation, TableChange

if TYPE_CHECKING:
    from dbshift.model import Schema, Statistics, Table


@frozen
class DropStatistics(TableChange):
    statistics: Statistics
    kind: ClassVar[str] = "drop_statistics"

    def apply(self, schema: Schema) -> Schema:
        def change(table: Table) -> Table:
            return replace(
                table, statistics=tuple(s for s in table.statistics if s != self.statistics)
            )

        return self._change(schema, change)

    def reverse(self) -> Operation:
        from dbshift.ops.create_statistics import CreateStatistics

        return CreateStatistics(on=self.on, statistics=self.statistics)

    def describe(self) -> str:
        return f"drop statistics {self.statistics.name} on {self.where}"
