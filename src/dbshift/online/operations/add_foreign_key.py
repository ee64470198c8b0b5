"""Add a FOREIGN KEY without scanning the table under a lock that blocks writes: NOT
VALID at start (new writes of both versions are checked from then on), VALIDATE at
complete, which takes SHARE UPDATE EXCLUSIVE and lets reads and writes go on."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from dbshift.errors import OnlineOperationError
from dbshift.online.operations.base import OnlineOperation, name_list


@dataclass(frozen=True)
class AddForeignKey(OnlineOperation):
    type: ClassVar[str] = "add_foreign_key"
    name: str
    columns: tuple[str, ...] = field(default_factory=tuple)
    references: str = ""
    referenced_columns: tuple[str, ...] = field(default_factory=tuple)
    on_delete: str | None = None

    _ACTIONS: ClassVar[frozenset[str]] = frozenset(
        {"NO ACTION", "RESTRICT", "CASCADE", "SET NULL", "SET DEFAULT"}
    )

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> OnlineOperation:
        out = dict(raw)
        for key in ("columns", "referenced_columns"):
            out[key] = name_list(raw, key)
        return super().from_dict(out)

    def validate(self) -> None:
        super().validate()
        if not self.references:
            raise OnlineOperationError("references (the referenced table) is required")
        if len(self.columns) != len(self.referenced_columns):
            raise OnlineOperationError("columns and referenced_columns differ in length")
        if self.on_delete is not None and self.on_delete.upper() not in self._ACTIONS:
            raise OnlineOperationError(
                f"on_delete must be one of {', '.join(sorted(self._ACTIONS))}"
            )
