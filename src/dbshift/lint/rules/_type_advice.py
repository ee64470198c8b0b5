"""The shape every PostgreSQL type-advice rule shares: a column is added or retyped to a
type with a better alternative. Subclasses declare the types, the danger and the advice."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from dbshift.dialects.postgres import PostgresDialect
from dbshift.lint.facts import Act, Action, ColumnFact, Stmt
from dbshift.lint.rule import FileContext, Finding, Rule, Severity, q


class TypeAdvice(Rule):
    severity = Severity.NOTICE
    dialects = (PostgresDialect,)
    acts = frozenset({Act.ADD_COLUMN, Act.ALTER_TYPE})
    #: Type names as the parser gives them (int4, bpchar, ...).
    types: ClassVar[frozenset[str]]
    hazard: ClassVar[str]
    advice: ClassVar[str]

    def applies(self, column: ColumnFact) -> bool:
        return column.type in self.types

    def spelled(self, column: ColumnFact) -> str:
        """The type as a person would write it in the message."""
        return column.type or "?"

    def check_action(self, stmt: Stmt, action: Action, ctx: FileContext) -> Iterator[Finding]:
        column = action.column
        if column is None or not self.applies(column):
            return
        yield self.found(
            stmt,
            f"column {q(column.name)} of {q(action.table)} is {self.spelled(column)}",
            why=self.hazard,
            fix=self.advice,
        )
