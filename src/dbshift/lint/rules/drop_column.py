"""Dropping a column: its data is gone, and the application version still running selects
and writes it until the new release is everywhere."""

from __future__ import annotations

from collections.abc import Iterator

from dbshift.dialects.mysql import MySQLDialect
from dbshift.dialects.postgres import PostgresDialect
from dbshift.dialects.sqlite import SQLiteDialect
from dbshift.lint.facts import Act, Action, Stmt
from dbshift.lint.rule import FileContext, Finding, Product, Rule, Severity, q


class DropColumn(Rule):
    id = "drop-column"
    severity = Severity.ERROR
    dialects = (PostgresDialect, MySQLDialect, SQLiteDialect)
    acts = frozenset({Act.DROP_COLUMN})
    summary = "DROP COLUMN loses data and breaks code still using the column"
    squawk = ("ban-drop-column",)
    strong_migrations = ("remove_column",)
    atlas = ("DS103",)

    def check_action(self, stmt: Stmt, action: Action, ctx: FileContext) -> Iterator[Finding]:
        if ctx.is_new(action.table):
            return
        yield self.found(
            stmt,
            f"DROP COLUMN {q(action.name)} from {q(action.table)}",
            why="the column's values are lost and the previous application version still "
            f"selects and writes it, so its queries fail; {_cost(ctx)}",
            fix="stop using the column in a deployed release first (or let the dbshift online "
            "engine expand/contract it), then drop it with "
            "'-- dbshift:ignore drop-column <reason>'",
        )


def _cost(ctx: FileContext) -> str:
    """What the drop itself costs on this server."""
    server = ctx.server
    if server.product is Product.SQLITE:
        # SQLite 3.35+ runs DROP COLUMN by rewriting every row of the table, holding the
        # database write lock for the whole copy.
        return "SQLite also rewrites every row of the table to remove it"
    if server.product is Product.MARIADB:
        if server.at_least(10, 4):
            return f"on {server} the drop itself is instant (ALGORITHM=INSTANT)"
        return f"on {server} the drop rebuilds the table"
    if server.product is Product.MYSQL:
        if server.at_least(8, 0, 29):
            return f"on {server} the drop itself is instant (ALGORITHM=INSTANT)"
        return f"on {server} the drop rebuilds the table in place"
    return (
        "PostgreSQL only marks it dropped (brief ACCESS EXCLUSIVE lock, space not reclaimed "
        "until the table is rewritten)"
    )
