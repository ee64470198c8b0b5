"""COMMENT ON TABLE / ALTER TABLE … COMMENT."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.frozen import frozen
from dbshift.ops.base import Operation, TableChange

if TYPE_CHECKING:
    from dbshift.model import Schema, Table


@frozen
class SetTableComment(TableChange):
    before: str | None
    after: str | None
    kind: ClassVar[str] = "set_table_comment"

    def apply(self, schema: Schema) -> Schema:
        def change(table: Table) -> Table:
            return replace(table, comment=self.after)

        return self._change(schema, change)

    def reverse(self) -> Operation:
        return SetTableComment(on=self.on, before=self.after, after=self.before)

    def describe(self) -> str:
        return f"set comment on table {self.where}"
