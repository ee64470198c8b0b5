"""ALTER TABLE … VALIDATE CONSTRAINT (PostgreSQL): the second half of adding a foreign key
or CHECK without blocking writes.

``ADD CONSTRAINT … NOT VALID`` takes its strong lock only for a moment (new rows are
checked from then on); ``VALIDATE CONSTRAINT`` then scans the existing rows holding only
SHARE UPDATE EXCLUSIVE, so reads and writes go on. The two must commit separately: run in
one transaction, the scan would happen while the first statement's lock is still held.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.errors import Irreversible, PlanError
from dbshift.frozen import frozen
from dbshift.ops.base import Operation, TableChange

if TYPE_CHECKING:
    from dbshift.model import Schema, Table


@frozen
class ValidateConstraint(TableChange):
    #: The NOT VALID foreign key or CHECK constraint to validate.
    name: str
    kind: ClassVar[str] = "validate_constraint"

    def apply(self, schema: Schema) -> Schema:
        def change(table: Table) -> Table:
            for fk in table.foreign_keys:
                if fk.name == self.name and not fk.validated:
                    kept = tuple(f for f in table.foreign_keys if f != fk)
                    return replace(table, foreign_keys=(*kept, replace(fk, validated=True)))
            for check in table.checks:
                if check.name == self.name and not check.validated:
                    kept_checks = tuple(c for c in table.checks if c != check)
                    return replace(table, checks=(*kept_checks, replace(check, validated=True)))
            raise PlanError(f"{self.describe()}: no NOT VALID constraint of that name")

        return self._change(schema, change)

    def reverse(self) -> Operation:
        # PostgreSQL has no way back to NOT VALID short of dropping and re-adding; the
        # reverse of the ADD CONSTRAINT this follows drops it anyway.
        raise Irreversible(f"{self.describe()}: a validated constraint cannot become NOT VALID")

    def describe(self) -> str:
        return f"validate constraint {self.name} on {self.where}"
