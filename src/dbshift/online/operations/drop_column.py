"""Drop a column: hidden from the new version at once, dropped at complete.

Until complete the old version still reads and writes it. Rows the new version inserts
get the ``down`` expression's value (required when the column is NOT NULL without a
default, or old readers would see NULL where they never did)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from dbshift.errors import OnlineOperationError
from dbshift.online.operations.base import Assignment, OnlineOperation


@dataclass(frozen=True)
class DropColumn(OnlineOperation):
    type: ClassVar[str] = "drop_column"
    column: str
    #: The old column's value for rows the new version writes.
    down: str | None = None

    def reshape(self, columns: dict[str, str]) -> dict[str, str]:
        if self.column not in columns:
            raise OnlineOperationError(f"column {self.column!r} does not exist in {self.table!r}")
        return {k: v for k, v in columns.items() if k != self.column}

    def down_assignments(self) -> list[Assignment]:
        return [Assignment(self.column, self.down)] if self.down else []
