"""ALTER TABLE … ADD CONSTRAINT … EXCLUDE (PostgreSQL), from its opaque definition."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.frozen import frozen
from dbshift.ops.base import Operation, TableChange

if TYPE_CHECKING:
    from dbshift.model import ExclusionConstraint, Schema, Table


@frozen
class AddExclusion(TableChange):
    constraint: ExclusionConstraint
    kind: ClassVar[str] = "add_exclusion"

    def apply(self, schema: Schema) -> Schema:
        def change(table: Table) -> Table:
            return replace(table, exclusions=(*table.exclusions, self.constraint))

        return self._change(schema, change)

    def reverse(self) -> Operation:
        from dbshift.ops.drop_exclusion import DropExclusion

        return DropExclusion(on=self.on, constraint=self.constraint)

    def describe(self) -> str:
        return f"add exclusion {self.constraint.name} on {self.where}"
