"""DROP TABLE: the structure is reversible, the rows are not."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from dbshift.ops.base import Lock, Operation, Safety, qualified, require_table

if TYPE_CHECKING:
    from dbshift.model import Schema, Table


@dataclass(frozen=True)
class DropTable(Operation):
    table: Table
    kind: ClassVar[str] = "drop_table"

    def apply(self, schema: Schema) -> Schema:
        require_table(schema, self.table.key, self.describe())
        return schema.without_table(self.table.name, self.table.schema)

    def reverse(self) -> Operation:
        from dbshift.ops.create_table import CreateTable

        return CreateTable(self.table)

    def safety(self, dialect: str) -> Safety:
        return Safety(
            lock=Lock.ALL,
            breaking=True,
            destructive=True,
            note="every row of the table is lost; the previous version still reads it",
        )

    def describe(self) -> str:
        return f"drop table {qualified(self.table.key)}"

    @property
    def table_key(self) -> tuple[str | None, str]:
        return self.table.key
