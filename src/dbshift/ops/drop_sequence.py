"""DROP SEQUENCE: its current value is lost."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.frozen import frozen
from dbshift.ops.base import Operation, qualified

if TYPE_CHECKING:
    from dbshift.model import Schema, Sequence


@frozen
class DropSequence(Operation):
    sequence: Sequence
    kind: ClassVar[str] = "drop_sequence"

    def apply(self, schema: Schema) -> Schema:
        key = (self.sequence.schema, self.sequence.name)
        kept = tuple(s for s in schema.sequences if (s.schema, s.name) != key)
        return replace(schema, sequences=kept)

    def reverse(self) -> Operation:
        from dbshift.ops.create_sequence import CreateSequence

        return CreateSequence(self.sequence)

    def describe(self) -> str:
        return f"drop sequence {qualified((self.sequence.schema, self.sequence.name))}"
