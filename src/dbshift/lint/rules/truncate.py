"""TRUNCATE empties a table in one step, with no WHERE and (on MySQL) no undo.

SQLite has no TRUNCATE: its equivalent, an unrestricted DELETE, is delete-without-where's.
"""

from __future__ import annotations

from collections.abc import Iterator

from dbshift.dialects.mysql import MySQLDialect
from dbshift.dialects.postgres import PostgresDialect
from dbshift.lint.facts import Act, Action, Stmt
from dbshift.lint.rule import FileContext, Finding, Rule, Severity, q


class Truncate(Rule):
    id = "truncate"
    severity = Severity.ERROR
    dialects = (PostgresDialect, MySQLDialect)
    acts = frozenset({Act.TRUNCATE})
    summary = "TRUNCATE loses every row (CASCADE: of the referencing tables too)"
    squawk = ("ban-truncate-cascade",)

    def check_action(self, stmt: Stmt, action: Action, ctx: FileContext) -> Iterator[Finding]:
        if ctx.is_new(action.table):
            return
        if not ctx.dialect.ddl_commits_implicitly:
            why = (
                "every row is lost and TRUNCATE takes an ACCESS EXCLUSIVE lock, so even "
                "readers wait"
            )
            if action.cascade:
                why += "; CASCADE also empties every table with a foreign key to it, "
                why += "recursively, without naming them"
        else:
            # MySQL/MariaDB: TRUNCATE is DDL (drop and recreate), commits implicitly, and
            # cannot be rolled back.
            why = (
                "every row is lost; on MySQL/MariaDB TRUNCATE is DDL: it commits implicitly "
                "and cannot be rolled back"
            )
        cascade = " CASCADE" if action.cascade else ""
        yield self.found(
            stmt,
            f"TRUNCATE {q(action.table)}{cascade}",
            why=why,
            fix="back the rows up first and confirm with "
            "'-- dbshift:ignore truncate <reason>'; name every table to empty instead of "
            "CASCADE",
        )
