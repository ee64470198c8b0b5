"""Whether a dropping statement destroys anything: asked of the live database, as the
run will have changed it by then.

The linter judges a statement alone: ``DROP TABLE IF EXISTS t`` loses t's rows. The
destructive gate of ``migrate`` and ``rollback`` also knows the database, so it asks
whether t holds anything right now. A table that does not exist (a ``pg_dump --clean
--if-exists`` script run on an empty database drops hundreds of them), or one this same
run created, holds nothing that existed before the run; a table the run renamed from a
live table does. Names are compared without their schema (the linter's facts carry
none) and case-insensitively: when unsure, a statement counts as destructive.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sqlalchemy.engine import Connection

    from dbshift.dialects import Dialect
    from dbshift.lint.facts import Action


class LiveCatalog:
    """The live database's tables, columns and schemas, read once and only when asked."""

    def __init__(self, conn: Connection, dialect: Dialect) -> None:
        self.conn = conn
        self.dialect = dialect
        self._columns: dict[str, set[str]] = {}
        self._unreadable: set[str] = set()

    @cached_property
    def _tables(self) -> dict[str, list[tuple[str, str]]]:
        found: dict[str, list[tuple[str, str]]] = {}
        for schema, name in self.dialect.user_tables(self.conn, every_database=True):
            found.setdefault(name.lower(), []).append((schema, name))
        return found

    @cached_property
    def _schemas(self) -> set[str]:
        import sqlalchemy as sa

        return {name.lower() for name in sa.inspect(self.conn).get_schema_names()}

    @cached_property
    def _here(self) -> set[str]:
        """The tables an unqualified name can mean: the current database's (MySQL), every
        schema's (PostgreSQL: its search path is not followed)."""
        return {name.lower() for _, name in self.dialect.user_tables(self.conn)}

    def has_table(self, name: str, schema: str | None = None, *, here: bool = False) -> bool:
        """``here``: the name was written unqualified (where the parser says so)."""
        if schema is not None:
            return any(s.lower() == schema.lower() for s, _ in self._tables.get(name.lower(), []))
        if here:
            return name.lower() in self._here
        return name.lower() in self._tables

    def has_column(self, table: str, column: str) -> bool:
        key = table.lower()
        if key not in self._columns:
            import sqlalchemy as sa
            from sqlalchemy.exc import NoSuchTableError, UnreflectableTableError

            inspector = sa.inspect(self.conn)
            found: set[str] = set()
            for schema, name in self._tables.get(key, []):
                try:
                    found |= {
                        str(c["name"]).lower() for c in inspector.get_columns(name, schema=schema)
                    }
                except (UnreflectableTableError, NoSuchTableError):
                    # A namesake elsewhere (MySQL: every database is listed) that cannot be
                    # read, e.g. a view over a dropped table: count its columns as live.
                    self._unreadable.add(key)
            self._columns[key] = found
        return key in self._unreadable or column.lower() in self._columns[key]

    def has_schema(self, name: str) -> bool:
        return name.lower() in self._schemas


class RunState:
    """What the statements seen so far did to the live objects' names.

    ``tables`` maps a name in this run to the live table whose rows it holds, or None
    when the run created it (or dropped it); ``columns`` says whether a (table, column)
    holds live values. Names not mentioned yet are asked of the catalog.
    """

    def __init__(self, catalog: LiveCatalog) -> None:
        self.catalog = catalog
        self.tables: dict[str, str | None] = {}
        self.columns: dict[tuple[str, str], bool] = {}

    def live_table(
        self, name: str | None, schema: str | None = None, *, here: bool = False
    ) -> str | None:
        if name is None:
            return "?"  # unknown: count it as live
        key = name.lower()
        if key in self.tables:
            return self.tables[key]
        return key if self.catalog.has_table(key, schema, here=here) else None

    def live_column(self, table: str | None, column: str | None) -> bool:
        origin = self.live_table(table)
        if origin is None:
            return False
        if table is None or column is None or origin == "?":
            return True
        key = (table.lower(), column.lower())
        if key in self.columns:
            return self.columns[key]
        return self.catalog.has_column(origin, column)

    def destroys(self, action: Action) -> bool:
        """Whether ``action`` (a drop, truncate or delete) loses anything that exists."""
        from dbshift.lint.facts import Act

        if action.act is Act.DROP_TABLE and action.schema is None:
            # An unqualified DROP TABLE names the current database's table, not a
            # namesake in another database of the server (a dump's DROP TABLE IF EXISTS).
            return self.live_table(action.table, here=True) is not None
        if action.act in (Act.DROP_TABLE, Act.TRUNCATE, Act.DELETE, Act.DROP_PARTITION):
            return self.live_table(action.table, action.schema) is not None
        if action.act is Act.DROP_COLUMN:
            return self.live_column(action.table, action.name)
        if action.act is Act.DROP_SCHEMA or (
            action.act is Act.DROP_DATABASE and self.catalog.dialect.databases_are_schemas
        ):
            # A PostgreSQL DROP DATABASE names another database, which this connection
            # cannot see: it stays destructive.
            return action.name is None or self.catalog.has_schema(action.name)
        return True

    def advance(self, actions: Iterable[Action]) -> None:
        from dbshift.lint.facts import Act

        for a in actions:
            table = (a.table or "").lower()
            if not table:
                continue
            if a.act is Act.DROP_TABLE or (
                a.act is Act.CREATE_TABLE and self.live_table(table) is None
            ):
                self.tables[table] = None
            elif a.act is Act.RENAME_TABLE and a.new_name:
                self.tables[a.new_name.lower()] = self.live_table(table)
                self.tables[table] = None
            elif a.act is Act.ADD_COLUMN and a.column is not None:
                if not self.live_column(table, a.column.name):
                    self.columns[(table, a.column.name.lower())] = False
            elif a.act is Act.DROP_COLUMN and a.name:
                self.columns[(table, a.name.lower())] = False
            elif a.act is Act.RENAME_COLUMN and a.name and a.new_name:
                self.columns[(table, a.new_name.lower())] = self.live_column(table, a.name)
                self.columns[(table, a.name.lower())] = False
