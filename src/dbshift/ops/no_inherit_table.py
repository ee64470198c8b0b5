"""ALTER TABLE child NO INHERIT parent (PostgreSQL): the child leaves one parent.

The columns and checks it had only from that parent become its own (the server keeps them,
``attislocal``), so the model's child gains them: ``columns`` and ``checks`` are the
child's as they stand after, ``adopted`` names what it took over. Nothing can make an
adopted column inherited-only again (INHERIT merges, it does not give up), so with
anything adopted there is no reverse; nor when other parents follow this one (INHERIT
adds a parent last).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.errors import Irreversible
from dbshift.frozen import frozen
from dbshift.ops.base import Operation, TableChange

if TYPE_CHECKING:
    from dbshift.model import CheckConstraint, Column, Schema, Table


@frozen
class NoInheritTable(TableChange):
    parent: str
    #: The child's columns and checks after it leaves (None: unchanged).
    columns: tuple[Column, ...] | None = None
    checks: tuple[CheckConstraint, ...] | None = None
    #: Names of the columns and checks it had only from ``parent``, now its own.
    adopted: tuple[str, ...] = ()
    #: Parents listed after ``parent``, which stay: INHERIT adds a parent last, so the
    #: reverse could not put it back before them.
    followed_by: tuple[str, ...] = ()
    kind: ClassVar[str] = "no_inherit_table"

    def apply(self, schema: Schema) -> Schema:
        def change(table: Table) -> Table:
            return replace(
                table,
                inherits=tuple(p for p in table.inherits if p != self.parent),
                columns=table.columns if self.columns is None else self.columns,
                checks=table.checks if self.checks is None else self.checks,
            )

        return self._change(schema, change)

    def reverse(self) -> Operation:
        if self.adopted:
            raise Irreversible(
                f"{self.describe()}: {', '.join(self.adopted)} became the child's own, "
                "and INHERIT cannot make them inherited-only again"
            )
        if self.followed_by:
            raise Irreversible(
                f"{self.describe()}: INHERIT would add {self.parent} after "
                f"{', '.join(self.followed_by)}, not before as it was"
            )
        from dbshift.ops.inherit_table import InheritTable

        return InheritTable(on=self.on, parent=self.parent)

    def describe(self) -> str:
        return f"no inherit {self.where} from {self.parent}"
