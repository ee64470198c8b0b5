"""Tables and the whole schema: what inspectors produce and operations transform.

Collections are tuples kept in a canonical order (by name; columns by position) so that
two schemas holding the same objects are ``==`` however they were built.
"""

from __future__ import annotations

import bisect
from dataclasses import field, fields, replace
from typing import TypeVar

from dbshift.frozen import frozen
from dbshift.model.extras import Collation, Comment, CompositeType, Extension, Policy, Statistics
from dbshift.model.objects import (
    CheckConstraint,
    Column,
    Domain,
    EnumType,
    ExclusionConstraint,
    ForeignKey,
    Index,
    Partition,
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


@frozen
class Table:
    """A table: its columns in order; its constraints, indexes and policies by name."""

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
    #: A partitioned table's key: PostgreSQL's ``pg_get_partkeydef()``, e.g. ``RANGE
    #: (created)``; MySQL/MariaDB's method and expression as information_schema.PARTITIONS
    #: gives them, e.g. ``RANGE (year(`d`))``, ``LIST COLUMNS (`region`)``, ``KEY ()``.
    partition_by: str | None = None
    #: MySQL/MariaDB: the partitions, in order (a PostgreSQL partition is a table of its
    #: own, see ``partition_of``, and this stays empty). Non-empty exactly when a MySQL
    #: table is partitioned.
    partitions: tuple[Partition, ...] = ()
    #: A PostgreSQL partition: its parent (in the same schema) and bound
    #: (``pg_get_expr(relpartbound)``: ``FOR VALUES …`` or ``DEFAULT``). Its columns, and
    #: the keys and indexes the server clones from the parent, are the parent's and are
    #: not repeated here; keys, checks and indexes of its own are.
    partition_of: str | None = None
    partition_bound: str | None = None
    #: PostgreSQL row-level security: ENABLE (and FORCE, for the owner too) and policies.
    row_security: bool = False
    force_row_security: bool = False
    #: PostgreSQL storage parameters, ``WITH (fillfactor = 70)``: ``name=value`` each, as
    #: ``pg_class.reloptions`` keeps them.
    storage: tuple[str, ...] = ()
    #: PostgreSQL ``CREATE UNLOGGED TABLE``: no WAL, emptied after a crash, not replicated.
    unlogged: bool = False
    #: SQLite table options (lang_createtable.html#tableoptions): ``STRICT`` (3.37+: typed
    #: columns, enforced) and ``WITHOUT ROWID`` (the primary key is the b-tree key). Each
    #: is fixed at CREATE TABLE; changing one rebuilds the table.
    strict: bool = False
    without_rowid: bool = False
    policies: tuple[Policy, ...] = ()
    #: PostgreSQL extended statistics objects on the table (``CREATE STATISTICS``).
    statistics: tuple[Statistics, ...] = ()
    #: PostgreSQL ``INHERITS (…)``: parents in the same schema, in order. Inherited
    #: columns and checks are the parents' and not repeated here (as for partitions).
    inherits: tuple[str, ...] = ()
    #: An inheriting table's columns as the server orders them (attnum), inherited ones
    #: included: a parent's column added after the child was created sits after the
    #: child's own, which the model (own columns only) cannot tell. Read by NO INHERIT,
    #: whose adopted columns keep their place. Empty: parents' columns first. Not compared.
    column_order: tuple[str, ...] = field(default=(), compare=False)
    #: MySQL/MariaDB: the indexes in the server's key order (SHOW CREATE TABLE lists them
    #: so: the order they were created in, within the server's own grouping), which
    #: CREATE TABLE follows so a generated table shows as the original. Not compared.
    index_order: tuple[str, ...] = field(default=(), compare=False)
    #: MySQL/MariaDB: the checks in the order SHOW CREATE TABLE lists them (the order
    #: they were declared or added in), which CREATE TABLE follows. Not compared.
    check_order: tuple[str, ...] = field(default=(), compare=False)
    #: Routines its defaults, checks and indexes call (``dbshift.model.depends`` idents):
    #: created before it, dropped after it. Not compared.
    depends_on: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        for name in (
            "uniques",
            "checks",
            "foreign_keys",
            "indexes",
            "exclusions",
            "policies",
            "statistics",
        ):
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


@frozen
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
    #: PostgreSQL extensions installed into the schema, collations and composite types.
    extensions: tuple[Extension, ...] = ()
    collations: tuple[Collation, ...] = ()
    composite_types: tuple[CompositeType, ...] = ()
    #: Comments on objects that keep none of their own (see ``Comment``).
    comments: tuple[Comment, ...] = ()
    #: MySQL/MariaDB: the database's default engine and collation, which tables whose
    #: options are None have. Never diffed: it says what None means where SQL will run.
    defaults: TableOptions = field(default_factory=TableOptions)

    def __post_init__(self) -> None:
        for name in (
            "tables",
            "views",
            "sequences",
            "enums",
            "routines",
            "domains",
            "extensions",
            "collations",
            "composite_types",
        ):
            object.__setattr__(self, name, _by_name(getattr(self, name)))
        if len(self.comments) > 1:
            ordered = sorted(self.comments, key=lambda c: tuple(v or "" for v in c.target))
            object.__setattr__(self, "comments", tuple(ordered))
        object.__setattr__(self, "namespaces", tuple(sorted(self.namespaces)))

    def table(self, name: str, schema: str | None = None) -> Table | None:
        i = self._find((schema, name))
        return None if i is None else self.tables[i]

    def with_table(self, table: Table) -> Schema:
        """``table`` replacing the one with its key, or added in order.

        Cheap on purpose (no re-sort, no new key index): a plan applies hundreds of
        operations to schemas of thousands of tables, one ``with_table`` each. A schema
        that gained or lost a table finds tables by binary search (``_find``): rebuilding
        the key index after each of the 100 tables a 10,000-table plan creates cost more
        than the rest of rendering it (2.4 s).
        """
        i = self._find(table.key)
        if i is not None:  # same keys, same places: the index carries over
            tables = list(self.tables)  # the cheapest copy of 10,000 items (CPython 3.11)
            tables[i] = table
            replaced = self._with_tables(tuple(tables))
            for attribute in ("_positions_cache", "_search"):
                if attribute in self.__dict__:
                    object.__setattr__(replaced, attribute, self.__dict__[attribute])
            return replaced
        at = bisect.bisect(self.tables, _sort_key(table), key=_sort_key)
        return self._searched(self._with_tables((*self.tables[:at], table, *self.tables[at:])))

    def without_table(self, name: str, schema: str | None = None) -> Schema:
        i = self._find((schema, name))
        if i is None:
            return self
        return self._searched(self._with_tables(self.tables[:i] + self.tables[i + 1 :]))

    def _find(self, key: tuple[str | None, str]) -> int | None:
        """The position of the table with ``key``, if there is one."""
        if not self.__dict__.get("_search"):
            return self._positions().get(key)
        # Tables are in _sort_key order, and a table's kind is always "".
        i = bisect.bisect_left(self.tables, (key[0] or "", key[1], ""), key=_sort_key)
        if i < len(self.tables) and self.tables[i].key == key:
            return i
        return None

    def _positions(self) -> dict[tuple[str | None, str], int]:
        """Table key → index, built once per (immutable) schema."""
        positions: dict[tuple[str | None, str], int] | None = self.__dict__.get("_positions_cache")
        if positions is None:
            positions = {(t.schema, t.name): i for i, t in enumerate(self.tables)}
            object.__setattr__(self, "_positions_cache", positions)
        return positions

    @staticmethod
    def _searched(schema: Schema) -> Schema:
        """``schema``, marked to find its tables by binary search (see ``with_table``)."""
        object.__setattr__(schema, "_search", True)
        return schema

    def _with_tables(self, tables: tuple[Table, ...]) -> Schema:
        """A copy with ``tables`` already in canonical order (skips ``__post_init__``)."""
        new = object.__new__(Schema)
        for f in fields(self):
            object.__setattr__(new, f.name, getattr(self, f.name))
        object.__setattr__(new, "tables", tables)
        return new
