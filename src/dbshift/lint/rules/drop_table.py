"""Dropping a table: its rows are gone, and the running application still queries it."""

from __future__ import annotations

from collections.abc import Iterator

from dbshift.dialects.mysql import MySQLDialect
from dbshift.dialects.postgres import PostgresDialect
from dbshift.dialects.sqlite import SQLiteDialect
from dbshift.lint.facts import Act, Action, Stmt
from dbshift.lint.rule import FileContext, Finding, Rule, Severity, q


class DropTable(Rule):
    id = "drop-table"
    severity = Severity.ERROR
    dialects = (PostgresDialect, MySQLDialect, SQLiteDialect)
    acts = frozenset({Act.DROP_TABLE})
    summary = "DROP TABLE loses data and breaks code still using the table"
    squawk = ("ban-drop-table",)
    strong_migrations = ("remove_table",)
    atlas = ("DS102",)
    eugene = ()

    def check_action(self, stmt: Stmt, action: Action, ctx: FileContext) -> Iterator[Finding]:
        if ctx.is_new(action.table):
            return
        cascade = " CASCADE (dependent views and foreign keys go too)" if action.cascade else ""
        yield self.found(
            stmt,
            f"DROP TABLE {q(action.table)}{cascade}",
            why="every row is lost and the previous application version still reads and "
            "writes the table",
            fix="stop using the table in a deployed release first, back it up, then drop it "
            "with an explicit '-- dbshift:ignore drop-table <reason>'",
        )
