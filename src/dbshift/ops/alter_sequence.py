"""ALTER SEQUENCE: type, bounds, increment, start, cache, cycle and owner, in place.

Dropping and recreating a sequence to change one of these would reset its position (the
next value handed out), so a changed sequence is altered instead and keeps counting from
where it is. One operation carries the sequence before and after, as ``AlterColumn`` does,
so the reverse is exact and ``changes`` tells the renderer which clauses to write.
"""

from __future__ import annotations

from dataclasses import fields, replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.errors import PlanError
from dbshift.frozen import frozen
from dbshift.ops.base import Operation, qualified

if TYPE_CHECKING:
    from dbshift.model import Schema, Sequence


@frozen
class AlterSequence(Operation):
    before: Sequence
    after: Sequence
    kind: ClassVar[str] = "alter_sequence"

    def __post_init__(self) -> None:
        if (self.before.schema, self.before.name) != (self.after.schema, self.after.name):
            raise PlanError("AlterSequence cannot rename or move a sequence")

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.after.schema, self.after.name)

    @property
    def changes(self) -> tuple[str, ...]:
        return tuple(
            f.name
            for f in fields(self.after)
            if getattr(self.before, f.name) != getattr(self.after, f.name)
        )

    @property
    def restarts(self) -> bool:
        """The sequence counts the other way now: its position is outside the new range,
        so it starts over from its START (PostgreSQL refuses to keep it)."""
        return (self.before.increment > 0) != (self.after.increment > 0)

    def apply(self, schema: Schema) -> Schema:
        if not any((s.schema, s.name) == self.key for s in schema.sequences):
            raise PlanError(f"{self.describe()}: sequence {qualified(self.key)} does not exist")
        return replace(
            schema,
            sequences=tuple(
                self.after if (s.schema, s.name) == self.key else s for s in schema.sequences
            ),
        )

    def reverse(self) -> Operation:
        return AlterSequence(before=self.after, after=self.before)

    def describe(self) -> str:
        return f"alter sequence {qualified(self.key)} ({', '.join(self.changes)})"
