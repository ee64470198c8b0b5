"""Drop an index at complete, concurrently: the old version may still rely on it (for
speed or uniqueness) until then, and DROP INDEX CONCURRENTLY takes no lock that blocks
reads or writes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from dbshift.online.operations.base import OnlineOperation


@dataclass(frozen=True)
class DropIndex(OnlineOperation):
    type: ClassVar[str] = "drop_index"
    name: str
