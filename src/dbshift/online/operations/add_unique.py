"""Add a UNIQUE constraint without an exclusive lock: the unique index is built with
CREATE UNIQUE INDEX CONCURRENTLY at start, and complete attaches it as the constraint
(``ADD CONSTRAINT ... UNIQUE USING INDEX``, catalog-only).

The index enforces uniqueness for both versions from the moment it is valid, as
PostgreSQL offers no weaker form; a duplicate already present makes the build fail, and
start says so with nothing else changed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from dbshift.online.operations.base import OnlineOperation, name_list


@dataclass(frozen=True)
class AddUnique(OnlineOperation):
    type: ClassVar[str] = "add_unique"
    name: str
    columns: tuple[str, ...] = field(default_factory=tuple)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> OnlineOperation:
        columns = name_list(raw, "columns")
        return super().from_dict({**raw, "columns": columns})

    @property
    def index_name(self) -> str:
        return self.name
