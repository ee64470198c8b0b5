"""Maintenance commands that rewrite a whole table.

PostgreSQL's VACUUM FULL and CLUSTER write a new copy of the table and its indexes while
holding ACCESS EXCLUSIVE: no reads or writes until the copy is done, which on a large table
means minutes to hours, and twice the disk space meanwhile. pg_repack does the same
rewrite online. MySQL/MariaDB's OPTIMIZE TABLE on InnoDB recreates the table (MariaDB
10.11 answers "doing recreate + analyze instead"): every row is rewritten, heavy I/O, and
replicas replay the rebuild as one long statement and fall behind.
"""

from __future__ import annotations

from collections.abc import Iterator

from dbshift.dialects.mysql import MySQLDialect
from dbshift.dialects.postgres import PostgresDialect
from dbshift.lint.facts import Act, Action, Stmt
from dbshift.lint.rule import FileContext, Finding, Rule, Severity, q


class TableRewriteCommand(Rule):
    id = "table-rewrite-command"
    severity = Severity.ERROR
    dialects = (PostgresDialect, MySQLDialect)
    acts = frozenset({Act.VACUUM, Act.CLUSTER})
    summary = "VACUUM FULL / CLUSTER / OPTIMIZE TABLE rewrite the whole table"
    squawk = ("prefer-repack",)
    strong_migrations = ()
    atlas = ()
    eugene = ()

    def check_action(self, stmt: Stmt, action: Action, ctx: FileContext) -> Iterator[Finding]:
        if ctx.is_new(action.table):
            return
        if action.table:
            where = q(action.table)
        elif action.act is Act.CLUSTER:
            where = "(every table clustered before)"
        else:
            where = "(every table in the database)"
        if ctx.dialect.ddl_commits_implicitly:  # MySQL/MariaDB: OPTIMIZE TABLE
            yield Finding(
                self.id,
                Severity.WARNING,
                stmt.path,
                stmt.line,
                f"OPTIMIZE TABLE {where}",
                why="InnoDB rebuilds the whole table (every row rewritten, indexes rebuilt): "
                "heavy I/O while it runs, and replicas replay it as one long statement and lag",
                fix="run it by hand at a quiet time, not in a migration; most tables never need it",
            )
            return
        if action.act is Act.VACUUM:
            if action.value != "full":
                return
            verb = "VACUUM FULL"
        else:
            verb = "CLUSTER"
        yield self.found(
            stmt,
            f"{verb} {where}",
            why="writes a new copy of the table and its indexes under an ACCESS EXCLUSIVE "
            "lock: no reads or writes until it finishes, and twice the disk space meanwhile",
            fix="pg_repack (online rewrite, brief locks only at the start and end), or "
            "plain VACUUM, which takes no blocking lock",
        )
