"""Live catalog → ``dbshift.model.Schema``: one inspector per server, a few bulk queries each.

Conventions every inspector keeps (the renderers in ``dbshift.dialects`` rely on them, so
that rendering an inspected object and inspecting the result gives the object back):

- Objects in the inspected schema/database have ``schema=None``; only references to other
  schemas carry a name.
- Types, defaults, generated expressions and index predicates are the catalog's text,
  verbatim (``format_type()``, ``pg_get_expr()``, MySQL ``COLUMN_TYPE``/``COLUMN_DEFAULT``,
  SQLite's declared text).
- A check constraint's ``expression`` is what goes inside ``CHECK ( … )``.
- A view's ``definition`` is its query (what follows ``AS``).
- Tables named in ``exclude`` (dbshift's own history tables) are left out.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from dbshift.errors import UnknownDialect
from dbshift.inspect.scope import Scope, filtered

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from dbshift.direct import Connection as DriverConnection
    from dbshift.model import Schema, TableOptions

__all__ = ["Scope", "database_defaults", "inspect_schema"]


def inspect_schema(
    conn: Connection | DriverConnection,
    *,
    schema: str | None = None,
    exclude: Collection[str] = (),
    scope: Scope | None = None,
    refuse_unsupported: bool = True,
) -> Schema:
    """The schema of the database ``conn`` is connected to (PostgreSQL: ``schema`` or the
    connection's current schema; the schemas ``scope`` names, when it names any, which on
    MySQL/MariaDB are databases beside the connection's own), less
    what ``scope``'s patterns leave out. ``conn`` is a SQLAlchemy connection or a bare
    driver connection from ``dbshift.direct`` (see ``dbshift.inspect.catalog``).

    Objects the model cannot hold are refused by name (``Unsupported``), unless
    ``refuse_unsupported`` is off: for callers that only look a few things up (a column's
    type), where a schema that cannot be diffed is no reason to stop."""
    from dbshift.dialects.mysql import MySQLDialect
    from dbshift.dialects.postgres import PostgresDialect
    from dbshift.dialects.sqlite import SQLiteDialect
    from dbshift.inspect.catalog import catalog_of

    dialect = catalog_of(conn).dialect
    scope = scope or Scope()
    if isinstance(dialect, PostgresDialect):
        from dbshift.inspect.postgres import inspect_postgres

        if scope.schemas:
            from dbshift.inspect.realm import default_schema, inspect_realm

            model = inspect_realm(conn, schemas=scope.schemas, exclude=exclude)
            if not scope.filters:
                return model
            return filtered(model, scope, default=default_schema(conn))
        model = inspect_postgres(
            conn, schema=schema, exclude=exclude, refuse_unsupported=refuse_unsupported
        )
        if not scope.filters:
            return model
        from dbshift.inspect.realm import default_schema

        return filtered(model, scope, default=schema or default_schema(conn))
    if isinstance(dialect, MySQLDialect):
        from dbshift.inspect.mysql import inspect_mysql
        from dbshift.inspect.mysql_realm import current_database, inspect_databases

        if scope.schemas:  # a schema is a database there
            model = inspect_databases(
                conn,
                schemas=scope.schemas,
                exclude=exclude,
                refuse_unsupported=refuse_unsupported,
            )
        else:
            model = inspect_mysql(conn, exclude=exclude, refuse_unsupported=refuse_unsupported)
        if not scope.filters:
            return model
        return filtered(model, scope, default=current_database(conn))
    if scope.schemas:
        from dbshift.errors import UsageError

        raise UsageError(
            f"schemas are a PostgreSQL and MySQL setting: on {dialect.name} there are no "
            "schemas; dbshift compares the one database the URL names (remove schemas / --schema)"
        )
    if isinstance(dialect, SQLiteDialect):
        from dbshift.inspect.sqlite import inspect_sqlite

        model = inspect_sqlite(conn, exclude=exclude, refuse_unsupported=refuse_unsupported)
        return filtered(model, scope, default="main")
    raise UnknownDialect(f"no inspector for {dialect.name!r}")


def database_defaults(conn: Connection | DriverConnection) -> TableOptions:
    """What a table that names no engine or collation takes in the database ``conn`` is
    connected to (MySQL/MariaDB: ``Schema.defaults``, read without inspecting the schema);
    nothing elsewhere."""
    from dbshift.dialects.mysql import MySQLDialect
    from dbshift.inspect.catalog import catalog_of
    from dbshift.model import TableOptions as Options

    if isinstance(catalog_of(conn).dialect, MySQLDialect):
        from dbshift.inspect.mysql import home_defaults

        return home_defaults(conn)
    return Options()
