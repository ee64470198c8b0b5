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
from dbshift.ops.base import Lock, Operation, Safety, TableChange
from dbshift.ops.type_change import mysql_change, pg_rewrites

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

    def safety(self, dialect: str) -> Safety:
        changes = set(self.changes)
        retype = bool(changes & {"type", "collation"})
        tightening = "nullable" in changes and not self.after.nullable
        if dialect == "postgresql":
            rewrites = "type" in changes and pg_rewrites(self.before.type, self.after.type)
            # A new collation leaves the heap alone but rebuilds the column's indexes.
            if rewrites or "collation" in changes:
                return Safety(
                    lock=Lock.ALL,
                    rewrite=True,
                    breaking=True,
                    note="changing the type rewrites the table and its indexes under ACCESS EXCLUSIVE",
                )
            if tightening:
                return Safety(
                    lock=Lock.ALL,
                    note="SET NOT NULL scans the whole table under ACCESS EXCLUSIVE; "
                    "add a CHECK (col IS NOT NULL) NOT VALID, validate it, then set",
                )
            if self.before.identity is None and self.after.identity is not None:
                return Safety(
                    lock=Lock.ALL,
                    note="ADD GENERATED AS IDENTITY under ACCESS EXCLUSIVE, then the new "
                    "sequence is moved past the highest existing value (a scan)",
                )
            return Safety(lock=Lock.ALL, note="brief ACCESS EXCLUSIVE lock; catalog-only change")
        if dialect == "mysql":
            if "type" in changes and not changes & {"collation", "nullable", "identity"}:
                how = mysql_change(
                    self.before.type, self.after.type, collation=self.after.collation
                )
                if not how.rebuild:
                    return Safety(note=f"{how.why} (ALGORITHM={how.algorithm}, LOCK=NONE)")
            if retype or changes & {"nullable", "identity"}:
                # MariaDB 10.11: adding AUTO_INCREMENT is ALGORITHM=COPY too.
                return Safety(
                    lock=Lock.WRITES,
                    rewrite=True,
                    breaking=retype,
                    note="MODIFY COLUMN copies the table (ALGORITHM=COPY) for type, NULL and "
                    "AUTO_INCREMENT changes",
                )
            # MariaDB 10.11 makes visibility changes with ALGORITHM=INSTANT too.
            return Safety(note="default, comment and visibility changes are metadata-only")
        return Safety(
            lock=Lock.ALL,
            rewrite=True,
            breaking=retype,
            note="SQLite cannot alter a column: the table is rebuilt",
        )

    def describe(self) -> str:
        return f"alter column {self.where}.{self.after.name} ({', '.join(self.changes)})"
