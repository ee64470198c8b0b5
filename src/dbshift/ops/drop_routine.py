"""Drop a function, procedure or trigger."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.frozen import frozen
from dbshift.ops.base import Operation, qualified

if TYPE_CHECKING:
    from dbshift.model import Routine, Schema


@frozen
class DropRoutine(Operation):
    routine: Routine
    kind: ClassVar[str] = "drop_routine"

    def apply(self, schema: Schema) -> Schema:
        return replace(schema, routines=tuple(r for r in schema.routines if r != self.routine))

    def reverse(self) -> Operation:
        from dbshift.ops.create_routine import CreateRoutine

        return CreateRoutine(self.routine)

    def describe(self) -> str:
        on = f" on {self.routine.table}" if self.routine.table else ""
        return f"drop {self.routine.kind} {qualified((self.routine.schema, self.routine.name))}{on}"
