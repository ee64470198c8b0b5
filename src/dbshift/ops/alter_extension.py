"""ALTER EXTENSION … UPDATE TO version (PostgreSQL): the extension's own upgrade script."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.frozen import frozen
from dbshift.ops.base import Operation, qualified

if TYPE_CHECKING:
    from dbshift.model import Extension, Schema


@frozen
class AlterExtension(Operation):
    before: Extension
    after: Extension
    kind: ClassVar[str] = "alter_extension"

    def apply(self, schema: Schema) -> Schema:
        key = (self.before.schema, self.before.name)
        return replace(
            schema,
            extensions=tuple(
                self.after if (e.schema, e.name) == key else e for e in schema.extensions
            ),
        )

    def reverse(self) -> Operation:
        return AlterExtension(before=self.after, after=self.before)

    def describe(self) -> str:
        name = qualified((self.after.schema, self.after.name))
        return f"update extension {name} to {self.after.version or 'its default version'}"
