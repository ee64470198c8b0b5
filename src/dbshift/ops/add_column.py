"""ALTER TABLE … ADD COLUMN.

``up`` is for the online form (an online migration file's ``add_column``): the value rows
the old version writes, and existing rows, get. Renderers ignore it: a plain migration's
column gets its default."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from dbshift.errors import PlanError
from dbshift.frozen import frozen
from dbshift.ops.base import Operation, TableChange

if TYPE_CHECKING:
    from dbshift.model import Column, Schema, Table


@frozen
class AddColumn(TableChange):
    column: Column
    #: Online: the new column's value from the old version's columns (SQL expression).
    up: str | None = None
    kind: ClassVar[str] = "add_column"

    def apply(self, schema: Schema) -> Schema:
        def change(table: Table) -> Table:
            if table.column(self.column.name) is not None:
                raise PlanError(f"{self.describe()}: column already exists")
            return table.with_column(self.column)

        return self._change(schema, change)

    def reverse(self) -> Operation:
        from dbshift.ops.drop_column import DropColumn

        return DropColumn(on=self.on, column=self.column, down=self.up)

    def describe(self) -> str:
        return f"add column {self.where}.{self.column.name}"
