"""Rename a column: the new version sees the new name through its view at once; the
physical rename waits for complete, when no old instance uses the old name any more.
No data moves, so there is nothing to backfill."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from dbshift.errors import OnlineOperationError
from dbshift.online.operations.base import OnlineOperation


@dataclass(frozen=True)
class RenameColumn(OnlineOperation):
    type: ClassVar[str] = "rename_column"
    column: str
    new_name: str

    def validate(self) -> None:
        super().validate()
        if self.column == self.new_name:
            raise OnlineOperationError("new_name is the current name")

    def reshape(self, columns: dict[str, str]) -> dict[str, str]:
        if self.column not in columns:
            raise OnlineOperationError(f"column {self.column!r} does not exist in {self.table!r}")
        if self.new_name in columns:
            raise OnlineOperationError(f"column {self.new_name!r} already exists in {self.table!r}")
        return {(self.new_name if k == self.column else k): v for k, v in columns.items()}
