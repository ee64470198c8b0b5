"""A PostgreSQL collation whose definition changes, swapped in under the columns using it.

A collation cannot be altered (only renamed or refreshed), and DROP COLLATION is refused
while a column or index uses it. The procedure is the one ``RecreateDomain`` follows:
create the wanted collation under a temporary name, ``ALTER COLUMN … TYPE same COLLATE
new`` on every column of the old one (the server rebuilds the indexes on them with it),
drop the old collation, rename the new one. Indexes that name the collation themselves
and views over those columns are dropped before and created after by the differ (the
server refuses the ALTER under a view). Measured on PostgreSQL 15: no table rewrite (the
relfilenode stays), but each index on those columns is rebuilt, and a unique index fails
the migration if the new collation makes two of its keys equal.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.errors import PlanError
from dbshift.frozen import frozen
from dbshift.ops.base import Operation, qualified

if TYPE_CHECKING:
    from dbshift.model import Collation, Column, Index, Schema


@frozen
class RecreateCollation(Operation):
    before: Collation
    after: Collation
    kind: ClassVar[str] = "recreate_collation"

    def __post_init__(self) -> None:
        if (self.before.schema, self.before.name) != (self.after.schema, self.after.name):
            raise PlanError("RecreateCollation cannot rename or move a collation")

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.after.schema, self.after.name)

    def column_uses(self, column: Column) -> bool:
        """The column has the collation (the catalog names it bare, as here)."""
        return column.collation == self.before.name

    def index_uses(self, index: Index) -> bool:
        """The index names the collation itself (an element's COLLATE, or in an expression
        or predicate): it depends on it, so it goes before the old collation does."""
        quoted = '"' + self.before.name.replace('"', '""') + '"'
        spelled = (f"COLLATE {quoted}", f"COLLATE {self.before.name}")
        texts = [e.expression for e in index.elements if e.is_expression]
        texts += [index.where] if index.where else []
        return any(e.collation == self.before.name for e in index.elements) or any(
            s in text for text in texts for s in spelled
        )

    def apply(self, schema: Schema) -> Schema:
        if not any((c.schema, c.name) == self.key for c in schema.collations):
            raise PlanError(f"{self.describe()}: collation {qualified(self.key)} does not exist")
        return replace(
            schema,
            collations=tuple(
                self.after if (c.schema, c.name) == self.key else c for c in schema.collations
            ),
        )

    def reverse(self) -> Operation:
        return RecreateCollation(before=self.after, after=self.before)

    def describe(self) -> str:
        return f"recreate collation {qualified(self.key)}"
