"""Raw SQL, the escape hatch of online migration files (``raw_sql``) and of ``generate
--online`` for changes that break nothing (a new table: the renderer's SQL as is).

dbshift cannot see inside it: applying it leaves the model as it was, and its safety is
rated as the worst case. ``down`` undoes ``up``; without it there is no reverse."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from dbshift.errors import Irreversible
from dbshift.frozen import frozen
from dbshift.ops.base import Operation, TableChange

if TYPE_CHECKING:
    from dbshift.model import Schema


@frozen
class RawSQL(TableChange):
    """``on`` names the table the file says the SQL is about (for messages and for the
    online engine's per-table grouping); the SQL may touch anything."""

    up: str
    down: str | None = None
    kind: ClassVar[str] = "raw_sql"

    def apply(self, schema: Schema) -> Schema:
        return schema

    def reverse(self) -> Operation:
        if self.down is None:
            raise Irreversible(f"{self.describe()} has no down SQL")
        return RawSQL(on=self.on, up=self.down, down=self.up)

    def describe(self) -> str:
        return f"raw SQL on {self.where}"
