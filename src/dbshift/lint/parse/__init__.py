"""Parser adapters: one per dialect, each turning statement text into ``Action`` facts.

PostgreSQL statements go through pglast (PostgreSQL's own parser, so whatever the server
accepts is understood exactly); MySQL and SQLite through sqlglot, with a token fallback
for the statements sqlglot leaves as opaque commands.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dbshift.dialects.postgres import PostgresDialect

if TYPE_CHECKING:
    from dbshift.dialects import Dialect
    from dbshift.lint.facts import Action


class ParseFailed(ValueError):
    """The statement is not valid SQL for the dialect."""


def reads_whole_files(dialect: Dialect) -> bool:
    """Whether the dialect's parser takes a whole file in one call (``postgres.section``):
    pglast does, sqlglot is given one statement at a time."""
    return isinstance(dialect, PostgresDialect)


def actions_for(sql: str, dialect: Dialect) -> tuple[tuple[Action, ...], str | None, str | None]:
    """The statement's actions and, for MySQL ALTER TABLE, its ALGORITHM and LOCK values.

    The parser is chosen by the dialect's class (PostgreSQL's own parser for PostgreSQL,
    sqlglot reading the dialect's name for the others), never by comparing names.
    """
    if isinstance(dialect, PostgresDialect):
        from dbshift.lint.parse.postgres import actions

        return actions(sql), None, None
    from dbshift.lint.parse.sqlglot_adapter import actions_and_options

    return actions_and_options(sql, dialect)
