"""Dropping an index: queries that used it scan instead, and a unique index stops
enforcing uniqueness. Whether that matters depends on the queries and the table size,
which lint cannot see: a warning."""

from __future__ import annotations

from collections.abc import Iterator

from dbshift.dialects.mysql import MySQLDialect
from dbshift.dialects.postgres import PostgresDialect
from dbshift.dialects.sqlite import SQLiteDialect
from dbshift.lint.facts import Act, Action, Stmt
from dbshift.lint.rule import FileContext, Finding, Product, Rule, Severity, q


class DropIndex(Rule):
    id = "drop-index"
    severity = Severity.WARNING
    dialects = (PostgresDialect, MySQLDialect, SQLiteDialect)
    acts = frozenset({Act.DROP_INDEX})
    summary = "DROP INDEX slows queries that used it and drops uniqueness it enforced"

    def check_action(self, stmt: Stmt, action: Action, ctx: FileContext) -> Iterator[Finding]:
        if ctx.is_new(action.table):
            return
        on = f" on {q(action.table)}" if action.table else ""
        yield self.found(
            stmt,
            f"DROP INDEX {q(action.name)}{on}",
            why="queries that used the index fall back to scans (on a large table that can "
            "overload the server), and if it is a unique index, duplicates are no longer "
            "refused",
            fix=_fix(ctx, action),
        )


def _fix(ctx: FileContext, action: Action) -> str:
    server = ctx.server
    table = action.table or "t"
    if server.product is Product.MYSQL and server.at_least(8, 0):
        trial = (
            f"make it invisible first (ALTER TABLE {table} ALTER INDEX {action.name} "
            "INVISIBLE, instant) and drop it in a later release once nothing slowed down"
        )
    elif server.product is Product.MARIADB and server.at_least(10, 6):
        trial = (
            f"make the optimizer ignore it first (ALTER TABLE {table} ALTER INDEX "
            f"{action.name} IGNORED) and drop it in a later release once nothing slowed down"
        )
    elif server.product is Product.POSTGRESQL:
        trial = "check pg_stat_user_indexes.idx_scan for the index"
    else:
        trial = "check the queries on the table with EXPLAIN QUERY PLAN"
    return f"{trial}; and check that no code relies on its uniqueness if it is unique"
