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

from dbshift.errors import OnlineOperationError
from dbshift.online.operations.base import Names, OnlineOperation, name_list


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

    def concurrent_start(self, n: Names, columns: dict[str, str]) -> list[str]:
        unknown = [c for c in self.columns if c not in columns]
        if unknown:
            raise OnlineOperationError(
                f"index {self.name!r}: no column {unknown[0]!r} in {self.table!r}"
            )
        unique = "UNIQUE " if self.unique else ""
        method = f" USING {n.q(self.method)}" if self.method else ""
        cols = ", ".join(n.q(columns[c]) for c in self.columns)
        where = f" WHERE {self.where}" if self.where else ""
        return [
            f"CREATE {unique}INDEX CONCURRENTLY IF NOT EXISTS {n.q(self.name)} "
            f"ON {n.table(self.table)}{method} ({cols}){where}"
        ]

    def concurrent_rollback(self, n: Names) -> list[str]:
        return [f"DROP INDEX CONCURRENTLY IF EXISTS {n.table(self.name)}"]
