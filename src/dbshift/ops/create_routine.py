"""Create a function, procedure or trigger from its definition, as the server printed it."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.frozen import frozen
from dbshift.ops.base import Operation, qualified

if TYPE_CHECKING:
    from dbshift.model import Routine, Schema


@frozen
class CreateRoutine(Operation):
    routine: Routine
    kind: ClassVar[str] = "create_routine"

    def apply(self, schema: Schema) -> Schema:
        return replace(schema, routines=(*schema.routines, self.routine))

    def reverse(self) -> Operation:
        from dbshift.ops.drop_routine import DropRoutine

        return DropRoutine(self.routine)

    def describe(self) -> str:
        on = f" on {self.routine.table}" if self.routine.table else ""
        return (
            f"create {self.routine.kind} {qualified((self.routine.schema, self.routine.name))}{on}"
        )
