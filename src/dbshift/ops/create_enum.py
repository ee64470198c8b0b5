"""CREATE TYPE … AS ENUM (PostgreSQL)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.frozen import frozen
from dbshift.ops.base import Operation, qualified

if TYPE_CHECKING:
    from dbshift.model import EnumType, Schema


@frozen
class CreateEnum(Operation):
    enum: EnumType
    kind: ClassVar[str] = "create_enum"

    def apply(self, schema: Schema) -> Schema:
        return replace(schema, enums=(*schema.enums, self.enum))

    def reverse(self) -> Operation:
        from dbshift.ops.drop_enum import DropEnum

        return DropEnum(self.enum)

    def describe(self) -> str:
        return f"create enum {qualified((self.enum.schema, self.enum.name))}"
