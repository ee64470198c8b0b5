"""Keyset ranges over a table's key: the SQL a batch loop walks a table with.

A batch is the key range ``last < key <= end``, never an OFFSET page: each batch costs
the rows it covers, whatever its position, where ``LIMIT n OFFSET k`` reads and throws
away ``k`` rows first (a hand-written OFFSET loop is O(n²) over the table). The end of
the next batch is the largest key among the next ``size`` rows after ``last``, taken
from a sub-select with a LIMIT, so no OFFSET appears either.

Composite keys compare in lexicographic order, spelt out as ``a > :a OR (a = :a AND
b > :b)`` with a leading ``a >= :a`` (every server can use the key's index for that
one; MariaDB does not for row-value comparisons). The range is closed at ``end``, so a
key that is not unique still never skips or repeats a row: a batch takes every row of
its last key value.

Generic on purpose (no migration, no journal): names go through the Dialect's ``quote``,
key values are bound parameters (``:k0``...), ready for ``sqlalchemy.text``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dbshift.errors import NoUsableKey

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from dbshift.dialects import Dialect

Key = tuple[Any, ...]


@dataclass(frozen=True)
class Keyset:
    """A table's key columns, and the qualifier they are named by in a statement."""

    dialect: Dialect
    #: The table as written in SQL (quoted, schema-qualified where needed).
    table: str
    #: What names the table's columns in the statement: the table itself or its alias.
    qualifier: str
    columns: tuple[str, ...]

    def column(self, index: int) -> str:
        return f"{self.qualifier}.{self.dialect.quote(self.columns[index])}"

    # -- conditions --------------------------------------------------------------------

    def after(self, last: Key, prefix: str = "l") -> tuple[str, dict[str, Any]]:
        """``key > last`` in lexicographic order, and its parameters."""
        return self._compare(last, prefix, strict=True, greater=True)

    def upto(self, end: Key, prefix: str = "e") -> tuple[str, dict[str, Any]]:
        """``key <= end`` in lexicographic order, and its parameters."""
        return self._compare(end, prefix, strict=False, greater=False)

    def between(
        self, last: Key | None, end: Key, *, prefix: str = "k"
    ) -> tuple[str, dict[str, Any]]:
        """``last < key <= end`` (no lower bound when ``last`` is None)."""
        upper, params = self.upto(end, f"{prefix}e")
        if last is None:
            return upper, params
        lower, more = self.after(last, f"{prefix}l")
        return f"{lower} AND {upper}", {**params, **more}

    def _compare(
        self, values: Key, prefix: str, *, strict: bool, greater: bool
    ) -> tuple[str, dict[str, Any]]:
        if len(values) != len(self.columns):
            raise NoUsableKey(
                f"{self.table}: a stored key has {len(values)} value(s) for "
                f"{len(self.columns)} key column(s)"
            )
        params = {f"{prefix}{i}": v for i, v in enumerate(values)}
        op = ">" if greater else "<"
        last = len(self.columns) - 1
        # Innermost first: c_n > v_n (or <= for the closed end), then wrapped outward as
        # c_i > v_i OR (c_i = v_i AND (...)).
        inner = f"{self.column(last)} {op}{'' if strict else '='} :{prefix}{last}"
        for i in range(last - 1, -1, -1):
            col, mark = self.column(i), f":{prefix}{i}"
            inner = f"{col} {op} {mark} OR ({col} = {mark} AND ({inner}))"
        if last == 0:
            return f"({inner})", params
        # The leading column's own bound, which every server can take to the index.
        lead = f"{self.column(0)} {op}= :{prefix}0"
        return f"({lead} AND ({inner}))", params

    def order(self, *, descending: bool = False) -> str:
        way = " DESC" if descending else ""
        return ", ".join(f"{self.column(i)}{way}" for i in range(len(self.columns)))

    # -- queries -----------------------------------------------------------------------

    def high_water(self, conn: Connection) -> Key | None:
        """The largest key now: rows inserted above it later are not the batches' work."""
        from sqlalchemy import text

        cols = ", ".join(self.column(i) for i in range(len(self.columns)))
        row = conn.execute(
            text(
                f"SELECT {cols} FROM {self.table} {self._alias()}"
                f"ORDER BY {self.order(descending=True)} LIMIT 1"
            )
        ).first()
        return tuple(row) if row is not None else None

    def count(
        self,
        conn: Connection,
        end: Key,
        *,
        where: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> int:
        """Rows with ``key <= end`` (and matching ``where``, with its ``params``)."""
        from sqlalchemy import text

        condition, bounds = self.upto(end)
        if where:
            condition = f"{condition} AND ({where})"
        found = conn.execute(
            text(f"SELECT count(*) FROM {self.table} {self._alias()}WHERE {condition}"),
            {**(params or {}), **bounds},
        ).scalar()
        return int(found or 0)

    def count_between(
        self,
        conn: Connection,
        last: Key | None,
        end: Key,
        *,
        where: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> int:
        """Rows with ``last < key <= end`` (and matching ``where``, with its ``params``)."""
        from sqlalchemy import text

        condition, bounds = self.between(last, end, prefix="c")
        if where:
            condition = f"{condition} AND ({where})"
        found = conn.execute(
            text(f"SELECT count(*) FROM {self.table} {self._alias()}WHERE {condition}"),
            {**(params or {}), **bounds},
        ).scalar()
        return int(found or 0)

    def batch_end(self, conn: Connection, last: Key | None, hwm: Key, size: int) -> Key:
        """The largest key among the next ``size`` rows after ``last`` (at most ``hwm``)."""
        from sqlalchemy import text

        condition, params = self.between(last, hwm, prefix="b")
        aliases = [self.dialect.quote(f"k{i}") for i in range(len(self.columns))]
        picked = ", ".join(f"{self.column(i)} AS {a}" for i, a in enumerate(aliases))
        outer = ", ".join(aliases)
        descending = ", ".join(f"{a} DESC" for a in aliases)
        sub = self.dialect.quote("batch")
        row = conn.execute(
            text(
                f"SELECT {outer} FROM (SELECT {picked} FROM {self.table} {self._alias()}"
                f"WHERE {condition} ORDER BY {self.order()} LIMIT {int(size)}) {sub} "
                f"ORDER BY {descending} LIMIT 1"
            ),
            params,
        ).first()
        return tuple(row) if row is not None else hwm

    def _alias(self) -> str:
        return "" if self.qualifier == self.table else f"{self.qualifier} "


def table_key(
    conn: Connection,
    dialect: Dialect,
    schema: str | None,
    name: str,
    key: Sequence[str] | None,
    *,
    unquoted: bool = False,
) -> tuple[str, tuple[str, ...]]:
    """The table's name in the catalog, and the key to walk it by: ``key`` when given,
    else its primary key.

    ``unquoted``: the names were written in SQL without quotes, which servers fold
    (PostgreSQL to lower case): one not found as written is matched against the catalog's
    names regardless of case, when exactly one matches.

    Every key column must be NOT NULL: a row whose key is NULL is in no range, and a
    batch loop would pass over it without a word.
    """
    import sqlalchemy as sa

    inspector = sa.inspect(conn)
    shown = f"{schema}.{name}" if schema else name
    if unquoted:
        # The catalog's spelling (SQLite answers has_table for any case, then reflects
        # only the stored one).
        names = inspector.get_table_names(schema=schema)
        if name not in names:
            name = _loosely(name, names) or name
    if not inspector.has_table(name, schema=schema):
        raise NoUsableKey(f"table {shown} does not exist")
    columns = {c["name"]: c for c in inspector.get_columns(name, schema=schema)}
    if key:
        chosen = tuple(
            (_loosely(k, list(columns)) or k) if unquoted and k not in columns else k for k in key
        )
    else:
        chosen = tuple(
            inspector.get_pk_constraint(name, schema=schema).get("constrained_columns") or ()
        )
        if not chosen:
            raise NoUsableKey(
                f"table {shown} has no primary key, so it cannot be walked in keyset batches: "
                "add one, or name NOT NULL column(s) that order its rows with key=..."
            )
    for column in chosen:
        if column not in columns:
            raise NoUsableKey(f"table {shown} has no column {column!r} to batch by")
        if columns[column].get("nullable", True) and not key_is_primary(
            inspector, schema, name, column
        ):
            raise NoUsableKey(
                f"column {column!r} of {shown} allows NULL: rows with a NULL key would be "
                "skipped by keyset batches; batch by NOT NULL column(s)"
            )
    return name, chosen


def _loosely(name: str, names: Sequence[str]) -> str | None:
    matches = [n for n in names if n.lower() == name.lower()]
    return matches[0] if len(matches) == 1 else None


def key_is_primary(inspector: Any, schema: str | None, name: str, column: str) -> bool:
    """SQLite reports an INTEGER PRIMARY KEY column as nullable; it never holds NULL."""
    pk = inspector.get_pk_constraint(name, schema=schema).get("constrained_columns") or ()
    return column in pk
