"""CREATE COLLATION (PostgreSQL), ICU or libc, deterministic or not."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.errors import PlanError
from dbshift.frozen import frozen
from dbshift.ops.base import Operation, qualified

if TYPE_CHECKING:
    from dbshift.model import Collation, Schema


@frozen
class CreateCollation(Operation):
    collation: Collation
    kind: ClassVar[str] = "create_collation"

    def apply(self, schema: Schema) -> Schema:
        key = (self.collation.schema, self.collation.name)
        if any((o.schema, o.name) == key for o in schema.collations):
            raise PlanError(f"{self.describe()}: already exists")
        return replace(schema, collations=(*schema.collations, self.collation))

    def reverse(self) -> Operation:
        from dbshift.ops.drop_collation import DropCollation

        return DropCollation(self.collation)

    def describe(self) -> str:
        return f"create collation {qualified((self.collation.schema, self.collation.name))}"
