"""ALTER TABLE … DROP CONSTRAINT / DROP FOREIGN KEY."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.errors import PlanError
from dbshift.frozen import frozen
from dbshift.ops.base import Operation, TableChange

if TYPE_CHECKING:
    from dbshift.model import ForeignKey, Schema, Table


@frozen
class DropForeignKey(TableChange):
    constraint: ForeignKey
    kind: ClassVar[str] = "drop_foreign_key"

    def apply(self, schema: Schema) -> Schema:
        def change(table: Table) -> Table:
            kept = tuple(f for f in table.foreign_keys if f != self.constraint)
            if len(kept) == len(table.foreign_keys):
                raise PlanError(f"{self.describe()}: no such constraint")
            return replace(table, foreign_keys=kept)

        return self._change(schema, change)

    def reverse(self) -> Operation:
        from dbshift.ops.add_foreign_key import AddForeignKey

        return AddForeignKey(on=self.on, constraint=self.constraint)

    def describe(self) -> str:
        return f"drop foreign key {self.constraint.name or '(unnamed)'} on {self.where}"
