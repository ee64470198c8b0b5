"""SQLite's STRICT and WITHOUT ROWID table options, changed by rebuilding the table."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.ops.base import Operation, TableChange

if TYPE_CHECKING:
    from dbshift.model import Schema, Table


@dataclass(frozen=True)
class SetTableSqliteOptions(TableChange):
    """``Table.strict`` and ``Table.without_rowid`` as (strict, without_rowid), before and
    after. SQLite has no ALTER for either: its renderer rebuilds the table."""

    before: tuple[bool, bool]
    after: tuple[bool, bool]
    kind: ClassVar[str] = "set_table_sqlite_options"

    def apply(self, schema: Schema) -> Schema:
        strict, without_rowid = self.after

        def change(table: Table) -> Table:
            return replace(table, strict=strict, without_rowid=without_rowid)

        return self._change(schema, change)

    def reverse(self) -> Operation:
        return SetTableSqliteOptions(on=self.on, before=self.after, after=self.before)

    def describe(self) -> str:
        words = ("STRICT", "WITHOUT ROWID")
        after = [w for w, on in zip(words, self.after, strict=True) if on]
        return f"make {self.where} {', '.join(after) or 'a plain rowid table'}"
