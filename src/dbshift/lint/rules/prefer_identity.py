"""serial is an integer column with a default from a sequence the column merely owns; identity
columns (PostgreSQL 10+) tie the sequence to the column, refuse stray explicit values with
GENERATED ALWAYS, and survive CREATE TABLE LIKE and per-table grants."""

from __future__ import annotations

from collections.abc import Iterator

from dbshift.lint.facts import Act, Action, Stmt
from dbshift.lint.rule import FileContext, Finding, Rule, Severity, q

_TYPES = frozenset({"serial", "serial2", "serial4", "serial8", "smallserial", "bigserial"})


class PreferIdentity(Rule):
    id = "prefer-identity"
    severity = Severity.NOTICE
    dialects = frozenset({"postgresql"})
    acts = frozenset({Act.ADD_COLUMN, Act.ALTER_TYPE})
    summary = "serial column: prefer GENERATED ... AS IDENTITY"
    squawk = ("prefer-identity",)

    def check_action(self, stmt: Stmt, action: Action, ctx: FileContext) -> Iterator[Finding]:
        column = action.column
        if column is None or column.type not in _TYPES:
            return
        yield self.found(
            stmt,
            f"column {q(column.name)} of {q(action.table)} is {column.type}",
            why="serial creates a separately owned sequence: its permissions, ownership and value are not part of the column, so grants, copies (CREATE TABLE ... LIKE) and dumps of one table go wrong, and explicit inserts silently get ahead of the sequence",
            fix="use bigint GENERATED ALWAYS AS IDENTITY (or BY DEFAULT), standard SQL since PostgreSQL 10",
        )
