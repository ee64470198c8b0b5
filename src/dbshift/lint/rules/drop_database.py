"""Dropping a database or schema: every table, view and routine in it goes at once.

SQLite has no DROP DATABASE (a database is a file; DETACH loses nothing), so the rule
speaks for PostgreSQL (DROP DATABASE, DROP SCHEMA ... CASCADE) and MySQL (DROP DATABASE/SCHEMA, which
are the same statement there).
"""

from __future__ import annotations

from collections.abc import Iterator

from dbshift.dialects.mysql import MySQLDialect
from dbshift.dialects.postgres import PostgresDialect
from dbshift.lint.facts import Act, Action, Stmt
from dbshift.lint.rule import FileContext, Finding, Rule, Severity, q


class DropDatabase(Rule):
    id = "drop-database"
    severity = Severity.ERROR
    dialects = (PostgresDialect, MySQLDialect)
    acts = frozenset({Act.DROP_DATABASE, Act.DROP_SCHEMA})
    summary = "DROP DATABASE / DROP SCHEMA loses every object in it"
    squawk = ("ban-drop-database", "ban-drop-schema")
    atlas = ("DS101",)

    def check_action(self, stmt: Stmt, action: Action, ctx: FileContext) -> Iterator[Finding]:
        if action.act is Act.DROP_SCHEMA:
            # PostgreSQL's DROP SCHEMA without CASCADE refuses a schema holding anything,
            # so only CASCADE can lose data.
            if not action.cascade:
                return
            what = f"DROP SCHEMA {q(action.name)} CASCADE"
            why = "every table, view and function in the schema goes, with all rows"
        else:
            what = f"DROP DATABASE {q(action.name)}"
            why = "every table in the database goes, with all rows"
        yield self.found(
            stmt,
            what,
            why=f"{why}; a migration is the wrong place for it: it runs on every environment",
            fix="drop databases by hand after a backup; if a migration really must, confirm "
            "it with '-- dbshift:ignore drop-database <reason>'",
        )
