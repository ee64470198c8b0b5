"""Add a column the old version does not see until complete.

The column is added under a hidden name, so old code (``SELECT *``, positional INSERTs)
sees the table unchanged; the new version sees it under its real name through its view.
NOT NULL is a CHECK ... NOT VALID until complete, then validated without blocking writes
and turned into a real NOT NULL (PostgreSQL >= 12 skips the scan when a validated check
proves it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from dbshift.online.operations.base import (
    AddedColumn,
    Assignment,
    Names,
    OnlineOperation,
    hidden_name,
)


@dataclass(frozen=True)
class AddColumn(OnlineOperation):
    type: ClassVar[str] = "add_column"
    column: str
    data_type: str
    default: str | None = None
    not_null: bool = False
    #: Value for rows the old version writes, and for existing rows (the backfill).
    up: str | None = None

    def validate(self) -> None:
        super().validate()
        if self.not_null and self.default is None and self.up is None:
            raise ValueError(
                "a NOT NULL column needs a default or an up expression: rows the old "
                "version inserts would have no value"
            )

    @property
    def hidden(self) -> str:
        return hidden_name("new", self.column)

    @property
    def check_name(self) -> str:
        return hidden_name("nn", self.column)

    def added(self) -> list[AddedColumn]:
        return [AddedColumn(self.hidden, self.data_type, self.default, self.not_null)]

    def reshape(self, columns: dict[str, str]) -> dict[str, str]:
        if self.column in columns:
            raise ValueError(f"column {self.column!r} already exists in {self.table!r}")
        return {**columns, self.column: self.hidden}

    def up_assignments(self) -> list[Assignment]:
        return [Assignment(self.hidden, self.up)] if self.up else []

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
        out = []
        if self.not_null:
            out.append(f"ALTER TABLE {t} ALTER COLUMN {n.q(self.hidden)} SET NOT NULL")
            out.append(f"ALTER TABLE {t} DROP CONSTRAINT {n.q(self.check_name)}")
        out.append(f"ALTER TABLE {t} RENAME COLUMN {n.q(self.hidden)} TO {n.q(self.column)}")
        return out
