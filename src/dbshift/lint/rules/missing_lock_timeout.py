"""DDL on a live table in a file that turns the runner's lock timeout off.

A DDL statement first waits for its lock (ACCESS EXCLUSIVE for most ALTER TABLE forms on
PostgreSQL, the table's metadata lock on MySQL/MariaDB) behind every running transaction
that touched the table, and while it waits, every later query on the table queues behind
it: one long report query or idle-in-transaction session and the application stalls. The
servers wait by default for as long as it takes (PostgreSQL lock_timeout = 0; MySQL 8.0
lock_wait_timeout = 31536000 s, a year; MariaDB 10.11 86400 s, a day). dbshift's runner
therefore sets a short one for every migration (``ddl_lock_timeout``, 5 s by default, per
environment in the config and per file with ``-- dbshift:lock-timeout 2s``) and retries a
statement that timed out with a bounded, jittered backoff. So a file needs no ``SET
lock_timeout`` of its own; this rule speaks only where a file turns the protection off
(``-- dbshift:lock-timeout off``, ``SET lock_timeout = 0``, ``SET lock_wait_timeout =
DEFAULT``) and then locks a table that already holds rows and traffic. One finding per
file, at the first such statement.
"""

from __future__ import annotations

from collections.abc import Iterator

from dbshift.dialects.mysql import MySQLDialect
from dbshift.dialects.postgres import PostgresDialect
from dbshift.lint.facts import Stmt
from dbshift.lint.rule import FileContext, Finding, Rule, Severity, q
from dbshift.lint.rules._locks import locks_existing

_OFF = frozenset({"", "0", "0s", "0ms", "'0'", "default"})


class MissingLockTimeout(Rule):
    id = "missing-lock-timeout"
    severity = Severity.WARNING
    dialects = (PostgresDialect, MySQLDialect)
    # Per statement: one finding per file, at the first statement that locks a live table.
    summary = "DDL on an existing table in a file that turns the runner's lock timeout off"
    squawk = ("require-lock-timeout",)  # squawk 2.x (its require-statement-timeout: no peer)
    strong_migrations = ()
    atlas = ()
    eugene = ("E9",)

    def check_statement(self, stmt: Stmt, ctx: FileContext) -> Iterator[Finding]:
        if ctx.state.get(self.id):
            return
        setting = ctx.dialect.lock_timeout_setting
        if setting is None:
            return
        value = ctx.settings.get(setting)
        turned_off = value is not None and value.strip().lower() in _OFF
        by_directive = value is None and ctx.lock_timeout == 0
        if not (turned_off or by_directive):
            return
        locking = [a for a in stmt.actions if locks_existing(stmt, a, ctx)]
        if not locking:
            return
        ctx.state[self.id] = True
        table = next((a.table for a in locking if a.table), None)
        on = f" on {q(table)}" if table else ""
        how = (
            f"{setting} = {value.strip()}" if value is not None else "'-- dbshift:lock-timeout off'"
        )
        yield self.found(
            stmt,
            f"DDL{on} after {how} turned the runner's lock timeout off",
            why="while it waits for its lock behind running transactions, every later query "
            f"on the table queues behind it, {ctx.dialect.default_lock_wait[ctx.server.product]}",
            fix="drop the line that turns it off: dbshift sets ddl_lock_timeout (default 5s) "
            "for every migration and retries on a timeout; a longer wait is "
            "'-- dbshift:lock-timeout 30s'",
        )
