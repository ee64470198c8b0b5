"""ALTER TABLE … SET LOGGED / SET UNLOGGED: whether a PostgreSQL table writes WAL."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.frozen import frozen
from dbshift.ops.base import Operation, TableChange

if TYPE_CHECKING:
    from dbshift.model import Schema, Table


@frozen
class SetTableUnlogged(TableChange):
    #: ``Table.unlogged`` after the change (before it is the opposite).
    unlogged: bool
    kind: ClassVar[str] = "set_table_unlogged"

    def apply(self, schema: Schema) -> Schema:
        def change(table: Table) -> Table:
            return replace(table, unlogged=self.unlogged)

        return self._change(schema, change)

    def reverse(self) -> Operation:
        return SetTableUnlogged(on=self.on, unlogged=not self.unlogged)

    def describe(self) -> str:
        return f"make {self.where} {'unlogged' if self.unlogged else 'logged'}"
