"""int4 and int2 columns overflow (2,147,483,647 and 32,767), and the way out, ALTER COLUMN
TYPE bigint, rewrites the whole table under an ACCESS EXCLUSIVE lock; bigint from the start
costs a few bytes per row."""

from __future__ import annotations

from collections.abc import Iterator

from dbshift.lint.facts import Act, Action, Stmt
from dbshift.lint.rule import FileContext, Finding, Rule, Severity, q

_TYPES = frozenset({"int2", "int4", "serial", "serial2", "serial4", "smallserial"})

#: The parser's internal names, as written in SQL.
_SQL_NAMES = {"int2": "smallint", "int4": "integer"}


class PreferBigint(Rule):
    id = "prefer-bigint"
    severity = Severity.NOTICE
    dialects = frozenset({"postgresql"})
    acts = frozenset({Act.ADD_COLUMN, Act.ALTER_TYPE})
    summary = "int2/int4 column: prefer bigint"
    squawk = ("prefer-bigint-over-int", "prefer-bigint-over-smallint", "prefer-big-int")

    def check_action(self, stmt: Stmt, action: Action, ctx: FileContext) -> Iterator[Finding]:
        column = action.column
        if column is None or column.type not in _TYPES:
            return
        yield self.found(
            stmt,
            f"column {q(column.name)} of {q(action.table)} is {_SQL_NAMES.get(column.type, column.type)}",
            why="int4 ends at 2,147,483,647 and int2 at 32,767; an id or counter that reaches the limit fails every insert, and widening to bigint later rewrites the whole table under an ACCESS EXCLUSIVE lock",
            fix="use bigint (bigserial / bigint GENERATED ... AS IDENTITY): 4 more bytes per row, no rewrite later",
        )
