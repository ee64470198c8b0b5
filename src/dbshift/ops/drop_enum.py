"""DROP TYPE (PostgreSQL enum)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.frozen import frozen
from dbshift.ops.base import Operation, qualified

if TYPE_CHECKING:
    from dbshift.model import EnumType, Schema


@frozen
class DropEnum(Operation):
    enum: EnumType
    kind: ClassVar[str] = "drop_enum"

    def apply(self, schema: Schema) -> Schema:
        key = (self.enum.schema, self.enum.name)
        return replace(schema, enums=tuple(e for e in schema.enums if (e.schema, e.name) != key))

    def reverse(self) -> Operation:
        from dbshift.ops.create_enum import CreateEnum

        return CreateEnum(self.enum)

    def describe(self) -> str:
        return f"drop enum {qualified((self.enum.schema, self.enum.name))}"
