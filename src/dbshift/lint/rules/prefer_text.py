"""varchar(n) costs the same as text in PostgreSQL and only adds a limit that takes an ACCESS
EXCLUSIVE lock to change; a CHECK constraint expresses the limit and can be changed without
blocking."""

from __future__ import annotations

from collections.abc import Iterator

from dbshift.lint.facts import Act, Action, Stmt
from dbshift.lint.rule import FileContext, Finding, Rule, Severity, q

_TYPES = frozenset({"varchar"})


class PreferText(Rule):
    id = "prefer-text"
    severity = Severity.NOTICE
    dialects = frozenset({"postgresql"})
    acts = frozenset({Act.ADD_COLUMN, Act.ALTER_TYPE})
    summary = "varchar(n) column: prefer text with a CHECK"
    squawk = ("prefer-text-field",)

    def check_action(self, stmt: Stmt, action: Action, ctx: FileContext) -> Iterator[Finding]:
        column = action.column
        if column is None or column.type not in _TYPES or not column.type_args:
            return
        yield self.found(
            stmt,
            f"column {q(column.name)} of {q(action.table)} is varchar({column.type_args[0]})",
            why="in PostgreSQL varchar(n) is stored exactly like text; the length limit is the only difference, and raising it later is an ALTER COLUMN TYPE (catalog-only, but under an ACCESS EXCLUSIVE lock), lowering it a full rewrite",
            fix="use text, with CHECK (char_length(c) <= n) if the limit matters: a CHECK can be replaced with NOT VALID + VALIDATE without blocking",
        )
