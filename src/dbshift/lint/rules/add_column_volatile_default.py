"""A column added to a live PostgreSQL table in a way that rewrites every row.

Since PostgreSQL 11, ADD COLUMN with a constant or STABLE default (now(),
current_timestamp) only records the default in the catalog. A volatile default
(random(), clock_timestamp(), gen_random_uuid(), nextval() and so serial and identity
columns) must be computed per row, and a GENERATED ... STORED column is computed and
written for every row: the table is rewritten under ACCESS EXCLUSIVE, no reads or writes
until it is done. Before PostgreSQL 11 any default rewrites the table.
"""

from __future__ import annotations

from collections.abc import Iterator

from dbshift.dialects.postgres import PostgresDialect
from dbshift.lint.facts import Act, Action, Stmt
from dbshift.lint.rule import FileContext, Finding, Rule, Severity, q


class AddColumnVolatileDefault(Rule):
    id = "add-column-volatile-default"
    severity = Severity.ERROR
    dialects = (PostgresDialect,)
    acts = frozenset({Act.ADD_COLUMN})
    summary = "ADD COLUMN whose default or generated value rewrites the whole table"
    squawk = ("adding-field-with-default",)
    strong_migrations = ("add_column_default", "add_column_generated_stored")
    atlas = ()
    eugene = ()

    def check_action(self, stmt: Stmt, action: Action, ctx: FileContext) -> Iterator[Finding]:
        column = action.column
        if column is None or ctx.is_new(action.table):
            return
        if any(a.act is Act.CREATE_TABLE and a.table == action.table for a in stmt.actions):
            return
        reason = _rewrite_reason(action, ctx)
        if reason is None:
            return
        yield self.found(
            stmt,
            f"ADD COLUMN {q(column.name)} on {q(action.table)} {reason}",
            why=f"{ctx.server} rewrites every row of {q(action.table)} to fill the column, "
            "holding ACCESS EXCLUSIVE: no reads or writes until the rewrite ends",
            fix=f"add {column.name} without the default (nullable), SET DEFAULT for new rows, "
            "backfill existing rows in batches (the online engine does this), then add "
            "constraints",
        )


def _rewrite_reason(action: Action, ctx: FileContext) -> str | None:
    column = action.column
    assert column is not None
    if column.generated_stored:
        return "GENERATED ... STORED (computed and written for every row)"
    if column.identity:
        return "GENERATED AS IDENTITY (a sequence value written into every row)"
    if column.volatile_default:
        return f"with volatile default {column.default} (evaluated per row)"
    if column.default is not None and not ctx.server.at_least(11):
        return f"with default {column.default} (before PostgreSQL 11 any default rewrites)"
    return None
