"""DROP INDEX."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.errors import PlanError
from dbshift.frozen import frozen
from dbshift.ops.base import Operation, TableChange

if TYPE_CHECKING:
    from dbshift.model import Index, Schema, Table


@frozen
class DropIndex(TableChange):
    index: Index
    concurrently: bool = False
    kind: ClassVar[str] = "drop_index"

    def apply(self, schema: Schema) -> Schema:
        def change(table: Table) -> Table:
            if table.index(self.index.name) is None:
                raise PlanError(f"{self.describe()}: no such index")
            return replace(
                table, indexes=tuple(i for i in table.indexes if i.name != self.index.name)
            )

        return self._change(schema, change)

    def reverse(self) -> Operation:
        from dbshift.ops.create_index import CreateIndex

        return CreateIndex(on=self.on, index=self.index, concurrently=self.concurrently)

    def describe(self) -> str:
        return f"drop index {self.index.name} on {self.where}"
