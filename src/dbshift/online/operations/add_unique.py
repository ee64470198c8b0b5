"""Add a UNIQUE constraint without an exclusive lock: the unique index is built with
CREATE UNIQUE INDEX CONCURRENTLY at start, and complete attaches it as the constraint
(``ADD CONSTRAINT ... UNIQUE USING INDEX``, catalog-only).

The index enforces uniqueness for both versions from the moment it is valid, as
PostgreSQL offers no weaker form; a duplicate already present makes the build fail, and
start says so with nothing else changed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from dbshift.errors import OnlineOperationError
from dbshift.online.operations.base import Names, OnlineOperation, name_list


@dataclass(frozen=True)
class AddUnique(OnlineOperation):
    type: ClassVar[str] = "add_unique"
    name: str
    columns: tuple[str, ...] = field(default_factory=tuple)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> OnlineOperation:
        columns = name_list(raw, "columns")
        return super().from_dict({**raw, "columns": columns})

    def concurrent_start(self, n: Names, columns: dict[str, str]) -> list[str]:
        unknown = [c for c in self.columns if c not in columns]
        if unknown:
            raise OnlineOperationError(f"no column {unknown[0]!r} in {self.table!r}")
        cols = ", ".join(n.q(columns[c]) for c in self.columns)
        return [
            f"CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS {n.q(self.name)} "
            f"ON {n.table(self.table)} ({cols})"
        ]

    def complete_sql(self, n: Names) -> list[str]:
        return [
            f"ALTER TABLE {n.table(self.table)} ADD CONSTRAINT {n.q(self.name)} "
            f"UNIQUE USING INDEX {n.q(self.name)}"
        ]

    def concurrent_rollback(self, n: Names) -> list[str]:
        return [f"DROP INDEX CONCURRENTLY IF EXISTS {n.table(self.name)}"]

    @property
    def index_name(self) -> str:
        return self.name
