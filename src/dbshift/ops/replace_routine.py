"""CREATE OR REPLACE a function in place (PostgreSQL): for one a table's default, check or
index calls, which cannot be dropped while they do. Same name and arguments; a changed
result type is the server's to refuse."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.frozen import frozen
from dbshift.ops.base import Operation, qualified

if TYPE_CHECKING:
    from dbshift.model import Routine, Schema


@frozen
class ReplaceRoutine(Operation):
    before: Routine
    after: Routine
    kind: ClassVar[str] = "replace_routine"

    def apply(self, schema: Schema) -> Schema:
        kept = tuple(r for r in schema.routines if r != self.before)
        return replace(schema, routines=(*kept, self.after))

    def reverse(self) -> Operation:
        return ReplaceRoutine(before=self.after, after=self.before)

    def describe(self) -> str:
        return f"replace {self.after.kind} {qualified((self.after.schema, self.after.name))}"
