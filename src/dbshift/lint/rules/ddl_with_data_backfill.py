"""Schema changes and a data backfill in one transaction.

PostgreSQL and SQLite migrations run in one transaction, and every lock a statement
takes is held until that transaction ends. An ALTER TABLE's ACCESS EXCLUSIVE lock, which
alone lasts milliseconds, is then held for the whole UPDATE/DELETE/INSERT ... SELECT
that follows (or the backfill's row locks for the whole DDL): no reads or writes on the
table until the backfill is done. SQLite locks the whole database for any write, so
there only a backfill of the very table the migration altered counts: the write lock
then spans both, and a failed backfill undoes the schema change. Filling a table created
in the same file (the copy step of a table rebuild) is not a backfill of live rows.
Schema change and backfill belong in separate migrations, the backfill in batches
outside one long transaction. One finding per file, at the statement that brings the
second kind.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dbshift.dialects.postgres import PostgresDialect
from dbshift.dialects.sqlite import SQLiteDialect
from dbshift.lint.facts import Act, Action, Stmt
from dbshift.lint.rule import FileContext, Finding, Rule, Severity, q
from dbshift.lint.rules._locks import created_by, locks_existing


class DdlWithDataBackfill(Rule):
    id = "ddl-with-data-backfill"
    severity = Severity.WARNING
    dialects = (PostgresDialect, SQLiteDialect)
    # Per statement: the rule follows the transaction through the file.
    summary = "DDL and a data backfill in one transaction: the DDL's locks last the backfill"
    squawk = ()
    strong_migrations = ()
    atlas = ()
    eugene = ("E4",)

    def check_statement(self, stmt: Stmt, ctx: FileContext) -> Iterator[Finding]:
        seen: dict[str, Any] = ctx.state.setdefault(self.id, {})
        if seen.get("done"):
            return
        if any(a.act is Act.TRANSACTION and a.name in {"commit", "rollback"} for a in stmt.actions):
            seen.clear()
            return
        if not ctx.in_transaction:
            return
        altered: set[str | None] = seen.setdefault("altered", set())
        ddl = [a for a in stmt.actions if _schema_change(stmt, a, ctx)]
        data = [a for a in stmt.actions if _backfills(stmt, a, ctx)]
        altered |= {a.table for a in ddl}
        if ddl:
            seen.setdefault("ddl", stmt)
        if data:
            seen.setdefault("data", stmt)
            seen.setdefault("data_tables", set()).update(a.table for a in data)
        if "ddl" not in seen or "data" not in seen:
            return
        # SQLite locks the whole database for any write, DDL or not: only a backfill of the
        # very table the migration altered ties the two together.
        if ctx.dialect.locks_whole_database and not altered & seen["data_tables"]:
            return
        first_ddl, first_data = seen["ddl"], seen["data"]
        seen["done"] = stmt
        tables = ", ".join(sorted(q(t) for t in first_ddl.tables() | first_data.tables() if t))
        yield self.found(
            stmt,
            f"schema change (line {first_ddl.line}) and data change (line {first_data.line}) "
            f"in one transaction, on {tables or 'existing tables'}",
            why=_why(ctx),
            fix="move the backfill to its own migration after the schema change, and run it in "
            "batches (the online engine backfills in keyset order outside the DDL transaction)",
        )


def _schema_change(stmt: Stmt, action: Action, ctx: FileContext) -> bool:
    """A DDL lock on a live table. TRUNCATE locks too, but it is a purge, not a schema
    change, and delete-without-where/truncate speak for it."""
    return action.act is not Act.TRUNCATE and locks_existing(stmt, action, ctx)


def _backfills(stmt: Stmt, action: Action, ctx: FileContext) -> bool:
    """UPDATE or DELETE of an existing table, or INSERT ... SELECT into one (reads rows:
    can be long). INSERT ... VALUES of a few rows is seed data, and filling a table created
    in this file (a rebuild's copy) touches no live rows."""
    if ctx.is_new(action.table) or created_by(stmt, action.table):
        return False
    if action.act in {Act.UPDATE, Act.DELETE}:
        return True
    return action.act is Act.INSERT and action.has_where


def _why(ctx: FileContext) -> str:
    if ctx.dialect.locks_whole_database:
        return (
            "the migration's transaction holds SQLite's write lock for the schema change and "
            "the backfill together: every other writer waits (or fails with 'database is "
            "locked') for both, and a failed backfill also undoes the schema change"
        )
    return (
        "locks are held until the transaction commits: the DDL's lock (ACCESS EXCLUSIVE for "
        "most ALTER TABLE forms) blocks reads and writes on the table for the whole "
        "backfill, not for milliseconds"
    )
