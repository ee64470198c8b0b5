"""What differs between servers lives here, one module per server, behind ``Dialect``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dbshift.dialects.base import Dialect

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

__all__ = ["Dialect", "dialect_for"]


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
