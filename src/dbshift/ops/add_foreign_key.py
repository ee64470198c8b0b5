"""ALTER TABLE … ADD CONSTRAINT … FOREIGN KEY."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.frozen import frozen
from dbshift.ops.base import Operation, TableChange

if TYPE_CHECKING:
    from dbshift.model import ForeignKey, Schema, Table


@frozen
class AddForeignKey(TableChange):
    constraint: ForeignKey
    kind: ClassVar[str] = "add_foreign_key"

    def apply(self, schema: Schema) -> Schema:
        def change(table: Table) -> Table:
            return replace(table, foreign_keys=(*table.foreign_keys, self.constraint))

        return self._change(schema, change)

    def reverse(self) -> Operation:
        from dbshift.ops.drop_foreign_key import DropForeignKey

        return DropForeignKey(on=self.on, constraint=self.constraint)

    def describe(self) -> str:
        return f"add foreign key {self.constraint.name or '(unnamed)'} on {self.where}"
