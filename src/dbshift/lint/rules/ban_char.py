"""PostgreSQL's char(n) (bpchar) blank-pads to n characters and compares ignoring the padding,
which surprises code that reads the values back; it saves nothing over text."""

from __future__ import annotations

from dbshift.lint.facts import ColumnFact
from dbshift.lint.rules._type_advice import TypeAdvice


class BanChar(TypeAdvice):
    id = "ban-char"
    summary = "char(n) column: prefer text or varchar"
    squawk = ("ban-char-field",)
    types = frozenset({"bpchar"})
    hazard = "char(n) pads values with spaces to n characters, ignores trailing spaces in comparisons, and is no faster than text in PostgreSQL: a source of subtle equality bugs"
    advice = "use text (with a CHECK on the length if it matters)"

    def spelled(self, column: ColumnFact) -> str:
        return f"char({column.type_args[0] if column.type_args else 1})"
