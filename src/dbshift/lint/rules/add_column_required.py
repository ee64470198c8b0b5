"""Adding a NOT NULL column without a default to a table that already has rows and
traffic: existing rows have no value for it, and INSERTs from the application version
still running do not name it."""

from __future__ import annotations

from collections.abc import Iterator

from dbshift.dialects.mysql import MySQLDialect
from dbshift.dialects.postgres import PostgresDialect
from dbshift.dialects.sqlite import SQLiteDialect
from dbshift.lint.facts import Act, Action, ColumnFact, Stmt
from dbshift.lint.rule import FileContext, Finding, Product, Rule, Severity, q


class AddColumnRequired(Rule):
    id = "add-column-required"
    severity = Severity.ERROR
    dialects = (PostgresDialect, MySQLDialect, SQLiteDialect)
    acts = frozenset({Act.ADD_COLUMN})
    summary = "ADD COLUMN NOT NULL without a default: fails on rows, breaks old INSERTs"
    squawk = ("adding-required-field",)
    strong_migrations = ()
    atlas = ("MF103",)

    def check_action(self, stmt: Stmt, action: Action, ctx: FileContext) -> Iterator[Finding]:
        column = action.column
        if column is None or ctx.is_new(action.table) or _creates(stmt, action.table):
            return
        if not _required(column):
            return
        yield self.found(
            stmt,
            f"column {q(column.name)} added to {q(action.table)} as NOT NULL without a default",
            why=_why(ctx),
            fix="add it with a DEFAULT (a constant default is instant on PostgreSQL 11+, "
            "MySQL 8.0 and MariaDB 10.3+), or add it nullable, backfill it, and set NOT NULL "
            "once the deployed code writes it",
        )


def _creates(stmt: Stmt, table: str | None) -> bool:
    """The column is part of a CREATE TABLE in this very statement."""
    return any(a.act is Act.CREATE_TABLE and a.table == table for a in stmt.actions)


def _required(column: ColumnFact) -> bool:
    """NOT NULL with nothing to fill it: identity, serial, AUTO_INCREMENT and generated
    columns get values from the server."""
    if not column.not_null or column.identity or column.auto_increment:
        return False
    if column.generated_stored:
        return False
    return column.default is None or column.default.strip().upper() == "NULL"


def _why(ctx: FileContext) -> str:
    old = "INSERTs from the previous application version do not name the column and fail"
    if ctx.server.product is Product.POSTGRESQL:
        return (
            "PostgreSQL refuses it with 'column contains null values' as soon as the table "
            f"has a row; and {old}"
        )
    if ctx.server.product is Product.SQLITE:
        # SQLite 3.40: 'Cannot add a NOT NULL column with default value NULL' when the
        # table has any row (an empty table accepts it).
        return f"SQLite refuses it ('Cannot add a NOT NULL column with default value NULL') as soon as the table has a row; and {old}"
    # MariaDB 10.11 fills existing rows with the type's implicit default (0, '') and, in
    # strict mode, refuses INSERTs that omit the column (error 1364).
    return (
        f"{ctx.server} silently fills existing rows with the type's implicit default "
        f"(0, '', a zero date), and in strict mode {old} (error 1364 'Field doesn't have a "
        "default value')"
    )
