"""PostgreSQL's char(n) (bpchar) blank-pads to n characters and compares ignoring the padding,
which surprises code that reads the values back; it saves nothing over text."""

from __future__ import annotations

from collections.abc import Iterator

from dbshift.lint.facts import Act, Action, Stmt
from dbshift.lint.rule import FileContext, Finding, Rule, Severity, q

_TYPES = frozenset({"bpchar"})


class BanChar(Rule):
    id = "ban-char"
    severity = Severity.NOTICE
    dialects = frozenset({"postgresql"})
    acts = frozenset({Act.ADD_COLUMN, Act.ALTER_TYPE})
    summary = "char(n) column: prefer text or varchar"
    squawk = ("ban-char-field",)

    def check_action(self, stmt: Stmt, action: Action, ctx: FileContext) -> Iterator[Finding]:
        column = action.column
        if column is None or column.type not in _TYPES:
            return
        yield self.found(
            stmt,
            f"column {q(column.name)} of {q(action.table)} is char({column.type_args[0] if column.type_args else 1})",
            why="char(n) pads values with spaces to n characters, ignores trailing spaces in comparisons, and is no faster than text in PostgreSQL: a source of subtle equality bugs",
            fix="use text (with a CHECK on the length if it matters)",
        )
