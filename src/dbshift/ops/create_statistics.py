"""CREATE STATISTICS (PostgreSQL extended statistics) on a kept table."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.frozen import frozen
from dbshift.ops.base import Operation, TableChange

if TYPE_CHECKING:
    from dbshift.model import Schema, Statistics, Table


@frozen
class CreateStatistics(TableChange):
    statistics: Statistics
    kind: ClassVar[str] = "create_statistics"

    def apply(self, schema: Schema) -> Schema:
        def change(table: Table) -> Table:
            return replace(table, statistics=(*table.statistics, self.statistics))

        return self._change(schema, change)

    def reverse(self) -> Operation:
        from dbshift.ops.drop_statistics import DropStatistics

        return DropStatistics(on=self.on, statistics=self.statistics)

    def describe(self) -> str:
        return f"create statistics {self.statistics.name} on {self.where}"
