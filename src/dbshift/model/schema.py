"""Tables and the whole schema: what inspectors produce and operations transform.

Collections are tuples kept in a canonical order (by name; columns by position) so that
two schemas holding the same objects are ``==`` however they were built.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TypeVar

from dbshift.model.objects import (
    CheckConstraint,
    Column,
    EnumType,
    ForeignKey,
    Index,
    PrimaryKey,
    Routine,
    Sequence,
    UniqueConstraint,
    View,
)

T = TypeVar("T")


def _by_name(items: tuple[T, ...]) -> tuple[T, ...]:
    return tuple(sorted(items, key=lambda item: _sort_key(item)))


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

    def __post_init__(self) -> None:
        for name in ("uniques", "checks", "foreign_keys", "indexes"):
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
    #: PostgreSQL schemas (namespaces) other than the default one.
    namespaces: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("tables", "views", "sequences", "enums", "routines"):
            object.__setattr__(self, name, _by_name(getattr(self, name)))
        object.__setattr__(self, "namespaces", tuple(sorted(self.namespaces)))

    def table(self, name: str, schema: str | None = None) -> Table | None:
        return next((t for t in self.tables if t.name == name and t.schema == schema), None)

    def with_table(self, table: Table) -> Schema:
        others = tuple(t for t in self.tables if t.key != table.key)
        return replace(self, tables=(*others, table))

    def without_table(self, name: str, schema: str | None = None) -> Schema:
        return replace(self, tables=tuple(t for t in self.tables if t.key != (schema, name)))
