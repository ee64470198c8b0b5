"""Changing a column's type on a live table: most changes rewrite or copy the whole table
while writes wait, and a narrower type makes the previous application version's writes
fail.

Lint sees the new type only, not the current one, so the policy is:

PostgreSQL (ALTER COLUMN TYPE takes ACCESS EXCLUSIVE; measured on PostgreSQL 15 by
comparing the table's relfilenode before and after): catalog-only, no rewrite, for
varchar(n) to a larger n, to unbounded varchar or to text; text to unbounded varchar;
numeric(p, s) to a larger p with the same s; cidr to inet; timestamp to timestamptz only
when the session's TimeZone is UTC. Everything else rewrites: int to bigint, int to text,
char(n) to text, text to varchar(n), numeric to another scale, timestamp to timestamptz in
any other time zone, and any USING expression. The rule stays quiet for a change to text
or unbounded varchar without USING (from a string type the usual widening, catalog-only;
from int or char(n) it rewrites, a miss accepted because such changes are rare and
reported by nothing short of the catalog); reports a warning for a new type that can be
catalog-only from the right old type (varchar(n), numeric(p, s), inet, timestamptz,
saying which old type makes it safe); and an error for everything else.

MySQL/MariaDB (MODIFY/CHANGE restate the column; lint cannot tell whether the type
differs): a changed type is ALGORITHM=COPY, writes blocked for the whole copy (MariaDB
10.11: "Cannot change column type. Try ALGORITHM=COPY" for int to bigint and for
narrowing varchar). Widening a VARCHAR can be done in place (MySQL 8.0: within the same
length-byte class, 255 bytes; MariaDB 10.11 did varchar(10) to varchar(100) in utf8mb4
with ALGORITHM=INSTANT), so a varchar target is a warning, any other type an error. With
an explicit ALGORITHM=INSTANT or INPLACE (and no blocking LOCK) the server refuses rather
than copies, so the rule is quiet.

SQLite has no ALTER COLUMN: a type change is a table rebuild, sqlite-table-rebuild's.
"""

from __future__ import annotations

from collections.abc import Iterator

from dbshift.dialects.mysql import MySQLDialect
from dbshift.dialects.postgres import PostgresDialect
from dbshift.lint.facts import Act, Action, ColumnFact, Stmt
from dbshift.lint.rule import FileContext, Finding, Rule, Severity, q

_UNBOUNDED = frozenset({"text", "varchar"})


class ColumnTypeChange(Rule):
    id = "column-type-change"
    severity = Severity.ERROR
    dialects = (PostgresDialect, MySQLDialect)
    acts = frozenset({Act.ALTER_TYPE})
    summary = "ALTER COLUMN TYPE / MODIFY that rewrites or copies the table"
    squawk = ("changing-column-type",)
    strong_migrations = ("change_column",)

    def check_action(self, stmt: Stmt, action: Action, ctx: FileContext) -> Iterator[Finding]:
        column = action.column
        if column is None or ctx.is_new(action.table):
            return
        where = f"column {q(action.name)} of {q(action.table)}"
        new = _shown(column)
        if ctx.dialect.restates_column_to_alter:
            # MODIFY/CHANGE: lint cannot tell whether the type differs at all.
            yield from self._mysql(stmt, column, where, new, ctx)
        else:
            yield from self._postgresql(stmt, action, column, where, new)

    def _postgresql(
        self, stmt: Stmt, action: Action, column: ColumnFact, where: str, new: str
    ) -> Iterator[Finding]:
        kind = column.type or ""
        fix = (
            "expand/contract with the dbshift online engine: a new column, dual writes, a "
            "batched backfill, then the swap"
        )
        if action.value is None:
            if kind in _UNBOUNDED and not column.type_args:
                return
            safe_from = _pg_safe_from(column)
            if safe_from is not None:
                yield self._finding(
                    stmt,
                    Severity.WARNING,
                    f"{where} changed to {new}",
                    why=f"catalog-only only from {safe_from}; from any other type PostgreSQL "
                    "rewrites the table under an ACCESS EXCLUSIVE lock (reads and writes "
                    "wait), and a narrower type makes the previous application version's "
                    "writes fail",
                    fix=f"make sure the current type is {safe_from}; otherwise {fix}",
                )
                return
        using = f" USING {action.value}" if action.value is not None else ""
        yield self._finding(
            stmt,
            Severity.ERROR,
            f"{where} changed to {new}{using}",
            why="PostgreSQL rewrites the whole table and its indexes under an ACCESS "
            "EXCLUSIVE lock: reads and writes wait for the whole rewrite; and values the "
            "previous application version writes may no longer fit",
            fix=fix,
        )

    def _mysql(
        self, stmt: Stmt, column: ColumnFact, where: str, new: str, ctx: FileContext
    ) -> Iterator[Finding]:
        if stmt.algorithm in {"instant", "inplace"} and stmt.lock not in {"shared", "exclusive"}:
            # The server refuses the statement rather than falling back to a copy.
            return
        fix = (
            "if the type is unchanged, say so with ', ALGORITHM=INPLACE, LOCK=NONE' (the "
            "server then refuses instead of copying); to change it, use the dbshift online "
            "engine (shadow table, triggers, chunked copy, rename)"
        )
        if column.type in {"varchar", "varbinary"}:
            yield self._finding(
                stmt,
                Severity.WARNING,
                f"{where} restated as {new}",
                why="widening a VARCHAR is done in place only within the same length-byte "
                "class on MySQL 8.0 (both lengths under 256 bytes, or both 256 and over) and when "
                f"{ctx.server} can do it instantly; any other change (narrowing, another "
                "type, a charset) copies the table with ALGORITHM=COPY while writes wait, "
                "and a narrower column makes the previous application version's longer "
                "values fail",
                fix=fix,
            )
            return
        yield self._finding(
            stmt,
            Severity.ERROR,
            f"{where} restated as {new}",
            why=f"if the type differs from the current one, {ctx.server} copies the whole "
            "table (ALGORITHM=COPY) and writes wait for the whole copy; values the previous "
            "application version writes may no longer fit",
            fix=fix,
        )

    def _finding(
        self, stmt: Stmt, severity: Severity, message: str, *, why: str, fix: str
    ) -> Finding:
        return Finding(self.id, severity, stmt.path, stmt.line, message, why, fix)


#: PostgreSQL's internal type names (as pglast gives them), as written in SQL.
_SQL_NAMES = {
    "int2": "smallint",
    "int4": "integer",
    "int8": "bigint",
    "float4": "real",
    "float8": "double precision",
    "bpchar": "char",
    "bool": "boolean",
}


def _shown(column: ColumnFact) -> str:
    args = f"({', '.join(map(str, column.type_args))})" if column.type_args else ""
    kind = column.type or "?"
    return f"{_SQL_NAMES.get(kind, kind)}{args}"


def _pg_safe_from(column: ColumnFact) -> str | None:
    """The old type from which PostgreSQL makes this change without a rewrite."""
    kind, args = column.type, column.type_args
    if kind == "varchar" and args:
        return f"varchar(n) with n <= {args[0]}"
    if kind == "numeric" and args:
        scale = args[1] if len(args) > 1 else 0
        return f"numeric(p, {scale}) with p <= {args[0]}"
    if kind == "inet":
        return "cidr"
    if kind == "timestamptz":
        return "timestamp, and only while the session's TimeZone is UTC (PostgreSQL 12+)"
    return None
