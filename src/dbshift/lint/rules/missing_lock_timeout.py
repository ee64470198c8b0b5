"""DDL on a live table with no lock timeout set.

A DDL statement first waits for its lock (ACCESS EXCLUSIVE for most ALTER TABLE forms on
PostgreSQL, the table's metadata lock on MySQL/MariaDB) behind every running transaction
that touched the table, and while it waits, every later query on the table queues behind
it: one long report query or idle-in-transaction session and the application stalls. The
servers wait by default for as long as it takes (PostgreSQL lock_timeout = 0; MySQL 8.0
lock_wait_timeout = 31536000 s, a year; MariaDB 10.11 86400 s, a day). With ``SET
lock_timeout`` (PostgreSQL) or ``SET SESSION lock_wait_timeout`` (MySQL) first, the
statement gives up instead and the migration can be retried. dbshift's own online engine
(PostgreSQL) sets it for its steps and retries with a bounded backoff; a SQL migration
runs with whatever its file sets. One finding per file, at the first such statement.
"""

from __future__ import annotations

from collections.abc import Iterator

from dbshift.lint.facts import Stmt
from dbshift.lint.rule import FileContext, Finding, Rule, Severity, q
from dbshift.lint.rules._locks import locks_existing

_SETTING = {"postgresql": "lock_timeout", "mysql": "lock_wait_timeout"}
_OFF = frozenset({"", "0", "0s", "0ms", "'0'", "default"})
#: How long each server waits for a lock by default (MariaDB 10.11 and PostgreSQL 15
#: checked on the test servers; MySQL 8.0 from its documentation).
_DEFAULT_WAIT = {
    "postgresql": "with no limit (PostgreSQL's default lock_timeout is 0)",
    "mysql": "for up to lock_wait_timeout's default of 31536000 s (a year)",
    "mariadb": "for up to lock_wait_timeout's default of 86400 s (a day)",
}


class MissingLockTimeout(Rule):
    id = "missing-lock-timeout"
    severity = Severity.WARNING
    dialects = frozenset({"postgresql", "mysql"})
    # Per statement: one finding per file, at the first statement that locks a live table.
    summary = "DDL on an existing table without a lock timeout set first"
    squawk = ("require-lock-timeout",)  # squawk 2.x (its require-statement-timeout: no peer)
    strong_migrations = ()
    atlas = ()
    eugene = ("E9",)

    def check_statement(self, stmt: Stmt, ctx: FileContext) -> Iterator[Finding]:
        if ctx.state.get(self.id):
            return
        setting = _SETTING[ctx.dialect]
        if ctx.settings.get(setting, "").strip().lower() not in _OFF:
            ctx.state[self.id] = True
            return
        locking = [a for a in stmt.actions if locks_existing(stmt, a, ctx)]
        if not locking:
            return
        ctx.state[self.id] = True
        table = next((a.table for a in locking if a.table), None)
        on = f" on {q(table)}" if table else ""
        statement = (
            "SET lock_timeout = '2s'"
            if ctx.dialect == "postgresql"
            else "SET SESSION lock_wait_timeout = 2"
        )
        yield self.found(
            stmt,
            f"DDL{on} without {setting} set earlier in the file",
            why="while it waits for its lock behind running transactions, every later query "
            f"on the table queues behind it, {_DEFAULT_WAIT[ctx.server.flavor]}",
            fix=f"start the file with {statement} and retry the migration if it times out"
            + (
                " (dbshift's online engine sets the timeout and retries with a bounded "
                "backoff by itself)"
                if ctx.dialect == "postgresql"
                else ""
            ),
        )
