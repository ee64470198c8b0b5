"""CREATE TYPE … AS (…) (PostgreSQL composite type)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.errors import PlanError
from dbshift.frozen import frozen
from dbshift.ops.base import Operation, qualified

if TYPE_CHECKING:
    from dbshift.model import CompositeType, Schema


@frozen
class CreateCompositeType(Operation):
    type: CompositeType
    kind: ClassVar[str] = "create_composite_type"

    def apply(self, schema: Schema) -> Schema:
        key = (self.type.schema, self.type.name)
        if any((o.schema, o.name) == key for o in schema.composite_types):
            raise PlanError(f"{self.describe()}: already exists")
        return replace(schema, composite_types=(*schema.composite_types, self.type))

    def reverse(self) -> Operation:
        from dbshift.ops.drop_composite_type import DropCompositeType

        return DropCompositeType(self.type)

    def describe(self) -> str:
        return f"create composite type {qualified((self.type.schema, self.type.name))}"
