"""A timestamp without time zone is a wall-clock reading with no zone; timestamptz stores an
instant, so values from servers and sessions in different zones compare correctly."""

from __future__ import annotations

from collections.abc import Iterator

from dbshift.lint.facts import Act, Action, Stmt
from dbshift.lint.rule import FileContext, Finding, Rule, Severity, q

_TYPES = frozenset({"timestamp"})


class PreferTimestamptz(Rule):
    id = "prefer-timestamptz"
    severity = Severity.NOTICE
    dialects = frozenset({"postgresql"})
    acts = frozenset({Act.ADD_COLUMN, Act.ALTER_TYPE})
    summary = "timestamp without time zone: prefer timestamptz"
    squawk = ("prefer-timestamp-tz",)

    def check_action(self, stmt: Stmt, action: Action, ctx: FileContext) -> Iterator[Finding]:
        column = action.column
        if column is None or column.type not in _TYPES:
            return
        yield self.found(
            stmt,
            f"column {q(column.name)} of {q(action.table)} is {column.type}",
            why="timestamp without time zone stores wall-clock time with no zone: values written by sessions in different TimeZone settings cannot be compared, and DST changes make times ambiguous",
            fix="use timestamptz (timestamp with time zone): it stores an instant and converts on output",
        )
