"""ALTER TABLE … DROP PRIMARY KEY / DROP CONSTRAINT pk."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.errors import PlanError
from dbshift.frozen import frozen
from dbshift.ops.base import Operation, TableChange

if TYPE_CHECKING:
    from dbshift.model import PrimaryKey, Schema, Table


@frozen
class DropPrimaryKey(TableChange):
    key: PrimaryKey
    kind: ClassVar[str] = "drop_primary_key"

    def apply(self, schema: Schema) -> Schema:
        def change(table: Table) -> Table:
            if table.primary_key is None:
                raise PlanError(f"{self.describe()}: table has no primary key")
            return replace(table, primary_key=None)

        return self._change(schema, change)

    def reverse(self) -> Operation:
        from dbshift.ops.add_primary_key import AddPrimaryKey

        return AddPrimaryKey(on=self.on, key=self.key)

    def describe(self) -> str:
        return f"drop primary key of {self.where}"
