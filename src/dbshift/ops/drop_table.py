"""DROP TABLE: the structure is reversible, the rows are not."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from dbshift.frozen import frozen
from dbshift.ops.base import Operation, qualified, require_table

if TYPE_CHECKING:
    from dbshift.model import Schema, Table


@frozen
class DropTable(Operation):
    table: Table
    kind: ClassVar[str] = "drop_table"

    def apply(self, schema: Schema) -> Schema:
        require_table(schema, self.table.key, self.describe())
        return schema.without_table(self.table.name, self.table.schema)

    def reverse(self) -> Operation:
        from dbshift.ops.create_table import CreateTable

        return CreateTable(self.table)

    def describe(self) -> str:
        return f"drop table {qualified(self.table.key)}"

    @property
    def table_key(self) -> tuple[str | None, str]:
        return self.table.key
