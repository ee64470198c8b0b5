"""ALTER TABLE child INHERIT parent (PostgreSQL): a kept table becomes a child.

The server requires the child to have every column of the parent (same type, NOT NULL
where the parent's is) and its checks (same names) already; they are merged and stay the
child's own (``attislocal``), so the model's child keeps listing them. A child whose
desired columns are only inherited is what CREATE TABLE … INHERITS makes, and no ALTER
reaches it: the differ refuses that by name.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.frozen import frozen
from dbshift.ops.base import Operation, TableChange

if TYPE_CHECKING:
    from dbshift.model import Schema, Table


@frozen
class InheritTable(TableChange):
    #: The new parent, in the child's schema; it goes last in the child's parents.
    parent: str
    kind: ClassVar[str] = "inherit_table"

    def apply(self, schema: Schema) -> Schema:
        def change(table: Table) -> Table:
            return replace(table, inherits=(*table.inherits, self.parent))

        return self._change(schema, change)

    def reverse(self) -> Operation:
        from dbshift.ops.no_inherit_table import NoInheritTable

        return NoInheritTable(on=self.on, parent=self.parent)

    def describe(self) -> str:
        return f"inherit {self.where} from {self.parent}"
