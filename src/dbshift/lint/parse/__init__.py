"""Parser adapters: one per dialect, each turning statement text into ``Action`` facts.

PostgreSQL statements go through pglast (PostgreSQL's own parser, so whatever the server
accepts is understood exactly); MySQL and SQLite through sqlglot, with a token fallback
for the statements sqlglot leaves as opaque commands.
"""

from __future__ import annotations

from dbshift.lint.facts import Action


class ParseFailed(ValueError):
    """The statement is not valid SQL for the dialect."""


def actions_for(sql: str, dialect: str) -> tuple[tuple[Action, ...], str | None, str | None]:
    """The statement's actions and, for MySQL ALTER TABLE, its ALGORITHM and LOCK values."""
    if dialect == "postgresql":
        from dbshift.lint.parse.postgres import actions

        return actions(sql), None, None
    from dbshift.lint.parse.sqlglot_adapter import actions_and_options

    return actions_and_options(sql, dialect)
