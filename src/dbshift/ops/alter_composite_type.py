"""ALTER TYPE … ADD / DROP ATTRIBUTE (PostgreSQL composite type), in place: a column or
routine that uses the type keeps it (a drop and create would be refused)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.frozen import frozen
from dbshift.ops.base import Operation, qualified

if TYPE_CHECKING:
    from dbshift.model import CompositeType, Schema


@frozen
class AlterCompositeType(Operation):
    before: CompositeType
    after: CompositeType
    kind: ClassVar[str] = "alter_composite_type"

    def apply(self, schema: Schema) -> Schema:
        key = (self.before.schema, self.before.name)
        return replace(
            schema,
            composite_types=tuple(
                self.after if (t.schema, t.name) == key else t for t in schema.composite_types
            ),
        )

    def reverse(self) -> Operation:
        return AlterCompositeType(before=self.after, after=self.before)

    @property
    def dropped_attributes(self) -> frozenset[str]:
        """Attributes from the first that differs on are dropped and added again (see the
        PostgreSQL renderer): their values in columns of this type are lost."""
        same = 0
        before, after = self.before.attributes, self.after.attributes
        while same < min(len(before), len(after)) and before[same] == after[same]:
            same += 1
        return frozenset(n for n, _ in before[same:])

    def describe(self) -> str:
        return f"alter type {qualified((self.after.schema, self.after.name))}"
