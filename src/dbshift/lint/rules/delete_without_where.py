"""DELETE or UPDATE without a WHERE clause on a table with rows: every row is deleted or
overwritten, in one statement that locks all of them until it commits.

A DELETE loses data (an error); an UPDATE of every row is often a deliberate backfill, but
as one statement it locks every row and, on a large table, runs for minutes with a huge
undo/WAL footprint (a warning).
"""

from __future__ import annotations

from collections.abc import Iterator

from dbshift.dialects.mysql import MySQLDialect
from dbshift.dialects.postgres import PostgresDialect
from dbshift.dialects.sqlite import SQLiteDialect
from dbshift.lint.facts import Act, Action, Stmt
from dbshift.lint.rule import FileContext, Finding, Rule, Severity, q


class DeleteWithoutWhere(Rule):
    id = "delete-without-where"
    severity = Severity.ERROR
    dialects = (PostgresDialect, MySQLDialect, SQLiteDialect)
    acts = frozenset({Act.DELETE, Act.UPDATE})
    summary = "DELETE or UPDATE without WHERE touches every row of the table"

    def check_action(self, stmt: Stmt, action: Action, ctx: FileContext) -> Iterator[Finding]:
        if action.has_where or ctx.is_new(action.table):
            return
        if action.table and ctx.server.facts.is_internal_table(action.table):
            return  # a dump's "DELETE FROM sqlite_sequence;" resets counters, not rows
        if action.act is Act.DELETE:
            yield self.found(
                stmt,
                f"every row of {q(action.table)} deleted: DELETE without WHERE",
                why="every row of the table is deleted",
                fix="add the WHERE clause you meant; if emptying the table is intended, "
                "confirm it with '-- dbshift:ignore delete-without-where <reason>'",
            )
            return
        yield Finding(
            self.id,
            Severity.WARNING,
            stmt.path,
            stmt.line,
            f"every row of {q(action.table)} updated: UPDATE without WHERE",
            why="every row is overwritten in one statement that holds a lock on all of them "
            "until it commits: writers to the table wait, and on a large table the undo "
            "log / WAL grows by the table's size",
            fix="add the WHERE clause you meant, or backfill in keyset batches "
            "(WHERE id > last ORDER BY id LIMIT n) outside the DDL transaction",
        )
