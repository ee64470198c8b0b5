"""Split a table into two: some of its columns move to a new table keyed by the old one's
key, while the old version keeps reading and writing them where they were.

start creates the new table (its key references the source's, ON DELETE CASCADE) and two
AFTER triggers: writes to the source (the old version) are copied into the new table, and
writes to the new table (the new version) are copied back into the source, so both
versions see every change. ``pg_trigger_depth()`` stops the copy from bouncing back. The
backfill copies existing rows in keyset batches (``ON CONFLICT DO NOTHING``: a row the
trigger already copied is newer). The new version sees the source without the moved
columns. complete checks both tables agree, then drops the triggers and the moved
columns; rollback drops the new table.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

from dbshift.errors import OnlineOperationError
from dbshift.online.operations.base import OnlineOperation, name_list


@dataclass(frozen=True)
class SplitTable(OnlineOperation):
    type: ClassVar[str] = "split_table"
    new_table: str
    #: The columns that move.
    columns: tuple[str, ...] = field(default_factory=tuple)
    #: The source's key column, and its name in the new table.
    key: str = "id"
    new_key: str = ""
    #: Column types from the catalog (filled by ``resolve``; not for the file).
    types: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> OnlineOperation:
        columns = name_list(raw, "columns", "the columns that move")
        if "types" in raw:
            raise OnlineOperationError("unknown key 'types'")
        return super().from_dict({**raw, "columns": columns})

    def validate(self) -> None:
        super().validate()
        if not self.new_table or not self.new_key:
            raise OnlineOperationError("split_table needs new_table and new_key")
        if self.key in self.columns:
            raise OnlineOperationError(f"the key {self.key!r} cannot move")

    def resolve(self, types: dict[str, str]) -> OnlineOperation:
        missing = [c for c in (self.key, *self.columns) if c not in types]
        if types and missing:
            raise OnlineOperationError(f"no column {missing[0]!r} in {self.table!r}")
        return replace(self, types=tuple((c, types[c]) for c in (self.key, *self.columns)))

    def reshape(self, columns: dict[str, str]) -> dict[str, str]:
        return {k: v for k, v in columns.items() if k not in self.columns}
