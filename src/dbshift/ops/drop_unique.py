"""ALTER TABLE … DROP CONSTRAINT (unique)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.errors import PlanError
from dbshift.frozen import frozen
from dbshift.ops.base import Operation, TableChange

if TYPE_CHECKING:
    from dbshift.model import Schema, Table, UniqueConstraint


@frozen
class DropUnique(TableChange):
    constraint: UniqueConstraint
    kind: ClassVar[str] = "drop_unique"

    def apply(self, schema: Schema) -> Schema:
        def change(table: Table) -> Table:
            kept = tuple(u for u in table.uniques if u != self.constraint)
            if len(kept) == len(table.uniques):
                raise PlanError(f"{self.describe()}: no such constraint")
            return replace(table, uniques=kept)

        return self._change(schema, change)

    def reverse(self) -> Operation:
        from dbshift.ops.add_unique import AddUnique

        return AddUnique(on=self.on, constraint=self.constraint)

    def describe(self) -> str:
        return f"drop unique {self.constraint.name or '(unnamed)'} on {self.where}"
