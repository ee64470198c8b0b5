"""ALTER TABLE … RENAME COLUMN: only from an explicit hint; never guessed."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.errors import PlanError
from dbshift.frozen import frozen
from dbshift.ops.base import Operation, TableChange

if TYPE_CHECKING:
    from dbshift.model import Schema, Table


def _renamed(names: tuple[str, ...], old: str, new: str) -> tuple[str, ...]:
    return tuple(new if n == old else n for n in names)


@frozen
class RenameColumn(TableChange):
    old: str
    new: str
    kind: ClassVar[str] = "rename_column"

    def apply(self, schema: Schema) -> Schema:
        def change(table: Table) -> Table:
            column = table.column(self.old)
            if column is None or table.column(self.new) is not None:
                raise PlanError(f"{self.describe()}: no column {self.old} or {self.new} exists")
            # Keys and indexes follow the column, as the server makes them.
            pk = table.primary_key
            return replace(
                table,
                columns=tuple(
                    replace(c, name=self.new) if c is column else c for c in table.columns
                ),
                primary_key=replace(pk, columns=_renamed(pk.columns, self.old, self.new))
                if pk
                else None,
                uniques=tuple(
                    replace(u, columns=_renamed(u.columns, self.old, self.new))
                    for u in table.uniques
                ),
                foreign_keys=tuple(
                    replace(
                        f,
                        columns=_renamed(f.columns, self.old, self.new),
                        on_delete_columns=_renamed(f.on_delete_columns, self.old, self.new),
                    )
                    for f in table.foreign_keys
                ),
                indexes=tuple(
                    replace(
                        i,
                        elements=tuple(
                            replace(e, expression=self.new)
                            if not e.is_expression and e.expression == self.old
                            else e
                            for e in i.elements
                        ),
                        include=_renamed(i.include, self.old, self.new),
                    )
                    for i in table.indexes
                ),
            )

        out = self._change(schema, change)
        for other in out.tables:  # foreign keys pointing at the renamed column
            fks = tuple(
                replace(f, ref_columns=_renamed(f.ref_columns, self.old, self.new))
                if (f.ref_schema, f.ref_table) == self.on
                else f
                for f in other.foreign_keys
            )
            if fks != other.foreign_keys:
                out = out.with_table(replace(other, foreign_keys=fks))
        return out

    def reverse(self) -> Operation:
        return RenameColumn(on=self.on, old=self.new, new=self.old)

    def describe(self) -> str:
        return f"rename column {self.where}.{self.old} to {self.new}"
