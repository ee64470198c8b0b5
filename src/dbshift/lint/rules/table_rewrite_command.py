"""Maintenance commands that rewrite a whole table.

PostgreSQL's VACUUM FULL and CLUSTER write a new copy of the table and its indexes while
holding ACCESS EXCLUSIVE: no reads or writes until the copy is done, which on a large table
means minutes to hours, and twice the disk space meanwhile. pg_repack does the same
rewrite online. ALTER TABLE … SET LOGGED / SET UNLOGGED rewrites the table the same way
(SET LOGGED writes all of it to WAL too). MySQL/MariaDB's OPTIMIZE TABLE on InnoDB recreates the table (MariaDB
10.11 answers "doing recreate + analyze instead"): every row is rewritten, heavy I/O, and
replicas replay the rebuild as one long statement and fall behind.
"""

from __future__ import annotations

from collections.abc import Iterator

from dbshift.dialects.mysql import MySQLDialect
from dbshift.dialects.postgres import PostgresDialect
from dbshift.lint.facts import Act, Action, Stmt
from dbshift.lint.rule import FileContext, Finding, Rule, Severity, q

#: ALTER TABLE subcommands (pglast's names) that change a table's persistence.
_PERSISTENCE = {"AT_SetLogged": "SET LOGGED", "AT_SetUnLogged": "SET UNLOGGED"}


class TableRewriteCommand(Rule):
    id = "table-rewrite-command"
    severity = Severity.ERROR
    dialects = (PostgresDialect, MySQLDialect)
    acts = frozenset({Act.VACUUM, Act.CLUSTER, Act.OTHER_DDL})
    summary = "VACUUM FULL / CLUSTER / SET [UN]LOGGED / OPTIMIZE TABLE rewrite the whole table"
    squawk = ("prefer-repack",)
    strong_migrations = ()
    atlas = ()
    eugene = ()

    def check_action(self, stmt: Stmt, action: Action, ctx: FileContext) -> Iterator[Finding]:
        if action.act is Act.OTHER_DDL and action.value not in _PERSISTENCE:
            return
        if ctx.is_new(action.table):
            return
        if action.act is Act.OTHER_DDL:
            yield self.found(
                stmt,
                f"ALTER TABLE {q(action.table or '')} {_PERSISTENCE[action.value or '']}",
                why="writes a new copy of the table and its indexes under an ACCESS EXCLUSIVE "
                "lock: no reads or writes until it finishes (SET LOGGED also writes all of it "
                "to WAL, which replicas must replay)",
                fix="change it while the table is small or at a quiet time; for a scratch "
                "table, create a new one UNLOGGED (or logged) and switch to it",
            )
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
