"""Split a table in two: some columns move to a new table keyed by the source's key (its
key references the source's, ON DELETE CASCADE).

Only online migration files say it (``split_table``): the online engines keep both
versions' views of the rows in step while it runs. No plain migration renders it, and it
has no reverse (no operation merges the tables back)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from dbshift.errors import Irreversible, PlanError
from dbshift.frozen import frozen
from dbshift.ops.base import Operation, TableChange, qualified, require_table

if TYPE_CHECKING:
    from dbshift.model import Schema


@frozen
class SplitTable(TableChange):
    new_table: str
    #: The columns that move.
    columns: tuple[str, ...]
    #: The source's key column, and its name in the new table.
    key: str = "id"
    new_key: str = ""
    kind: ClassVar[str] = "split_table"

    def apply(self, schema: Schema) -> Schema:
        from dbshift.model import Column, ForeignKey, PrimaryKey, ReferentialAction, Table

        source = require_table(schema, self.on, self.describe())

        def need(name: str) -> Column:
            column = source.column(name)
            if column is None:
                raise PlanError(f"{self.describe()}: no column {name!r}")
            return column

        key = need(self.key)
        moved = [need(c) for c in self.columns]
        if schema.table(self.new_table, self.on[0]) is not None:
            raise PlanError(f"{self.describe()}: table {self.new_table!r} already exists")
        new = Table(
            name=self.new_table,
            schema=self.on[0],
            columns=(
                Column(self.new_key, key.type, nullable=False),
                *(Column(c.name, c.type) for c in moved),
            ),
            primary_key=PrimaryKey((self.new_key,)),
            foreign_keys=(
                ForeignKey(
                    name="",
                    columns=(self.new_key,),
                    ref_table=self.on[1],
                    ref_columns=(self.key,),
                    ref_schema=self.on[0],
                    on_delete=ReferentialAction.CASCADE,
                ),
            ),
        )
        rest = source
        for name in self.columns:
            rest = rest.without_column(name)
        return schema.with_table(rest).with_table(new)

    def reverse(self) -> Operation:
        raise Irreversible(f"{self.describe()}: no operation merges the tables back")

    def describe(self) -> str:
        target = qualified((self.on[0], self.new_table))
        return f"split {', '.join(self.columns)} of {self.where} into {target}"
