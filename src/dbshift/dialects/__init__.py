"""What differs between servers lives here, one module per server, behind ``Dialect``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dbshift.dialects.base import Dialect

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

    from dbshift.dialects.render import Renderer

__all__ = ["Dialect", "dialect_for", "renderer_for"]


def dialect_for(url: URL) -> Dialect:
    """The dbshift dialect for a parsed, normalised URL."""
    backend = url.get_backend_name()
    if backend == "postgresql":
        from dbshift.dialects.postgres import PostgresDialect

        return PostgresDialect(url)
    if backend in ("mysql", "mariadb"):
        from dbshift.dialects.mysql import MySQLDialect

        return MySQLDialect(url)
    if backend == "sqlite":
        from dbshift.dialects.sqlite import SQLiteDialect

        return SQLiteDialect(url)
    raise ValueError(f"no dbshift dialect for {backend!r}")  # parse_url already refused it


def renderer_for(name: str) -> Renderer:
    """The SQL renderer for a dialect name (``postgresql``, ``mysql``, ``sqlite``)."""
    from dbshift.dialects.render import Unsupported

    if name not in ("postgresql", "mysql", "sqlite"):
        raise Unsupported(f"no SQL renderer for {name!r}")
    quote = quote_mysql if name == "mysql" else quote_double
    if name == "postgresql":
        from dbshift.dialects.postgres.render import PostgresRenderer

        return PostgresRenderer(quote)
    if name == "mysql":
        from dbshift.dialects.mysql.render import MySQLRenderer

        return MySQLRenderer(quote)
    from dbshift.dialects.sqlite.render import SQLiteRenderer

    return SQLiteRenderer(quote)


# Rendering quotes by hand rather than through ``Dialect.quote_ident`` (SQLAlchemy's
# identifier preparer): building a SQLAlchemy dialect means importing SQLAlchemy, 0.1 s of
# a 0.5 s ``dbshift diff`` that otherwise never needs it. Both functions are what that
# preparer does with paramstyle "named" (always quote, double the quote character, leave
# % alone); tests/unit/test_quoting.py checks that they agree.


def quote_double(name: str) -> str:
    """A PostgreSQL or SQLite identifier: ``"…"`` with ``"`` doubled."""
    return '"' + name.replace('"', '""') + '"'


def quote_mysql(name: str) -> str:
    """A MySQL/MariaDB identifier: in backquotes, a backquote in the name doubled."""
    return "`" + name.replace("`", "``") + "`"
