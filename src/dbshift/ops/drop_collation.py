"""DROP COLLATION (PostgreSQL): refused by the server while a column or index uses it."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.errors import PlanError
from dbshift.frozen import frozen
from dbshift.ops.base import Operation, qualified

if TYPE_CHECKING:
    from dbshift.model import Collation, Schema


@frozen
class DropCollation(Operation):
    collation: Collation
    kind: ClassVar[str] = "drop_collation"

    def apply(self, schema: Schema) -> Schema:
        key = (self.collation.schema, self.collation.name)
        kept = tuple(o for o in schema.collations if (o.schema, o.name) != key)
        if len(kept) == len(schema.collations):
            raise PlanError(f"{self.describe()}: no such collation")
        return replace(schema, collations=kept)

    def reverse(self) -> Operation:
        from dbshift.ops.create_collation import CreateCollation

        return CreateCollation(self.collation)

    def describe(self) -> str:
        return f"drop collation {qualified((self.collation.schema, self.collation.name))}"
