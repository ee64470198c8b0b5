"""ALTER TABLE … ADD CONSTRAINT … CHECK."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.ops.base import Operation, TableChange

if TYPE_CHECKING:
    from dbshift.model import CheckConstraint, Schema, Table


@dataclass(frozen=True)
class AddCheck(TableChange):
    constraint: CheckConstraint
    kind: ClassVar[str] = "add_check"

    def apply(self, schema: Schema) -> Schema:
        def change(table: Table) -> Table:
            return replace(table, checks=(*table.checks, self.constraint))

        return self._change(schema, change)

    def reverse(self) -> Operation:
        from dbshift.ops.drop_check import DropCheck

        return DropCheck(on=self.on, constraint=self.constraint)

    def describe(self) -> str:
        return f"add check {self.constraint.name or '(unnamed)'} on {self.where}"
