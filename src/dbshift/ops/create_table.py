"""CREATE TABLE, with its columns, keys, checks and indexes."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from dbshift.errors import PlanError
from dbshift.frozen import frozen
from dbshift.ops.base import Operation, qualified

if TYPE_CHECKING:
    from dbshift.model import Schema, Table


@frozen
class CreateTable(Operation):
    """The whole table. Foreign keys the differ could not create inline (cycles, tables
    created later) are left out of ``table`` and added by ``AddForeignKey`` afterwards."""

    table: Table
    kind: ClassVar[str] = "create_table"

    def apply(self, schema: Schema) -> Schema:
        if schema.table(self.table.name, self.table.schema) is not None:
            raise PlanError(f"{self.describe()}: table already exists")
        return schema.with_table(self.table)

    def reverse(self) -> Operation:
        from dbshift.ops.drop_table import DropTable

        return DropTable(self.table)

    def describe(self) -> str:
        return f"create table {qualified(self.table.key)}"

    @property
    def table_key(self) -> tuple[str | None, str]:
        return self.table.key
