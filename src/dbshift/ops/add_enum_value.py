"""ALTER TYPE … ADD VALUE (PostgreSQL): values can be added, never removed in place."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.errors import Irreversible
from dbshift.frozen import frozen
from dbshift.ops.base import Operation, qualified

if TYPE_CHECKING:
    from dbshift.model import EnumType, Schema


@frozen
class AddEnumValue(Operation):
    enum: EnumType
    value: str
    #: The existing value it goes before; None appends.
    before: str | None = None
    kind: ClassVar[str] = "add_enum_value"

    def apply(self, schema: Schema) -> Schema:
        key = (self.enum.schema, self.enum.name)
        out = []
        for e in schema.enums:
            if (e.schema, e.name) == key:
                values = list(e.values)
                at = values.index(self.before) if self.before in values else len(values)
                values.insert(at, self.value)
                e = replace(e, values=tuple(values))
            out.append(e)
        return replace(schema, enums=tuple(out))

    def reverse(self) -> Operation:
        raise Irreversible(
            f"{self.describe()}: PostgreSQL cannot remove an enum value; recreate the type"
        )

    def describe(self) -> str:
        return f"add value {self.value!r} to enum {qualified((self.enum.schema, self.enum.name))}"
