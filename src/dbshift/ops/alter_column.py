"""ALTER TABLE … ALTER COLUMN: type, collation, nullability, default, comment, ON UPDATE,
visibility (MySQL/MariaDB INVISIBLE), a MariaDB column-level CHECK, and the options of an
identity that stays one.

One operation carrying the column before and after: MySQL can only restate the whole
column (``MODIFY``), so the renderer needs both states anyway, and ``changes`` tells the
PostgreSQL renderer and the linter which attributes moved.

The online form (an online migration file's ``alter_column``) adds ``up`` (the new value
from the old version's columns) and ``down`` (the reverse), and may leave attributes out:
a key the file omits means "unchanged", which no Column can say, so ``unchanged`` names
them and ``before`` is the bare column name until the engine reads the column from the
catalog (``resolve``). Renderers ignore ``up``/``down``; the differ never sets them.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.errors import Irreversible, PlanError
from dbshift.frozen import frozen
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
    "check",
)


#: What the online form may leave out (an online file's ``data_type``, ``not_null`` and
#: ``default``/``drop_default`` keys).
UNCHANGEABLE = frozenset({"type", "nullable", "default"})


@frozen
class AlterColumn(TableChange):
    before: Column
    after: Column
    #: Online: the new value from the old version's columns (default: the column, cast).
    up: str | None = None
    #: Online: the old value from the new version's columns (default: the column, cast).
    down: str | None = None
    #: Online form only: the attributes the file leaves as they are (``after`` holds the
    #: others, ``before`` only the name); None for the differ's full before/after form.
    unchanged: frozenset[str] | None = None
    kind: ClassVar[str] = "alter_column"

    def __post_init__(self) -> None:
        if self.before.name != self.after.name:
            raise PlanError("AlterColumn cannot rename: use RenameColumn")
        if self.unchanged is not None and not self.unchanged <= UNCHANGEABLE:
            raise PlanError(f"AlterColumn: only {sorted(UNCHANGEABLE)} can be left unchanged")

    @property
    def changes(self) -> tuple[str, ...]:
        if self.unchanged is not None:  # the online form: what the file sets
            return tuple(a for a in sorted(UNCHANGEABLE - self.unchanged))
        return tuple(a for a in ALTERABLE if getattr(self.before, a) != getattr(self.after, a))

    def resolve(self, current: Column) -> AlterColumn:
        """The full before/after form of an online ``alter_column``, given the column as
        the catalog has it: what the file leaves out stays as ``current`` has it."""
        if self.unchanged is None:
            return self
        after = replace(current, **{a: getattr(self.after, a) for a in self.changes})
        return replace(self, before=current, after=after, unchanged=None)

    def apply(self, schema: Schema) -> Schema:
        def change(table: Table) -> Table:
            current = table.column(self.before.name)
            if current is None:
                raise PlanError(f"{self.describe()}: no such column")
            updated = replace(current, **{a: getattr(self.after, a) for a in self.changes})
            return table.with_column(updated)

        return self._change(schema, change)

    def reverse(self) -> Operation:
        if self.unchanged is not None:
            raise Irreversible(f"{self.describe()}: the column's state before is not known")
        return AlterColumn(
            on=self.on, before=self.after, after=self.before, up=self.down, down=self.up
        )

    def describe(self) -> str:
        return f"alter column {self.where}.{self.after.name} ({', '.join(self.changes)})"
