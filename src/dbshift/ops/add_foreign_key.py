"""ALTER TABLE … ADD CONSTRAINT … FOREIGN KEY."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.ops.base import Lock, Operation, Safety, TableChange

if TYPE_CHECKING:
    from dbshift.model import ForeignKey, Schema, Table


@dataclass(frozen=True)
class AddForeignKey(TableChange):
    constraint: ForeignKey
    kind: ClassVar[str] = "add_foreign_key"

    def apply(self, schema: Schema) -> Schema:
        def change(table: Table) -> Table:
            return replace(table, foreign_keys=(*table.foreign_keys, self.constraint))

        return self._change(schema, change)

    def reverse(self) -> Operation:
        from dbshift.ops.drop_foreign_key import DropForeignKey

        return DropForeignKey(on=self.on, constraint=self.constraint)

    def safety(self, dialect: str) -> Safety:
        if dialect == "postgresql" and self.constraint.validated:
            return Safety(
                lock=Lock.WRITES,
                note="SHARE ROW EXCLUSIVE on both tables while every row is checked; "
                "add it NOT VALID, then VALIDATE CONSTRAINT",
            )
        if dialect == "postgresql":
            return Safety(lock=Lock.WRITES, note="NOT VALID: brief lock on both tables")
        if dialect == "mysql":
            return Safety(
                lock=Lock.WRITES,
                rewrite=True,
                note="with foreign_key_checks on, MySQL copies the table (ALGORITHM=COPY)",
            )
        return Safety(lock=Lock.ALL, rewrite=True, note="SQLite rebuilds the table")

    def describe(self) -> str:
        return f"add foreign key {self.constraint.name or '(unnamed)'} on {self.where}"
