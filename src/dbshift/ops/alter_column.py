"""ALTER TABLE … ALTER COLUMN: type, collation, nullability, default, comment, ON UPDATE,
visibility (MySQL/MariaDB INVISIBLE), and the options of an identity that stays one.

One operation carrying the column before and after: MySQL can only restate the whole
column (``MODIFY``), so the renderer needs both states anyway, and ``changes`` tells the
PostgreSQL renderer and the linter which attributes moved.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.errors import PlanError
from dbshift.ops.base import Operation, TableChange

if TYPE_CHECKING:
    from dbshift.model import Column, Schema, Table

#: Attributes AlterColumn can change. A column whose generated expression changes is dropped
#: and added instead (see the differ). An identity is added, dropped or has its options
#: altered in place (PostgreSQL ``ADD GENERATED``, ``DROP IDENTITY``, ``SET INCREMENT`` …;
#: MySQL restates AUTO_INCREMENT; SQLite rebuilds).
ALTERABLE = (
    "type",
    "collation",
    "nullable",
    "default",
    "comment",
    "on_update",
    "invisible",
    "identity",
)


@dataclass(frozen=True)
class AlterColumn(TableChange):
    before: Column
    after: Column
    kind: ClassVar[str] = "alter_column"

    def __post_init__(self) -> None:
        if self.before.name != self.after.name:
            raise PlanError("AlterColumn cannot rename: use RenameColumn")

    @property
    def changes(self) -> tuple[str, ...]:
        return tuple(a for a in ALTERABLE if getattr(self.before, a) != getattr(self.after, a))

    def apply(self, schema: Schema) -> Schema:
        def change(table: Table) -> Table:
            current = table.column(self.before.name)
            if current is None:
                raise PlanError(f"{self.describe()}: no such column")
            updated = replace(current, **{a: getattr(self.after, a) for a in self.changes})
            return table.with_column(updated)

        return self._change(schema, change)

    def reverse(self) -> Operation:
        return AlterColumn(on=self.on, before=self.after, after=self.before)

    def describe(self) -> str:
        return f"alter column {self.where}.{self.after.name} ({', '.join(self.changes)})"
