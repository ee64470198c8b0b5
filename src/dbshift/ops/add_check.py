"""ALTER TABLE … ADD CONSTRAINT … CHECK.

The online form (an online migration file's ``add_check``) puts the check on a hidden copy
of one column, so the old version's writes that violate it are not rejected: ``through``
is that column's change (an ``AlterColumn`` in its online form, whose ``up`` turns an old
value into one that passes and ``down`` maps the new version's values back)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.errors import Irreversible
from dbshift.frozen import frozen
from dbshift.ops.base import Operation, TableChange

if TYPE_CHECKING:
    from dbshift.model import CheckConstraint, Schema, Table
    from dbshift.ops.alter_column import AlterColumn


@frozen
class AddCheck(TableChange):
    constraint: CheckConstraint
    #: Online: the column the check goes on, copied to a hidden column meanwhile.
    through: AlterColumn | None = None
    kind: ClassVar[str] = "add_check"

    def apply(self, schema: Schema) -> Schema:
        def change(table: Table) -> Table:
            return replace(table, checks=(*table.checks, self.constraint))

        if self.through is not None:
            schema = self.through.apply(schema)
        return self._change(schema, change)

    def reverse(self) -> Operation:
        from dbshift.ops.drop_check import DropCheck

        if self.through is not None:
            raise Irreversible(f"{self.describe()}: the column's state before is not known")
        return DropCheck(on=self.on, constraint=self.constraint)

    def describe(self) -> str:
        return f"add check {self.constraint.name or '(unnamed)'} on {self.where}"
