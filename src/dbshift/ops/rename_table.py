"""ALTER TABLE … RENAME: only from an explicit hint; never guessed."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.errors import PlanError
from dbshift.frozen import frozen
from dbshift.ops.base import Operation, qualified, require_table

if TYPE_CHECKING:
    from dbshift.model import Schema


@frozen
class RenameTable(Operation):
    old: str
    new: str
    schema: str | None = None
    kind: ClassVar[str] = "rename_table"

    def apply(self, schema: Schema) -> Schema:
        table = require_table(schema, (self.schema, self.old), self.describe())
        if schema.table(self.new, self.schema) is not None:
            raise PlanError(f"{self.describe()}: {self.new} already exists")
        renamed = replace(table, name=self.new)
        # Foreign keys elsewhere follow the rename, as the server makes them.
        out = schema.without_table(self.old, self.schema).with_table(renamed)
        for other in out.tables:
            fks = tuple(
                replace(fk, ref_table=self.new)
                if fk.ref_table == self.old and fk.ref_schema == self.schema
                else fk
                for fk in other.foreign_keys
            )
            if fks != other.foreign_keys:
                out = out.with_table(replace(other, foreign_keys=fks))
        return out

    def reverse(self) -> Operation:
        return RenameTable(old=self.new, new=self.old, schema=self.schema)

    def describe(self) -> str:
        return f"rename table {qualified((self.schema, self.old))} to {self.new}"

    @property
    def table_key(self) -> tuple[str | None, str]:
        return (self.schema, self.old)
