"""CREATE EXTENSION (PostgreSQL): the extension's objects come with it."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.errors import PlanError
from dbshift.frozen import frozen
from dbshift.ops.base import Operation, qualified

if TYPE_CHECKING:
    from dbshift.model import Extension, Schema


@frozen
class CreateExtension(Operation):
    extension: Extension
    kind: ClassVar[str] = "create_extension"

    def apply(self, schema: Schema) -> Schema:
        key = (self.extension.schema, self.extension.name)
        if any((o.schema, o.name) == key for o in schema.extensions):
            raise PlanError(f"{self.describe()}: already exists")
        return replace(schema, extensions=(*schema.extensions, self.extension))

    def reverse(self) -> Operation:
        from dbshift.ops.drop_extension import DropExtension

        return DropExtension(self.extension)

    def describe(self) -> str:
        return f"create extension {qualified((self.extension.schema, self.extension.name))}"
