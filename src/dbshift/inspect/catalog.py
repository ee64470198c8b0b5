"""Where the inspectors' rows come from: a SQLAlchemy connection or a bare driver connection.

Queries are written once, in SQLAlchemy ``text()`` style (``:name`` parameters). Over a
SQLAlchemy connection they run through ``text()`` as before (events, logging and the
query-count tests see them). Over a bare DB-API connection (``dbshift.direct``, the fast
path of ``diff``/``inspect`` on URLs) they are rewritten once to the driver's parameter style
and fetched as plain tuples, which is what makes that path cheap: no SQLAlchemy import, no
Row objects.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from dbshift.dialects import Dialect
    from dbshift.direct import Connection as DriverConnection

__all__ = ["Catalog", "ClosingCatalog", "another_catalog", "batch", "catalog_of"]

# The bind parameter syntax sqlalchemy.sql.elements.TextClause recognises.
_BIND = re.compile(r"(?<![:\w\x5c]):(\w+)(?!:)", re.UNICODE)


class Catalog(Protocol):
    """Runs a catalog query and returns all its rows."""

    @property
    def dialect(self) -> Dialect:
        """The server's dialect (facts only)."""
        ...

    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> list[Any]: ...


def another_catalog(catalog: Catalog) -> ClosingCatalog | None:
    """The same database through a second connection, where there can be one: a bare
    PostgreSQL connection (``dbshift.direct``). Not over SQLAlchemy: that path keeps one
    connection and its events (the query-count tests listen to them)."""
    if not isinstance(catalog, _DriverCatalog):
        return None
    conn = catalog.conn.another()
    return None if conn is None else _DriverCatalog(conn)


class ClosingCatalog(Catalog, Protocol):
    def close(self) -> None: ...


def catalog_of(conn: Connection | DriverConnection) -> Catalog:
    """The catalog reader for a SQLAlchemy connection or a ``dbshift.direct`` connection."""
    from dbshift.direct import Connection as DriverConnection

    if isinstance(conn, DriverConnection):
        return _DriverCatalog(conn)
    return _SqlAlchemyCatalog(conn)


class _SqlAlchemyCatalog:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        from dbshift.dialects import named

        self.dialect = named(conn.dialect.name)  # SQLAlchemy's name; mariadb is mysql

    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> list[Any]:
        if params is None:  # verbatim, as the driver path runs it
            raw = self.conn.execution_options(no_parameters=True)
            return list(raw.exec_driver_sql(sql).fetchall())
        from sqlalchemy import text

        return list(self.conn.execute(text(sql), dict(params)).all())


class _DriverCatalog:
    def __init__(self, conn: DriverConnection) -> None:
        self.conn = conn
        self.dialect = conn.url.dialect
        # sqlite3 takes :name itself; psycopg and PyMySQL want %(name)s.
        self._named = conn.module.paramstyle not in ("format", "pyformat")

    def close(self) -> None:
        self.conn.close()

    def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> list[Any]:
        cursor = self.conn.dbapi.cursor()
        try:
            if params is None:
                cursor.execute(sql)
            elif self._named:
                cursor.execute(sql, params)
            else:
                cursor.execute(_pyformat(sql), params)
            return list(cursor.fetchall())
        finally:
            cursor.close()


@lru_cache(maxsize=64)
def _pyformat(sql: str) -> str:
    """``:name`` → ``%(name)s`` (psycopg, PyMySQL), with literal ``%`` doubled."""
    return _BIND.sub(r"%(\1)s", sql.replace("%", "%%"))


@contextmanager
def batch(
    catalog: Catalog, queries: Sequence[str], params: Mapping[str, Any]
) -> Iterator[Callable[[str], list[Any]]]:
    """``rows(sql)`` for ``queries``, all sent at once where the driver can pipeline them.

    Over a bare psycopg connection the queries go out together in pipeline mode (libpq
    14+): the server runs them back to back while the caller works through the rows of
    the first ones, instead of one round trip each with the server idle in between (at
    1,000 tables, twenty catalog queries of a few milliseconds each were a tenth of an
    inspection). Rows come back as ``Catalog.rows`` gives them, in any order asked; a
    query outside ``queries`` (or asked twice) is simply run. Elsewhere (SQLAlchemy,
    whose events the query-count tests listen to; PyMySQL; sqlite3) each query runs when
    it is asked for, as before.
    """
    pipeline = _pipeline_of(catalog)
    if pipeline is None:
        yield lambda sql: catalog.rows(sql, params)
        return
    assert isinstance(catalog, _DriverCatalog)
    dbapi = catalog.conn.dbapi
    cursors: dict[str, Any] = {}
    try:
        with pipeline():
            for sql in queries:
                if sql not in cursors:
                    cursor = cursors[sql] = dbapi.cursor()
                    cursor.execute(_pyformat(sql), params)

            def rows(sql: str) -> list[Any]:
                cursor = cursors.pop(sql, None)
                if cursor is None:
                    return catalog.rows(sql, params)
                try:
                    return list(cursor.fetchall())
                finally:
                    cursor.close()

            yield rows
    finally:
        for cursor in cursors.values():
            cursor.close()


def _pipeline_of(catalog: Catalog) -> Callable[[], Any] | None:
    """The connection's ``pipeline()`` context, for a bare psycopg connection whose libpq
    has pipeline mode; else None (other drivers have no ``Pipeline``)."""
    if not isinstance(catalog, _DriverCatalog):
        return None
    pipeline = getattr(catalog.conn.module, "Pipeline", None)
    if pipeline is None or not pipeline.is_supported():
        return None
    method: Callable[[], Any] = catalog.conn.dbapi.pipeline
    return method
