"""ALTER TABLE … DROP CONSTRAINT (check)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.errors import PlanError
from dbshift.frozen import frozen
from dbshift.ops.base import Operation, TableChange

if TYPE_CHECKING:
    from dbshift.model import CheckConstraint, Schema, Table


@frozen
class DropCheck(TableChange):
    constraint: CheckConstraint
    kind: ClassVar[str] = "drop_check"

    def apply(self, schema: Schema) -> Schema:
        def change(table: Table) -> Table:
            kept = tuple(c for c in table.checks if c != self.constraint)
            if len(kept) == len(table.checks):
                raise PlanError(f"{self.describe()}: no such constraint")
            return replace(table, checks=kept)

        return self._change(schema, change)

    def reverse(self) -> Operation:
        from dbshift.ops.add_check import AddCheck

        return AddCheck(on=self.on, constraint=self.constraint)

    def describe(self) -> str:
        return f"drop check {self.constraint.name or '(unnamed)'} on {self.where}"
