"""Several MySQL/MariaDB databases at once, as one model: a schema there is a database.

Mirrors ``dbshift.inspect.realm`` (PostgreSQL): each database whose name matches one of
the ``schemas`` patterns is inspected by ``inspect_mysql``, its objects stamped with its
name, everything spelled relative to the connection's own database (the URL's), which
stays the default: its objects keep ``schema=None`` and render unqualified, so a realm
holding only that database is the one-database model exactly. The others are listed in
``Schema.namespaces`` for CREATE/DROP DATABASE.

The server's own databases (``mysql``, ``information_schema``, ``performance_schema``,
``sys``) are never included.
"""

from __future__ import annotations

from collections.abc import Collection
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING

from dbshift.inspect import mysql_queries as q
from dbshift.inspect.catalog import catalog_of
from dbshift.inspect.mysql import home_defaults, inspect_mysql
from dbshift.model import Schema

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from dbshift.direct import Connection as DriverConnection

__all__ = ["current_database", "inspect_databases"]


def current_database(conn: Connection | DriverConnection) -> str:
    rows = catalog_of(conn).rows("SELECT DATABASE()")
    return str(rows[0][0])


def inspect_databases(
    conn: Connection | DriverConnection,
    *,
    schemas: Collection[str],
    exclude: Collection[str] = (),
    refuse_unsupported: bool = True,
) -> Schema:
    """The connection's database and every other whose name matches one of ``schemas``
    (``*``: all of them)."""
    home = current_database(conn)
    present = [str(row[0]) for row in catalog_of(conn).rows(q.DATABASES)]
    # The URL's own database is always in: it is the default schema, and its name is
    # the one that differs between servers (``shop`` beside ``shop_dev``).
    wanted = [n for n in present if n == home or any(fnmatchcase(n, p) for p in schemas)]
    parts = [
        inspect_mysql(
            conn,
            exclude=exclude,
            refuse_unsupported=refuse_unsupported,
            database=None if name == home else name,
        )
        for name in wanted
    ]
    return Schema(
        tables=tuple(t for p in parts for t in p.tables),
        views=tuple(v for p in parts for v in p.views),
        sequences=tuple(s for p in parts for s in p.sequences),
        routines=tuple(r for p in parts for r in p.routines),
        namespaces=tuple(n for n in wanted if n != home),
        # Tables report their engine relative to the server's default, their collation
        # always (a database's own default is no table's);
        # the model's defaults are the home database's (ALTER TABLE … ENGINE= of a table
        # put back to the default names it).
        defaults=next(
            (p.defaults for n, p in zip(wanted, parts, strict=True) if n == home),
            None,
        )
        or home_defaults(conn),
    )
