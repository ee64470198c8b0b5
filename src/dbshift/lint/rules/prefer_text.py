"""varchar(n) costs the same as text in PostgreSQL and only adds a limit that takes an ACCESS
EXCLUSIVE lock to change; a CHECK constraint expresses the limit and can be changed without
blocking."""

from __future__ import annotations

from dbshift.lint.facts import ColumnFact
from dbshift.lint.rules._type_advice import TypeAdvice


class PreferText(TypeAdvice):
    id = "prefer-text"
    summary = "varchar(n) column: prefer text with a CHECK"
    squawk = ("prefer-text-field",)
    types = frozenset({"varchar"})
    hazard = "in PostgreSQL varchar(n) is stored exactly like text; the length limit is the only difference, and raising it later is an ALTER COLUMN TYPE (catalog-only, but under an ACCESS EXCLUSIVE lock), lowering it a full rewrite"
    advice = "use text, with CHECK (char_length(c) <= n) if the limit matters: a CHECK can be replaced with NOT VALID + VALIDATE without blocking"

    def applies(self, column: ColumnFact) -> bool:
        return column.type in self.types and bool(column.type_args)

    def spelled(self, column: ColumnFact) -> str:
        return f"varchar({column.type_args[0]})"
