"""ALTER TABLE … ADD COLUMN."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from dbshift.errors import PlanError
from dbshift.ops.base import Lock, Operation, Safety, TableChange

if TYPE_CHECKING:
    from dbshift.model import Column, Schema, Table

# PostgreSQL 11+ stores a non-volatile default in the catalog; a volatile one (these, or
# any function it cannot prove stable) rewrites every row under ACCESS EXCLUSIVE.
_VOLATILE = re.compile(
    r"\b(random|clock_timestamp|gen_random_uuid|uuid_generate_v\d|nextval|timeofday|txid_current)\s*\(",
    re.I,
)


def volatile_default(column: Column) -> bool:
    """Whether PostgreSQL evaluates the column's default per row (and so, on ADD COLUMN,
    writes it into every existing row)."""
    return bool(column.default and _VOLATILE.search(column.default))


@dataclass(frozen=True)
class AddColumn(TableChange):
    column: Column
    kind: ClassVar[str] = "add_column"

    def apply(self, schema: Schema) -> Schema:
        def change(table: Table) -> Table:
            if table.column(self.column.name) is not None:
                raise PlanError(f"{self.describe()}: column already exists")
            return table.with_column(self.column)

        return self._change(schema, change)

    def reverse(self) -> Operation:
        from dbshift.ops.drop_column import DropColumn

        return DropColumn(on=self.on, column=self.column)

    def safety(self, dialect: str) -> Safety:
        c = self.column
        if dialect == "postgresql":
            volatile = volatile_default(c)
            stored = c.generated is not None and c.generated.stored
            if volatile or stored or c.identity is not None:
                return Safety(
                    lock=Lock.ALL,
                    rewrite=True,
                    note="a volatile default, identity or stored generated column rewrites the table",
                )
            return Safety(lock=Lock.ALL, note="brief ACCESS EXCLUSIVE lock; catalog-only change")
        if dialect == "mysql":
            return Safety(
                note="ALGORITHM=INSTANT where the server allows it (MySQL 8.0.12+, MariaDB 10.3+)"
            )
        return Safety(note="SQLite adds columns in place")

    def describe(self) -> str:
        return f"add column {self.where}.{self.column.name}"
