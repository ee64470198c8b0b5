"""Raw SQL, the escape hatch: ``up`` runs in the start transaction, ``down`` in the
rollback transaction. dbshift cannot see inside it, so it adds no view, trigger or
backfill; without ``down`` the migration cannot be rolled back, which start says."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from dbshift.errors import OnlineOperationError
from dbshift.online.operations.base import Names, OnlineOperation


@dataclass(frozen=True)
class RawSQL(OnlineOperation):
    type: ClassVar[str] = "raw_sql"
    up: str
    down: str | None = None

    def start_sql(self, n: Names) -> list[str]:
        return [self.up]

    def rollback_sql(self, n: Names) -> list[str]:
        if self.down is None:
            raise OnlineOperationError(
                f"raw_sql on {self.table!r} has no down: it cannot be rolled back"
            )
        return [self.down]
