"""Tables and the whole schema: what inspectors produce and operations transform.

Collections are tuples kept in a canonical order (by name; columns by position) so that
two schemas holding the same objects are ``==`` however they were built.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field, fields, replace
from typing import TypeVar

from dbshift.model.objects import (
    CheckConstraint,
    Column,
    Domain,
    EnumType,
    ExclusionConstraint,
    ForeignKey,
    Index,
    PrimaryKey,
    Routine,
    Sequence,
    TableOptions,
    UniqueConstraint,
    View,
)

T = TypeVar("T")


def _by_name(items: tuple[T, ...]) -> tuple[T, ...]:
    # Most tables have zero or one check and foreign key: nothing to sort, no key to build
    # (sorting every collection was a tenth of inspecting 10,000 tables).
    if len(items) < 2:
        return tuple(items)
    return tuple(sorted(items, key=_sort_key))


def _sort_key(item: object) -> tuple[str, str, str]:
    schema = getattr(item, "schema", None) or ""
    kind = getattr(item, "kind", "")
    return (schema, getattr(item, "name", ""), kind)


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...] = ()
    schema: str | None = None
    primary_key: PrimaryKey | None = None
    uniques: tuple[UniqueConstraint, ...] = ()
    checks: tuple[CheckConstraint, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    indexes: tuple[Index, ...] = ()
    comment: str | None = None
    options: TableOptions = field(default_factory=TableOptions)
    #: PostgreSQL EXCLUDE constraints.
    exclusions: tuple[ExclusionConstraint, ...] = ()
    #: PostgreSQL partitioned table: ``pg_get_partkeydef()``, e.g. ``RANGE (created)``.
    #: Its partitions are not modelled.
    partition_by: str | None = None

    def __post_init__(self) -> None:
        for name in ("uniques", "checks", "foreign_keys", "indexes", "exclusions"):
            object.__setattr__(self, name, _by_name(getattr(self, name)))

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.schema, self.name)

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)

    def index(self, name: str) -> Index | None:
        return next((i for i in self.indexes if i.name == name), None)

    def with_column(self, column: Column) -> Table:
        """``column`` replacing the one of that name in place, or appended."""
        if self.column(column.name) is None:
            return replace(self, columns=(*self.columns, column))
        return replace(
            self, columns=tuple(column if c.name == column.name else c for c in self.columns)
        )

    def without_column(self, name: str) -> Table:
        return replace(self, columns=tuple(c for c in self.columns if c.name != name))


@dataclass(frozen=True)
class Schema:
    """Everything dbshift compares in one database (or one PostgreSQL schema)."""

    tables: tuple[Table, ...] = ()
    views: tuple[View, ...] = ()
    sequences: tuple[Sequence, ...] = ()
    enums: tuple[EnumType, ...] = ()
    routines: tuple[Routine, ...] = ()
    #: PostgreSQL domains.
    domains: tuple[Domain, ...] = ()
    #: PostgreSQL schemas (namespaces) other than the default one.
    namespaces: tuple[str, ...] = ()
    #: MySQL/MariaDB: the database's default engine and collation, which tables whose
    #: options are None have. Never diffed: it says what None means where SQL will run.
    defaults: TableOptions = field(default_factory=TableOptions)

    def __post_init__(self) -> None:
        for name in ("tables", "views", "sequences", "enums", "routines", "domains"):
            object.__setattr__(self, name, _by_name(getattr(self, name)))
        object.__setattr__(self, "namespaces", tuple(sorted(self.namespaces)))

    def table(self, name: str, schema: str | None = None) -> Table | None:
        i = self._positions().get((schema, name))
        return None if i is None else self.tables[i]

    def with_table(self, table: Table) -> Schema:
        """``table`` replacing the one with its key, or added in order.

        Cheap on purpose (no re-sort): a plan applies hundreds of operations to schemas of
        thousands of tables, one ``with_table`` each.
        """
        positions = self._positions()
        i = positions.get(table.key)
        if i is not None:  # same keys, same places: the index carries over
            replaced = self._with_tables((*self.tables[:i], table, *self.tables[i + 1 :]))
            object.__setattr__(replaced, "_positions_cache", positions)
            return replaced
        keys = [_sort_key(t) for t in self.tables]
        at = bisect.bisect(keys, _sort_key(table))
        return self._with_tables((*self.tables[:at], table, *self.tables[at:]))

    def without_table(self, name: str, schema: str | None = None) -> Schema:
        i = self._positions().get((schema, name))
        if i is None:
            return self
        return self._with_tables(self.tables[:i] + self.tables[i + 1 :])

    def _positions(self) -> dict[tuple[str | None, str], int]:
        """Table key → index, built once per (immutable) schema."""
        positions: dict[tuple[str | None, str], int] | None = self.__dict__.get("_positions_cache")
        if positions is None:
            positions = {(t.schema, t.name): i for i, t in enumerate(self.tables)}
            object.__setattr__(self, "_positions_cache", positions)
        return positions

    def _with_tables(self, tables: tuple[Table, ...]) -> Schema:
        """A copy with ``tables`` already in canonical order (skips ``__post_init__``)."""
        new = object.__new__(Schema)
        for f in fields(self):
            object.__setattr__(new, f.name, getattr(self, f.name))
        object.__setattr__(new, "tables", tables)
        return new
