"""Renaming a table: the application version still running uses the old name."""

from __future__ import annotations

from collections.abc import Iterator

from dbshift.dialects.mysql import MySQLDialect
from dbshift.dialects.postgres import PostgresDialect
from dbshift.dialects.sqlite import SQLiteDialect
from dbshift.lint.facts import Act, Action, Stmt
from dbshift.lint.rule import FileContext, Finding, Rule, Severity, q


class RenameTable(Rule):
    id = "rename-table"
    severity = Severity.ERROR
    dialects = (PostgresDialect, MySQLDialect, SQLiteDialect)
    acts = frozenset({Act.RENAME_TABLE})
    summary = "RENAME TABLE breaks the application version still running"
    squawk = ("renaming-table",)
    strong_migrations = ("rename_table",)
    atlas = ("BC101",)

    def check_action(self, stmt: Stmt, action: Action, ctx: FileContext) -> Iterator[Finding]:
        if ctx.is_new(action.table):
            # A table created in this file (the rebuild pattern's new table renamed into
            # place) has no readers under its own name.
            return
        yield self.found(
            stmt,
            f"table {q(action.table)} renamed to {q(action.new_name)}",
            why=f"the previous application version still queries {q(action.table)}: its "
            "queries fail from the moment the rename commits until the new release is "
            "everywhere",
            fix="expand/contract with the dbshift online engine, or rename and create a view "
            f"named {q(action.table)} over {q(action.new_name)} in the same migration, "
            "dropping the view once no deployed code uses the old name",
        )
