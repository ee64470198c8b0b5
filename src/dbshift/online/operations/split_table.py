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
from dbshift.online.operations.base import Names, OnlineOperation, hidden_name, name_list

_RANGE = "__DBSHIFT_RANGE__"


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

    def _fn(self, n: Names, direction: str) -> str:
        return n.table(hidden_name(f"split_{direction}", f"{self.table}_{self.new_table}"))

    def _trigger(self, direction: str) -> str:
        return hidden_name(f"split_{direction}", self.new_table)

    def start_sql(self, n: Names) -> list[str]:
        if not self.types:
            raise OnlineOperationError(
                f"split_table on {self.table!r}: column types are not resolved"
            )
        types = dict(self.types)
        src, dst = n.table(self.table), n.table(self.new_table)
        key, new_key = n.q(self.key), n.q(self.new_key)
        cols = [n.q(c) for c in self.columns]
        body = ", ".join(f"{c} {types[name]}" for c, name in zip(cols, self.columns, strict=True))
        sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in cols)
        back = ", ".join(f"{c} = NEW.{c}" for c in cols)
        new_values = ", ".join(f"NEW.{c}" for c in cols)
        forward = (
            f"CREATE FUNCTION {self._fn(n, 'fwd')}() RETURNS trigger LANGUAGE plpgsql AS $f$\n"
            "BEGIN\n"
            # Only the old version's writes are copied forward: the new version writes
            # the new table itself (and a copy would make its INSERT collide).
            f"  IF pg_trigger_depth() > 1 OR (current_schemas(false))[1] = {n.literal(n.version)}\n"
            "  THEN RETURN NULL; END IF;\n"
            f"  INSERT INTO {dst} ({new_key}, {', '.join(cols)}) VALUES (NEW.{key}, {new_values})\n"
            f"    ON CONFLICT ({new_key}) DO UPDATE SET {sets};\n"
            "  RETURN NULL;\n"
            "END $f$"
        )
        backward = (
            f"CREATE FUNCTION {self._fn(n, 'back')}() RETURNS trigger LANGUAGE plpgsql AS $f$\n"
            "BEGIN\n"
            "  IF pg_trigger_depth() > 1 THEN RETURN NULL; END IF;\n"
            f"  UPDATE {src} SET {back} WHERE {key} = NEW.{new_key};\n"
            "  RETURN NULL;\n"
            "END $f$"
        )
        return [
            f"CREATE TABLE {dst} ({new_key} {types[self.key]} PRIMARY KEY "
            f"REFERENCES {src} ({key}) ON DELETE CASCADE, {body})",
            forward,
            backward,
            f"CREATE TRIGGER {n.q(self._trigger('fwd'))} AFTER INSERT OR UPDATE ON {src} "
            f"FOR EACH ROW EXECUTE FUNCTION {self._fn(n, 'fwd')}()",
            # The backfill's own copies already match the source: no write back for them.
            f"CREATE TRIGGER {n.q(self._trigger('back'))} AFTER INSERT OR UPDATE ON {dst} "
            "FOR EACH ROW WHEN (current_setting('dbshift.backfill', true) IS DISTINCT FROM 'on') "
            f"EXECUTE FUNCTION {self._fn(n, 'back')}()",
        ]

    def copy_sql(self, n: Names) -> str | None:
        cols = ", ".join(n.q(c) for c in self.columns)
        picked = ", ".join(f"k.{n.q(c)}" for c in self.columns)
        return (
            f"INSERT INTO {n.table(self.new_table)} ({n.q(self.new_key)}, {cols}) "
            f"SELECT k.{n.q(self.key)}, {picked} FROM {n.table(self.table)} AS k "
            # FOR KEY SHARE: a source row deleted while the batch runs is skipped (after
            # its delete commits) instead of failing the new table's foreign key.
            f"WHERE {_RANGE} FOR KEY SHARE OF k ON CONFLICT ({n.q(self.new_key)}) DO NOTHING"
        )

    def verify_sql(self, n: Names) -> list[tuple[str, str]]:
        src, dst = n.table(self.table), n.table(self.new_table)
        differs = " OR ".join(f"s.{n.q(c)} IS DISTINCT FROM d.{n.q(c)}" for c in self.columns)
        return [
            (
                f"{self.table} and {self.new_table} disagree",
                f"SELECT count(*) FROM {src} AS s LEFT JOIN {dst} AS d "
                f"ON d.{n.q(self.new_key)} = s.{n.q(self.key)} "
                f"WHERE d.{n.q(self.new_key)} IS NULL OR {differs}",
            )
        ]

    def _drop_triggers(self, n: Names) -> list[str]:
        return [
            f"DROP TRIGGER IF EXISTS {n.q(self._trigger('fwd'))} ON {n.table(self.table)}",
            f"DROP TRIGGER IF EXISTS {n.q(self._trigger('back'))} ON {n.table(self.new_table)}",
            f"DROP FUNCTION IF EXISTS {self._fn(n, 'fwd')}()",
            f"DROP FUNCTION IF EXISTS {self._fn(n, 'back')}()",
        ]

    def complete_sql(self, n: Names) -> list[str]:
        drops = [f"ALTER TABLE {n.table(self.table)} DROP COLUMN {n.q(c)}" for c in self.columns]
        return [*self._drop_triggers(n), *drops]

    def rollback_sql(self, n: Names) -> list[str]:
        return [
            f"DROP TRIGGER IF EXISTS {n.q(self._trigger('fwd'))} ON {n.table(self.table)}",
            f"DROP FUNCTION IF EXISTS {self._fn(n, 'fwd')}()",
            f"DROP TABLE IF EXISTS {n.table(self.new_table)}",
            f"DROP FUNCTION IF EXISTS {self._fn(n, 'back')}()",
        ]
