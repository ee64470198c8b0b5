"""ALTER TABLE … ADD CONSTRAINT … UNIQUE."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.frozen import frozen
from dbshift.ops.base import Operation, TableChange

if TYPE_CHECKING:
    from dbshift.model import Schema, Table, UniqueConstraint


@frozen
class AddUnique(TableChange):
    constraint: UniqueConstraint
    #: PostgreSQL: build the unique index CONCURRENTLY, then attach it with ADD CONSTRAINT
    #: … USING INDEX (needs a migration without a transaction).
    concurrently: bool = False
    kind: ClassVar[str] = "add_unique"

    def apply(self, schema: Schema) -> Schema:
        def change(table: Table) -> Table:
            return replace(table, uniques=(*table.uniques, self.constraint))

        return self._change(schema, change)

    def reverse(self) -> Operation:
        from dbshift.ops.drop_unique import DropUnique

        return DropUnique(on=self.on, constraint=self.constraint)

    def describe(self) -> str:
        return f"add unique {self.constraint.name or '(unnamed)'} on {self.where}"
