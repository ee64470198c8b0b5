"""ALTER TABLE … ADD PRIMARY KEY."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.errors import PlanError
from dbshift.frozen import frozen
from dbshift.ops.base import Operation, TableChange

if TYPE_CHECKING:
    from dbshift.model import PrimaryKey, Schema, Table


@frozen
class AddPrimaryKey(TableChange):
    key: PrimaryKey
    kind: ClassVar[str] = "add_primary_key"

    def apply(self, schema: Schema) -> Schema:
        def change(table: Table) -> Table:
            if table.primary_key is not None:
                raise PlanError(f"{self.describe()}: table already has a primary key")
            return replace(table, primary_key=self.key)

        return self._change(schema, change)

    def reverse(self) -> Operation:
        from dbshift.ops.drop_primary_key import DropPrimaryKey

        return DropPrimaryKey(on=self.on, key=self.key)

    def describe(self) -> str:
        return f"add primary key on {self.where} ({', '.join(self.key.columns)})"
