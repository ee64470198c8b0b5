"""Renaming a column: the application version still running uses the old name."""

from __future__ import annotations

from collections.abc import Iterator

from dbshift.dialects.mysql import MySQLDialect
from dbshift.dialects.postgres import PostgresDialect
from dbshift.dialects.sqlite import SQLiteDialect
from dbshift.lint.facts import Act, Action, Stmt
from dbshift.lint.rule import FileContext, Finding, Rule, Severity, q


class RenameColumn(Rule):
    id = "rename-column"
    severity = Severity.ERROR
    dialects = (PostgresDialect, MySQLDialect, SQLiteDialect)
    acts = frozenset({Act.RENAME_COLUMN})
    summary = "RENAME COLUMN breaks the application version still running"
    squawk = ("renaming-column",)
    strong_migrations = ("rename_column",)
    atlas = ("BC102",)

    def check_action(self, stmt: Stmt, action: Action, ctx: FileContext) -> Iterator[Finding]:
        if ctx.is_new(action.table):
            return
        # MySQL's CHANGE old new type reaches here too: the adapter reports its rename.
        yield self.found(
            stmt,
            f"column {q(action.name)} of {q(action.table)} renamed to {q(action.new_name)}",
            why=f"the previous application version still reads and writes {q(action.name)}: "
            "its queries fail from the moment the rename commits until the new release is "
            "everywhere",
            fix="expand/contract with the dbshift online engine (new column, dual writes, "
            "backfill, drop the old one later), or add the new column, deploy code that uses "
            "it, then drop the old one",
        )
