"""Change a column's type, nullability or default while both versions write it.

A hidden column of the new type is added; a trigger keeps the two in step (``up`` turns
an old value into a new one, ``down`` the reverse), the backfill converts existing rows
in keyset batches, and complete checks every row agrees before the old column is
dropped and the new one takes its name. No statement rewrites the table under an
exclusive lock, which a plain ``ALTER COLUMN TYPE`` would."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from dbshift.online.operations.base import Assignment, HiddenColumnChange, Names, quote


@dataclass(frozen=True)
class AlterColumn(HiddenColumnChange):
    type: ClassVar[str] = "alter_column"
    #: New value from the old version's columns (default: the column itself, cast).
    up: str | None = None
    #: Old value from the new version's columns (default: the column itself, cast).
    down: str | None = None

    def reshape(self, columns: dict[str, str]) -> dict[str, str]:
        if self.column not in columns:
            raise ValueError(f"column {self.column!r} does not exist in {self.table!r}")
        return {k: (self.hidden if k == self.column else v) for k, v in columns.items()}

    def _up(self) -> str:
        return self.up or quote(self.column)

    def _down(self) -> str:
        return self.down or quote(self.column)

    def up_assignments(self) -> list[Assignment]:
        return [Assignment(self.hidden, self._up())]

    def down_assignments(self) -> list[Assignment]:
        return [Assignment(self.column, self._down())]

    def complete_sql(self, n: Names) -> list[str]:
        drop = f"ALTER TABLE {n.table(self.table)} DROP COLUMN {n.q(self.column)}"
        return [drop, *self.swap_sql(n)]

    def verify_pairs(self) -> list[tuple[str, str, str, str]]:
        return [(self.column, self._up(), self.hidden, self._down())]
