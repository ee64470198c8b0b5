"""DROP TYPE of a composite type (PostgreSQL): refused while a column or routine uses it."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.errors import PlanError
from dbshift.frozen import frozen
from dbshift.ops.base import Operation, qualified

if TYPE_CHECKING:
    from dbshift.model import CompositeType, Schema


@frozen
class DropCompositeType(Operation):
    type: CompositeType
    kind: ClassVar[str] = "drop_composite_type"

    def apply(self, schema: Schema) -> Schema:
        key = (self.type.schema, self.type.name)
        kept = tuple(o for o in schema.composite_types if (o.schema, o.name) != key)
        if len(kept) == len(schema.composite_types):
            raise PlanError(f"{self.describe()}: no such composite type")
        return replace(schema, composite_types=kept)

    def reverse(self) -> Operation:
        from dbshift.ops.create_composite_type import CreateCompositeType

        return CreateCompositeType(self.type)

    def describe(self) -> str:
        return f"drop composite type {qualified((self.type.schema, self.type.name))}"
