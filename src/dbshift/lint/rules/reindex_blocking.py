"""Rebuilding indexes the plain way on a live PostgreSQL table.

Plain REINDEX holds a SHARE lock on the table (writes wait) and an ACCESS EXCLUSIVE lock
on each index it rebuilds, so every query that would use the index waits too, for the
whole rebuild. Since PostgreSQL 12, REINDEX ... CONCURRENTLY builds a new copy beside the
old one and swaps them with only brief locks.
"""

from __future__ import annotations

from collections.abc import Iterator

from dbshift.dialects.postgres import PostgresDialect
from dbshift.lint.facts import Act, Action, Stmt
from dbshift.lint.rule import FileContext, Finding, Rule, Severity, q


class ReindexBlocking(Rule):
    id = "reindex-blocking"
    severity = Severity.ERROR
    dialects = (PostgresDialect,)
    acts = frozenset({Act.REINDEX})
    summary = "REINDEX without CONCURRENTLY blocks writes and queries using the indexes"
    squawk = ("require-concurrent-reindex",)
    strong_migrations = ()
    atlas = ()
    eugene = ()

    def check_action(self, stmt: Stmt, action: Action, ctx: FileContext) -> Iterator[Finding]:
        kind = action.value or "table"
        target = action.table or action.name
        if action.concurrently or (kind == "table" and ctx.is_new(target)):
            return
        if kind == "system":
            # REINDEX SYSTEM cannot run CONCURRENTLY (system catalogs); nothing better exists.
            fix = "run it by hand in a maintenance window, not in a migration"
        elif ctx.server.at_least(12):
            fix = (
                f"REINDEX {kind.upper()} CONCURRENTLY {target or ''} in a migration marked "
                "'-- dbshift:no-transaction'"
            ).replace("  ", " ")
        else:
            fix = (
                f"{ctx.server} has no REINDEX CONCURRENTLY: build a replacement with CREATE "
                "INDEX CONCURRENTLY, then drop the old index CONCURRENTLY"
            )
        yield self.found(
            stmt,
            f"REINDEX {kind.upper()}{f' {q(target)}' if target else ''} without CONCURRENTLY",
            why="holds a SHARE lock on the table (writes wait) and an ACCESS EXCLUSIVE lock on "
            "each index while it is rebuilt (queries using it wait) for the whole rebuild",
            fix=fix,
        )
