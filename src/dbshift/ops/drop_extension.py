"""DROP EXTENSION (PostgreSQL): its objects go with it, and the data in its tables."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.errors import PlanError
from dbshift.frozen import frozen
from dbshift.ops.base import Operation, qualified

if TYPE_CHECKING:
    from dbshift.model import Extension, Schema


@frozen
class DropExtension(Operation):
    extension: Extension
    kind: ClassVar[str] = "drop_extension"

    def apply(self, schema: Schema) -> Schema:
        key = (self.extension.schema, self.extension.name)
        kept = tuple(o for o in schema.extensions if (o.schema, o.name) != key)
        if len(kept) == len(schema.extensions):
            raise PlanError(f"{self.describe()}: no such extension")
        return replace(schema, extensions=kept)

    def reverse(self) -> Operation:
        from dbshift.ops.create_extension import CreateExtension

        return CreateExtension(self.extension)

    def describe(self) -> str:
        return f"drop extension {qualified((self.extension.schema, self.extension.name))}"
