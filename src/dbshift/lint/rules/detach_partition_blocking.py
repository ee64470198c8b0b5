"""Detaching a partition the plain way from a live PostgreSQL partitioned table.

Plain DETACH PARTITION takes ACCESS EXCLUSIVE on the parent: every query on the whole
partitioned table, reads included, waits for it and queues behind it. PostgreSQL 14 added
DETACH PARTITION ... CONCURRENTLY, which takes only SHARE UPDATE EXCLUSIVE on the parent
and waits out running queries in two transactions instead.
"""

from __future__ import annotations

from collections.abc import Iterator

from dbshift.dialects.postgres import PostgresDialect
from dbshift.lint.facts import Act, Action, Stmt
from dbshift.lint.rule import FileContext, Finding, Rule, Severity, q


class DetachPartitionBlocking(Rule):
    id = "detach-partition-blocking"
    severity = Severity.ERROR
    dialects = (PostgresDialect,)
    acts = frozenset({Act.DETACH_PARTITION})
    summary = "DETACH PARTITION without CONCURRENTLY locks the whole partitioned table"
    squawk = ("require-concurrent-partition-detach",)
    strong_migrations = ()
    atlas = ()
    eugene = ()

    def check_action(self, stmt: Stmt, action: Action, ctx: FileContext) -> Iterator[Finding]:
        if action.concurrently or ctx.is_new(action.table):
            return
        # Before PostgreSQL 14 there is no concurrent form: nothing safer to suggest.
        if not ctx.server.at_least(14):
            return
        yield self.found(
            stmt,
            f"ALTER TABLE {q(action.table)} DETACH PARTITION {q(action.name)} without CONCURRENTLY",
            why=f"takes an ACCESS EXCLUSIVE lock on {q(action.table)}: every read and write "
            "on any partition waits, and queues behind it while it waits for running queries",
            fix=f"ALTER TABLE {action.table} DETACH PARTITION {action.name} CONCURRENTLY in a "
            "migration marked '-- dbshift:no-transaction' (PostgreSQL 14+; if it is "
            "interrupted, finish it with DETACH PARTITION ... FINALIZE)",
        )
