"""ALTER TABLE … SET (…) / RESET (…): a PostgreSQL table's storage parameters."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.frozen import frozen
from dbshift.ops.base import Operation, TableChange

if TYPE_CHECKING:
    from dbshift.model import Schema, Table


@frozen
class SetTableStorage(TableChange):
    #: ``name=value`` entries (``pg_class.reloptions``) before and after.
    before: tuple[str, ...]
    after: tuple[str, ...]
    kind: ClassVar[str] = "set_table_storage"

    def apply(self, schema: Schema) -> Schema:
        def change(table: Table) -> Table:
            return replace(table, storage=self.after)

        return self._change(schema, change)

    def reverse(self) -> Operation:
        return SetTableStorage(on=self.on, before=self.after, after=self.before)

    def describe(self) -> str:
        return f"set storage parameters of {self.where}"
