"""Change a column's type, nullability or default while both versions write it.

A hidden column of the new type is added; a trigger keeps the two in step (``up`` turns
an old value into a new one, ``down`` the reverse), the backfill converts existing rows
in keyset batches, and complete checks every row agrees before the old column is
dropped and the new one takes its name. No statement rewrites the table under an
exclusive lock, which a plain ``ALTER COLUMN TYPE`` would."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from dbshift.online.operations.base import (
    AddedColumn,
    Assignment,
    Names,
    OnlineOperation,
    hidden_name,
    quote,
)


@dataclass(frozen=True)
class AlterColumn(OnlineOperation):
    type: ClassVar[str] = "alter_column"
    column: str
    #: The new type (write the current one to change only nullability or default).
    data_type: str
    #: New value from the old version's columns (default: the column itself, cast).
    up: str | None = None
    #: Old value from the new version's columns (default: the column itself, cast).
    down: str | None = None
    not_null: bool = False
    default: str | None = None

    @property
    def hidden(self) -> str:
        return hidden_name("new", self.column)

    @property
    def check_name(self) -> str:
        return hidden_name("nn", self.column)

    def added(self) -> list[AddedColumn]:
        return [AddedColumn(self.hidden, self.data_type, self.default, self.not_null)]

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

    def start_sql(self, n: Names) -> list[str]:
        if not self.not_null:
            return []
        return [
            f"ALTER TABLE {n.table(self.table)} ADD CONSTRAINT {n.q(self.check_name)} "
            f"CHECK ({n.q(self.hidden)} IS NOT NULL) NOT VALID"
        ]

    def validate_sql(self, n: Names) -> list[str]:
        if not self.not_null:
            return []
        return [f"ALTER TABLE {n.table(self.table)} VALIDATE CONSTRAINT {n.q(self.check_name)}"]

    def complete_sql(self, n: Names) -> list[str]:
        t = n.table(self.table)
        out = [f"ALTER TABLE {t} DROP COLUMN {n.q(self.column)}"]
        if self.not_null:
            out.append(f"ALTER TABLE {t} ALTER COLUMN {n.q(self.hidden)} SET NOT NULL")
            out.append(f"ALTER TABLE {t} DROP CONSTRAINT {n.q(self.check_name)}")
        out.append(f"ALTER TABLE {t} RENAME COLUMN {n.q(self.hidden)} TO {n.q(self.column)}")
        return out

    def verify_pairs(self) -> list[tuple[str, str, str, str]]:
        return [(self.column, self._up(), self.hidden, self._down())]
