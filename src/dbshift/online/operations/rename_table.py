"""Rename a table: the new version sees it under the new name through a view in its
version schema at once; the table itself is renamed at complete, when no old instance
uses the old name. The view follows the table (views bind to it, not to its name), so
the new version keeps working through complete."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from dbshift.errors import OnlineOperationError
from dbshift.online.operations.base import OnlineOperation


@dataclass(frozen=True)
class RenameTable(OnlineOperation):
    type: ClassVar[str] = "rename_table"
    new_name: str

    def validate(self) -> None:
        super().validate()
        if not self.new_name or self.new_name == self.table:
            raise OnlineOperationError("new_name must be a different name")

    @property
    def view_name(self) -> str:
        return self.new_name
