"""Building an index on a live table while writes wait.

PostgreSQL's plain CREATE INDEX holds a SHARE lock for the whole build: every INSERT,
UPDATE and DELETE on the table waits. MySQL/MariaDB build secondary B-tree indexes in place
without blocking writes, but FULLTEXT and SPATIAL indexes, or an explicit ALGORITHM=COPY or
LOCK=SHARED/EXCLUSIVE, block them; and without ``ALGORITHM=INPLACE, LOCK=NONE`` written out
the server silently falls back to a blocking build where it cannot do better.
"""

from __future__ import annotations

from collections.abc import Iterator

from dbshift.dialects.mysql import MySQLDialect
from dbshift.dialects.postgres import PostgresDialect
from dbshift.lint.facts import Act, Action, Stmt
from dbshift.lint.rule import FileContext, Finding, Rule, Severity, q


class CreateIndexBlocking(Rule):
    id = "create-index-blocking"
    severity = Severity.ERROR
    dialects = (PostgresDialect, MySQLDialect)
    acts = frozenset({Act.CREATE_INDEX})
    summary = "CREATE INDEX that blocks writes (no CONCURRENTLY / not LOCK=NONE)"
    squawk = ("require-concurrent-index-creation",)
    strong_migrations = ("add_index",)
    atlas = ("PG101",)
    eugene = ("E6",)

    def check_action(self, stmt: Stmt, action: Action, ctx: FileContext) -> Iterator[Finding]:
        if ctx.is_new(action.table):
            return
        where = f"index {q(action.name)} on {q(action.table)}"
        if ctx.dialect.nonblocking_forms:  # CREATE INDEX CONCURRENTLY exists
            if not action.concurrently:
                yield self.found(
                    stmt,
                    f"CREATE INDEX {q(action.name)} on {q(action.table)} without CONCURRENTLY",
                    why="holds a SHARE lock for the whole build: writes to the table wait",
                    fix="CREATE INDEX CONCURRENTLY in a migration marked "
                    "'-- dbshift:no-transaction'",
                )
            return
        if action.index_kind in {"fulltext", "spatial"}:
            yield self.found(
                stmt,
                f"{action.index_kind.upper()} {where}",
                why=f"InnoDB cannot build a {action.index_kind} index with LOCK=NONE: "
                "writes wait for the whole build (the first one also rebuilds the table)",
                fix="build it with the online engine (shadow table and cut-over), or at a "
                "quiet time",
            )
        elif stmt.algorithm == "copy" or stmt.lock in {"shared", "exclusive"}:
            yield self.found(
                stmt,
                f"{where} with ALGORITHM={stmt.algorithm or 'default'}, "
                f"LOCK={stmt.lock or 'default'}",
                why="ALGORITHM=COPY or LOCK=SHARED/EXCLUSIVE blocks writes while it builds",
                fix="ALGORITHM=INPLACE, LOCK=NONE",
            )
        elif stmt.lock != "none":
            yield Finding(
                self.id,
                Severity.WARNING,
                stmt.path,
                stmt.line,
                f"{where} without LOCK=NONE",
                why="without an explicit LOCK=NONE the server falls back to a blocking build "
                "where it cannot build in place, instead of failing",
                fix="add ', ALGORITHM=INPLACE, LOCK=NONE' so the server refuses rather than blocks",
            )
