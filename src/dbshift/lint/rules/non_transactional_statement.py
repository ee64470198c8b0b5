"""Statements the server refuses to run inside a transaction, in a migration that runs in
one.

dbshift runs a PostgreSQL or SQLite migration in one transaction unless it is marked
``-- dbshift:no-transaction``. PostgreSQL rejects CREATE/DROP INDEX CONCURRENTLY,
REINDEX CONCURRENTLY (and REINDEX SCHEMA/DATABASE/SYSTEM), DETACH PARTITION CONCURRENTLY,
VACUUM, CLUSTER without a table, ALTER SYSTEM, CREATE/DROP DATABASE and CREATE/DROP
TABLESPACE there ("cannot run inside a transaction block", PostgreSQL 15), and before
PostgreSQL 12 also ALTER TYPE ... ADD VALUE. SQLite refuses VACUUM. The migration then fails
at run time, after everything before the statement was rolled back: lint says so first.
"""

from __future__ import annotations

from collections.abc import Iterator

from dbshift.dialects.postgres import PostgresDialect
from dbshift.dialects.sqlite import SQLiteDialect
from dbshift.lint.facts import Act, Action, Stmt
from dbshift.lint.rule import FileContext, Finding, Rule, Severity, q

#: OTHER_DDL values the PostgreSQL adapter gives statements that refuse a transaction.
_PG_OTHER = frozenset({"create database", "alter system", "create tablespace", "drop tablespace"})
#: How each server refuses, by dialect class.
_REFUSAL = {
    PostgresDialect: "PostgreSQL refuses it ('cannot run inside a transaction block')",
    SQLiteDialect: "SQLite refuses it ('cannot VACUUM from within a transaction')",
}


class NonTransactionalStatement(Rule):
    id = "non-transactional-statement"
    severity = Severity.ERROR
    dialects = (PostgresDialect, SQLiteDialect)
    acts = frozenset(
        {
            Act.CREATE_INDEX,
            Act.DROP_INDEX,
            Act.REINDEX,
            Act.DETACH_PARTITION,
            Act.VACUUM,
            Act.CLUSTER,
            Act.DROP_DATABASE,
            Act.ADD_ENUM_VALUE,
            Act.OTHER_DDL,
        }
    )
    summary = "statement that cannot run inside a transaction, in a transactional migration"
    squawk = ("ban-concurrent-index-creation-in-transaction",)
    strong_migrations = ()
    atlas = ("PG103",)
    eugene = ()

    def check_action(self, stmt: Stmt, action: Action, ctx: FileContext) -> Iterator[Finding]:
        if not ctx.in_transaction:
            return
        what = _refuses_transaction(action, ctx)
        if what is None:
            return
        yield self.found(
            stmt,
            f"{what} inside the migration's transaction",
            why=f"{_REFUSAL[type(ctx.dialect)]}: the migration fails at run time and everything "
            "before it is rolled back",
            fix="put it in its own migration marked '-- dbshift:no-transaction' (dbshift "
            "journals each statement there, so a failed run resumes where it stopped)",
        )


def _refuses_transaction(action: Action, ctx: FileContext) -> str | None:
    """How to name the statement, if the server refuses to run it in a transaction."""
    if ctx.dialect.locks_whole_database:  # SQLite: of these, only VACUUM refuses one
        return "VACUUM" if action.act is Act.VACUUM else None
    act = action.act
    if act is Act.CREATE_INDEX and action.concurrently:
        return f"CREATE INDEX CONCURRENTLY {q(action.name)} on {q(action.table)}"
    if act is Act.DROP_INDEX and action.concurrently:
        return f"DROP INDEX CONCURRENTLY {q(action.name)}"
    if act is Act.REINDEX:
        kind = (action.value or "table").upper()
        if action.concurrently:
            return f"REINDEX {kind} CONCURRENTLY {q(action.table or action.name)}"
        if kind in {"SCHEMA", "DATABASE", "SYSTEM"}:
            return f"REINDEX {kind}" + (f" {q(action.name)}" if action.name else "")
        return None
    if act is Act.DETACH_PARTITION and action.concurrently:
        return f"ALTER TABLE {q(action.table)} DETACH PARTITION {q(action.name)} CONCURRENTLY"
    if act is Act.VACUUM:
        return f"VACUUM {q(action.table)}" if action.table else "VACUUM"
    if act is Act.CLUSTER and action.table is None:
        return "CLUSTER (every previously clustered table)"
    if act is Act.DROP_DATABASE:
        return f"DROP DATABASE {q(action.name)}"
    if act is Act.ADD_ENUM_VALUE and not ctx.server.at_least(12):
        return f"ALTER TYPE {q(action.name)} ADD VALUE (before PostgreSQL 12)"
    if act is Act.OTHER_DDL and action.value in _PG_OTHER:
        named = f" {q(action.name)}" if action.name else ""
        return f"{action.value.upper()}{named}"
    return None
