"""ALTER TABLE … DROP COLUMN: reversible in structure, never in data.

``down`` is for the online form: until complete the old version still reads and writes the
column, and rows the new version inserts get this value there. Renderers ignore it."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from dbshift.errors import PlanError
from dbshift.frozen import frozen
from dbshift.ops.base import Operation, TableChange

if TYPE_CHECKING:
    from dbshift.model import Column, Schema, Table


@frozen
class DropColumn(TableChange):
    column: Column
    #: Online: the old column's value from the new version's columns (SQL expression).
    down: str | None = None
    kind: ClassVar[str] = "drop_column"

    def apply(self, schema: Schema) -> Schema:
        def change(table: Table) -> Table:
            if table.column(self.column.name) is None:
                raise PlanError(f"{self.describe()}: no such column")
            return table.without_column(self.column.name)

        return self._change(schema, change)

    def reverse(self) -> Operation:
        from dbshift.ops.add_column import AddColumn

        return AddColumn(on=self.on, column=self.column, up=self.down)

    def describe(self) -> str:
        return f"drop column {self.where}.{self.column.name}"
