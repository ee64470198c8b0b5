"""ALTER TABLE … ENABLE / DISABLE / FORCE / NO FORCE ROW LEVEL SECURITY (PostgreSQL)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.frozen import frozen
from dbshift.ops.base import Operation, TableChange

if TYPE_CHECKING:
    from dbshift.model import Schema, Table


@frozen
class SetRowSecurity(TableChange):
    #: (enabled, forced) before and after.
    before: tuple[bool, bool]
    after: tuple[bool, bool]
    kind: ClassVar[str] = "set_row_security"

    def apply(self, schema: Schema) -> Schema:
        def change(table: Table) -> Table:
            enabled, forced = self.after
            return replace(table, row_security=enabled, force_row_security=forced)

        return self._change(schema, change)

    def reverse(self) -> Operation:
        return SetRowSecurity(on=self.on, before=self.after, after=self.before)

    def describe(self) -> str:
        return f"set row level security on {self.where}"
