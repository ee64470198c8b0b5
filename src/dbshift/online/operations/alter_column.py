"""Change a column's type, nullability or default while both versions write it.

A hidden column of the new type is added; a trigger keeps the two in step (``up`` turns
an old value into a new one, ``down`` the reverse), the backfill converts existing rows
in keyset batches, and complete checks every row agrees before the old column is
dropped and the new one takes its name. No statement rewrites the table under an
exclusive lock, which a plain ``ALTER COLUMN TYPE`` would.

A key left out means "unchanged": without ``default`` the column keeps its default
(``drop_default = true`` removes it), without ``not_null`` its nullability. On PostgreSQL
the indexes and constraints on the column follow it to the hidden one (``online/carry.py``)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar

from dbshift.errors import OnlineOperationError
from dbshift.online.operations.base import (
    Assignment,
    HiddenColumnChange,
    pg_quote,
)


@dataclass(frozen=True)
class AlterColumn(HiddenColumnChange):
    type: ClassVar[str] = "alter_column"
    #: New value from the old version's columns (default: the column itself, cast).
    up: str | None = None
    #: Old value from the new version's columns (default: the column itself, cast).
    down: str | None = None
    #: Remove the column's default (an omitted ``default`` keeps it).
    drop_default: bool = False

    def validate(self) -> None:
        super().validate()
        if self.drop_default and self.default is not None:
            raise OnlineOperationError("default and drop_default = true contradict each other")

    def keep(self, *, default: str | None, not_null: bool) -> AlterColumn:
        """This operation with the keys it leaves out taken from the column as it is
        (``default``: its current default expression, ``not_null``: its nullability)."""
        kept = self.default
        if kept is None and not self.drop_default:
            kept = default
        return replace(
            self, default=kept, not_null=not_null if self.not_null is None else self.not_null
        )

    def reshape(self, columns: dict[str, str]) -> dict[str, str]:
        if self.column not in columns:
            raise OnlineOperationError(f"column {self.column!r} does not exist in {self.table!r}")
        return {k: (self.hidden if k == self.column else v) for k, v in columns.items()}

    def _up(self) -> str:
        return self.up or pg_quote(self.column)

    def _down(self) -> str:
        return self.down or pg_quote(self.column)

    def up_assignments(self) -> list[Assignment]:
        return [Assignment(self.hidden, self._up())]

    def down_assignments(self) -> list[Assignment]:
        return [Assignment(self.column, self._down())]

    def verify_pairs(self) -> list[tuple[str, str, str, str]]:
        return [(self.column, self._up(), self.hidden, self._down())]
