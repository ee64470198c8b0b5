"""DROP SCHEMA, last in a plan, after every object in it was dropped.

On PostgreSQL rendered without CASCADE: an object dbshift does not model (or was told to
exclude) makes the server refuse, rather than go with it. On MySQL/MariaDB it is DROP
DATABASE, which has no such guard: the safety table marks it destructive there.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.errors import PlanError
from dbshift.frozen import frozen
from dbshift.ops.base import Operation

if TYPE_CHECKING:
    from dbshift.model import Schema


@frozen
class DropSchema(Operation):
    name: str
    kind: ClassVar[str] = "drop_schema"

    def apply(self, schema: Schema) -> Schema:
        if self.name not in schema.namespaces:
            raise PlanError(f"{self.describe()}: no such schema")
        return replace(schema, namespaces=tuple(n for n in schema.namespaces if n != self.name))

    def reverse(self) -> Operation:
        from dbshift.ops.create_schema import CreateSchema

        return CreateSchema(self.name)

    def describe(self) -> str:
        return f"drop schema {self.name}"
