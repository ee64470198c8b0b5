"""PostgreSQL's json type stores the text and re-parses it on every access, and has no equality
operator, which breaks DISTINCT, GROUP BY and UNION on queries that select it; jsonb is the
type meant for data."""

from __future__ import annotations

from collections.abc import Iterator

from dbshift.lint.facts import Act, Action, Stmt
from dbshift.lint.rule import FileContext, Finding, Rule, Severity, q

_TYPES = frozenset({"json"})


class PreferJsonb(Rule):
    id = "prefer-jsonb"
    severity = Severity.NOTICE
    dialects = frozenset({"postgresql"})
    acts = frozenset({Act.ADD_COLUMN, Act.ALTER_TYPE})
    summary = "json column: prefer jsonb"
    strong_migrations = ("add_json_column",)

    def check_action(self, stmt: Stmt, action: Action, ctx: FileContext) -> Iterator[Finding]:
        column = action.column
        if column is None or column.type not in _TYPES:
            return
        yield self.found(
            stmt,
            f"column {q(column.name)} of {q(action.table)} is {column.type}",
            why="json keeps the text as written and re-parses it on every access; it has no equality operator, so DISTINCT, GROUP BY and UNION on the column fail, and it cannot be indexed with GIN",
            fix="use jsonb (unless the exact text, key order and duplicate keys must be kept)",
        )
