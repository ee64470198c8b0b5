"""CREATE [UNIQUE] INDEX."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.errors import PlanError
from dbshift.frozen import frozen
from dbshift.ops.base import Operation, TableChange

if TYPE_CHECKING:
    from dbshift.model import Index, Schema, Table


@frozen
class CreateIndex(TableChange):
    index: Index
    #: PostgreSQL CREATE INDEX CONCURRENTLY (needs a migration without a transaction).
    concurrently: bool = False
    kind: ClassVar[str] = "create_index"

    def apply(self, schema: Schema) -> Schema:
        def change(table: Table) -> Table:
            if table.index(self.index.name) is not None:
                raise PlanError(f"{self.describe()}: index already exists")
            return replace(table, indexes=(*table.indexes, self.index))

        return self._change(schema, change)

    def reverse(self) -> Operation:
        from dbshift.ops.drop_index import DropIndex

        return DropIndex(on=self.on, index=self.index, concurrently=self.concurrently)

    def describe(self) -> str:
        return f"create index {self.index.name} on {self.where}"
