"""Making a NOT NULL column nullable: code that reads it was written assuming there is
always a value. Whether any reader does is a review question, hence a warning.

SQLite has no statement that drops NOT NULL (it takes a table rebuild, which
sqlite-table-rebuild reports), so the rule speaks for PostgreSQL and MySQL.
"""

from __future__ import annotations

from collections.abc import Iterator

from dbshift.dialects.mysql import MySQLDialect
from dbshift.dialects.postgres import PostgresDialect
from dbshift.lint.facts import Act, Action, Stmt
from dbshift.lint.rule import FileContext, Finding, Rule, Severity, q


class DropNotNull(Rule):
    id = "drop-not-null"
    severity = Severity.WARNING
    dialects = (PostgresDialect, MySQLDialect)
    acts = frozenset({Act.DROP_NOT_NULL})
    summary = "DROP NOT NULL lets NULLs reach readers that assume a value"
    squawk = ("ban-drop-not-null",)

    def check_action(self, stmt: Stmt, action: Action, ctx: FileContext) -> Iterator[Finding]:
        if ctx.is_new(action.table):
            return
        where = f"column {q(action.name)} of {q(action.table)}"
        if ctx.dialect.restates_column_to_alter and action.value != "null":
            # MODIFY/CHANGE restate the whole column: leaving NOT NULL off makes it nullable.
            message = (
                f"MODIFY/CHANGE of {where} without NOT NULL: if it was NOT NULL, it is nullable now"
            )
        else:
            message = f"{where} made nullable"
        yield self.found(
            stmt,
            message,
            why="code that reads the column assumes a value; once NULLs are written, "
            "readers of the current and previous application versions can break",
            fix="check every reader handles NULL first; on MySQL write NOT NULL out in "
            "MODIFY/CHANGE if the column should keep it",
        )
