"""Add a column the old version does not see until complete.

The column is added under a hidden name, so old code (``SELECT *``, positional INSERTs)
sees the table unchanged; the new version sees it under its real name through its view.
NOT NULL is a CHECK ... NOT VALID until complete (see ``HiddenColumnChange``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from dbshift.errors import OnlineOperationError
from dbshift.online.operations.base import Assignment, HiddenColumnChange


@dataclass(frozen=True)
class AddColumn(HiddenColumnChange):
    type: ClassVar[str] = "add_column"
    #: Value for rows the old version writes, and for existing rows (the backfill).
    up: str | None = None

    def validate(self) -> None:
        super().validate()
        if not self.data_type:
            raise OnlineOperationError("data_type is required")
        if self.not_null and self.default is None and self.up is None:
            raise OnlineOperationError(
                "a NOT NULL column needs a default or an up expression: rows the old "
                "version inserts would have no value"
            )

    def reshape(self, columns: dict[str, str]) -> dict[str, str]:
        if self.column in columns:
            raise OnlineOperationError(f"column {self.column!r} already exists in {self.table!r}")
        return {**columns, self.column: self.hidden}

    def up_assignments(self) -> list[Assignment]:
        return [Assignment(self.hidden, self.up)] if self.up else []
