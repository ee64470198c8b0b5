"""ALTER TABLE … ADD CONSTRAINT … UNIQUE."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.ops.base import Lock, Operation, Safety, TableChange

if TYPE_CHECKING:
    from dbshift.model import Schema, Table, UniqueConstraint


@dataclass(frozen=True)
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

    def safety(self, dialect: str) -> Safety:
        if dialect == "postgresql" and self.concurrently:
            return Safety(
                lock=Lock.ALL,
                note="brief lock to attach the unique index built CONCURRENTLY",
            )
        if dialect == "postgresql":
            return Safety(
                lock=Lock.ALL,
                note="builds its index under the table lock; build a unique index "
                "CONCURRENTLY first and add the constraint USING INDEX",
            )
        return Safety(lock=Lock.ALL, rewrite=dialect == "sqlite", note="builds a unique index")

    def describe(self) -> str:
        return f"add unique {self.constraint.name or '(unnamed)'} on {self.where}"
