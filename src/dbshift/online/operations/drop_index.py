"""Drop an index at complete, concurrently: the old version may still rely on it (for
speed or uniqueness) until then, and DROP INDEX CONCURRENTLY takes no lock that blocks
reads or writes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from dbshift.online.operations.base import Names, OnlineOperation


@dataclass(frozen=True)
class DropIndex(OnlineOperation):
    type: ClassVar[str] = "drop_index"
    name: str

    def concurrent_complete(self, n: Names) -> list[str]:
        return [f"DROP INDEX CONCURRENTLY IF EXISTS {n.table(self.name)}"]
