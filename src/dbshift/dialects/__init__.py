"""What differs between servers lives here, one module per server, behind ``Dialect``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dbshift.dialects.base import Dialect
from dbshift.errors import UnknownDialect

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

    from dbshift.dialects.render import Renderer

__all__ = [
    "Dialect",
    "UnknownDialect",
    "classes",
    "dialect_for",
    "for_scheme",
    "named",
    "renderer_for",
]

#: The names ``named`` accepts, each the ``Dialect.name`` of one server package.
#: MariaDB is the mysql dialect: where the two differ, the dialect asks the server.
NAMES = ("postgresql", "mysql", "sqlite")


def named(name: str) -> Dialect:
    """The dialect called ``name``, not bound to a database: for facts and rendering.

    ``mariadb`` is accepted as the mysql dialect (SQLAlchemy's backend name for it).
    """
    if name == "postgresql":
        from dbshift.dialects.postgres import PostgresDialect

        return PostgresDialect()
    if name in ("mysql", "mariadb"):
        from dbshift.dialects.mysql import MySQLDialect

        return MySQLDialect()
    if name == "sqlite":
        from dbshift.dialects.sqlite import SQLiteDialect

        return SQLiteDialect()
    raise UnknownDialect(f"unknown dialect {name!r}: expected one of {', '.join(NAMES)}")


def classes() -> tuple[type[Dialect], ...]:
    """Every server's Dialect class, for facts about all of them (which URL schemes and
    drivers exist). Imports the three packages, a few milliseconds: ``named`` imports one."""
    from dbshift.dialects.mysql import MySQLDialect
    from dbshift.dialects.postgres import PostgresDialect
    from dbshift.dialects.sqlite import SQLiteDialect

    return (PostgresDialect, MySQLDialect, SQLiteDialect)


def for_scheme(scheme: str) -> tuple[type[Dialect], str] | None:
    """The Dialect class a URL scheme (``postgres``, ``mariadb``, …) names, with the
    SQLAlchemy dialect the scheme is normalised to; None for a scheme no server has."""
    for dialect in classes():
        if scheme in dialect.url_schemes:
            return dialect, dialect.url_schemes[scheme]
    return None


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
    raise UnknownDialect(f"no dbshift dialect for {backend!r}")  # parse_url already refused it


def renderer_for(name: str, *, definer: str | None = None) -> Renderer:
    """The SQL renderer for a dialect name (``postgresql``, ``mysql``, ``sqlite``).

    ``definer``: the config's ``definer``, written into MySQL/MariaDB CREATE VIEW,
    FUNCTION, PROCEDURE and TRIGGER (see ``dbshift.dialects.mysql.definer``); the other
    servers have no such clause and ignore it."""
    from dbshift.dialects.render import Unsupported

    if name not in ("postgresql", "mysql", "sqlite"):
        raise Unsupported(f"no SQL renderer for {name!r}")
    quote = quote_mysql if name == "mysql" else quote_double
    if name == "postgresql":
        from dbshift.dialects.postgres.render import PostgresRenderer

        return PostgresRenderer(quote)
    if name == "mysql":
        from dbshift.dialects.mysql.render import MySQLRenderer

        return MySQLRenderer(quote, definer=definer)
    from dbshift.dialects.sqlite.render import SQLiteRenderer

    return SQLiteRenderer(quote)


# Rendering quotes by hand rather than through ``Dialect.quote_ident`` (SQLAlchemy's
# identifier preparer): building a SQLAlchemy dialect means importing SQLAlchemy, 0.1 s of
# a 0.5 s ``dbshift diff`` that otherwise never needs it. Both functions are what that
# preparer does with paramstyle "named" (always quote, double the quote character, leave
# % alone); tests/dialects/test_quoting.py checks that they agree.


def quote_double(name: str) -> str:
    """A PostgreSQL or SQLite identifier: ``"…"`` with ``"`` doubled."""
    return '"' + name.replace('"', '""') + '"'


def quote_mysql(name: str) -> str:
    """A MySQL/MariaDB identifier: in backquotes, a backquote in the name doubled."""
    return "`" + name.replace("`", "``") + "`"
