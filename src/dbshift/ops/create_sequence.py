"""CREATE SEQUENCE."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.frozen import frozen
from dbshift.ops.base import Operation, qualified

if TYPE_CHECKING:
    from dbshift.model import Schema, Sequence


@frozen
class CreateSequence(Operation):
    sequence: Sequence
    kind: ClassVar[str] = "create_sequence"

    def apply(self, schema: Schema) -> Schema:
        return replace(schema, sequences=(*schema.sequences, self.sequence))

    def reverse(self) -> Operation:
        from dbshift.ops.drop_sequence import DropSequence

        return DropSequence(self.sequence)

    def describe(self) -> str:
        return f"create sequence {qualified((self.sequence.schema, self.sequence.name))}"
