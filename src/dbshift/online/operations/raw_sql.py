"""Raw SQL, the escape hatch: ``up`` runs in the start transaction, ``down`` in the
rollback transaction. dbshift cannot see inside it, so it adds no view, trigger or
backfill; without ``down`` the migration cannot be rolled back, which start says."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from dbshift.online.operations.base import OnlineOperation


@dataclass(frozen=True)
class RawSQL(OnlineOperation):
    type: ClassVar[str] = "raw_sql"
    up: str
    down: str | None = None
