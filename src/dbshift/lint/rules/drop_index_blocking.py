"""Dropping an index the plain way on a live PostgreSQL table.

Plain DROP INDEX takes an ACCESS EXCLUSIVE lock on the index's table: while it waits for
running queries to finish, every later query on the table, reads included, queues behind
it. DROP INDEX CONCURRENTLY waits for those queries without blocking new ones.
"""

from __future__ import annotations

from collections.abc import Iterator

from dbshift.dialects.postgres import PostgresDialect
from dbshift.lint.facts import Act, Action, Stmt
from dbshift.lint.rule import FileContext, Finding, Rule, Severity, q


class DropIndexBlocking(Rule):
    id = "drop-index-blocking"
    severity = Severity.ERROR
    dialects = (PostgresDialect,)
    acts = frozenset({Act.DROP_INDEX, Act.CREATE_INDEX})
    summary = "DROP INDEX without CONCURRENTLY locks the table against reads and writes"
    squawk = ("require-concurrent-index-deletion",)
    strong_migrations = ("remove_index",)
    atlas = ("PG102",)
    eugene = ()

    def check_action(self, stmt: Stmt, action: Action, ctx: FileContext) -> Iterator[Finding]:
        # PostgreSQL's DROP INDEX names no table: the indexes this file built on its own new
        # tables are remembered, any other index is taken to be on a live table.
        on_new_tables: set[str | None] = ctx.state.setdefault(self.id, set())
        if action.act is Act.CREATE_INDEX:
            if ctx.is_new(action.table):
                on_new_tables.add(action.name)
            return
        if action.concurrently or action.name in on_new_tables:
            return
        yield self.found(
            stmt,
            f"DROP INDEX {q(action.name)} without CONCURRENTLY",
            why="takes an ACCESS EXCLUSIVE lock on the index's table: once it queues behind a "
            "running query, every later read and write on the table waits too",
            fix=f"DROP INDEX CONCURRENTLY IF EXISTS {action.name} in a migration marked "
            "'-- dbshift:no-transaction'",
        )
