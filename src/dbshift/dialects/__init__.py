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
    from sqlalchemy.engine import make_url

    from dbshift.dialects.render import Unsupported

    urls = {
        "postgresql": "postgresql+psycopg://",
        "mysql": "mysql+pymysql://",
        "sqlite": "sqlite://",
    }
    if name not in urls:
        raise Unsupported(f"no SQL renderer for {name!r}")
    quote = Dialect(make_url(urls[name])).quote_ident
    if name == "postgresql":
        from dbshift.dialects.postgres.render import PostgresRenderer

        return PostgresRenderer(quote)
    if name == "mysql":
        from dbshift.dialects.mysql.render import MySQLRenderer

        return MySQLRenderer(quote)
    from dbshift.dialects.sqlite.render import SQLiteRenderer

    return SQLiteRenderer(quote)
