"""UNIQUE and PRIMARY KEY constraints added to a live PostgreSQL table.

ALTER TABLE ... ADD UNIQUE / ADD PRIMARY KEY builds the constraint's index while holding
ACCESS EXCLUSIVE on the table: no reads or writes for the whole build (and a PRIMARY KEY
also checks every row for NULLs). Built first with CREATE UNIQUE INDEX CONCURRENTLY, the
index can be attached with ADD CONSTRAINT ... USING INDEX, which only takes the lock
briefly. A column added with PRIMARY KEY or UNIQUE builds the index the same blocking way.
"""

from __future__ import annotations

from collections.abc import Iterator

from dbshift.dialects.postgres import PostgresDialect
from dbshift.lint.facts import Act, Action, ConstraintKind, Stmt
from dbshift.lint.rule import FileContext, Finding, Rule, Severity, q

_NAMES = {ConstraintKind.PRIMARY_KEY: "PRIMARY KEY", ConstraintKind.UNIQUE: "UNIQUE"}


class UniqueConstraintBlocking(Rule):
    id = "unique-constraint-blocking"
    severity = Severity.ERROR
    dialects = (PostgresDialect,)
    acts = frozenset({Act.ADD_CONSTRAINT, Act.ADD_COLUMN})
    summary = "ADD UNIQUE / PRIMARY KEY builds its index under ACCESS EXCLUSIVE"
    # squawk 2.x ids; it also reports constraint-missing-not-valid here, although
    # PostgreSQL has no NOT VALID for UNIQUE or PRIMARY KEY.
    squawk = (
        "disallowed-unique-constraint",
        "adding-serial-primary-key-field",
        "constraint-missing-not-valid",
    )
    strong_migrations = ()
    atlas = ("PG104", "PG105")
    eugene = ("E7",)

    def check_action(self, stmt: Stmt, action: Action, ctx: FileContext) -> Iterator[Finding]:
        if ctx.is_new(action.table) or any(
            a.act is Act.CREATE_TABLE and a.table == action.table for a in stmt.actions
        ):
            return
        if action.act is Act.ADD_COLUMN:
            column = action.column
            if column is None or not (column.primary_key or column.unique):
                return
            kind = "PRIMARY KEY" if column.primary_key else "UNIQUE"
            what = f"ADD COLUMN {q(column.name)} {kind} on {q(action.table)}"
        else:
            kind_name = _NAMES.get(action.constraint) if action.constraint else None
            if kind_name is None or action.using_index:
                return
            kind = kind_name
            named = f" {q(action.name)}" if action.name else ""
            what = f"ADD CONSTRAINT{named} {kind} on {q(action.table)} without USING INDEX"
        yield self.found(
            stmt,
            what,
            why=f"builds the {kind} index while holding ACCESS EXCLUSIVE on {q(action.table)}: "
            "no reads or writes until the whole index is built",
            fix=f"CREATE UNIQUE INDEX CONCURRENTLY ... ON {action.table} (...) in a "
            "'-- dbshift:no-transaction' migration, then ALTER TABLE "
            f"{action.table} ADD CONSTRAINT ... {kind} USING INDEX ...",
        )
