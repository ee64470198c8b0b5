"""ALTER TABLE … DROP CONSTRAINT (PostgreSQL exclusion constraint)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.errors import PlanError
from dbshift.frozen import frozen
from dbshift.ops.base import Operation, TableChange

if TYPE_CHECKING:
    from dbshift.model import ExclusionConstraint, Schema, Table


@frozen
class DropExclusion(TableChange):
    constraint: ExclusionConstraint
    kind: ClassVar[str] = "drop_exclusion"

    def apply(self, schema: Schema) -> Schema:
        def change(table: Table) -> Table:
            kept = tuple(c for c in table.exclusions if c != self.constraint)
            if len(kept) == len(table.exclusions):
                raise PlanError(f"{self.describe()}: no such constraint")
            return replace(table, exclusions=kept)

        return self._change(schema, change)

    def reverse(self) -> Operation:
        from dbshift.ops.add_exclusion import AddExclusion

        return AddExclusion(on=self.on, constraint=self.constraint)

    def describe(self) -> str:
        return f"drop exclusion {self.constraint.name} on {self.where}"
