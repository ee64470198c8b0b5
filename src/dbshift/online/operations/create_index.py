"""Build an index without blocking writes: CREATE INDEX CONCURRENTLY at start, dropped
concurrently on rollback.

Columns are named as the new version sees them: an index on a column another operation
of the migration changes is built on the new physical column, so it survives complete
(which drops the old one).

A build killed half-way leaves an INVALID index behind; start drops such a leftover and
builds again, so re-running start after a crash is always safe."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from dbshift.online.operations.base import OnlineOperation, name_list


@dataclass(frozen=True)
class CreateIndex(OnlineOperation):
    type: ClassVar[str] = "create_index"
    name: str
    columns: tuple[str, ...] = field(default_factory=tuple)
    unique: bool = False
    method: str | None = None
    #: A partial index's predicate (SQL, as written in CREATE INDEX ... WHERE).
    where: str | None = None

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> OnlineOperation:
        columns = name_list(raw, "columns")
        return super().from_dict({**raw, "columns": columns})
