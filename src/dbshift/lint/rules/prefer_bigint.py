"""int4 and int2 columns overflow (2,147,483,647 and 32,767), and the way out, ALTER COLUMN
TYPE bigint, rewrites the whole table under an ACCESS EXCLUSIVE lock; bigint from the start
costs a few bytes per row."""

from __future__ import annotations

from dbshift.lint.facts import ColumnFact
from dbshift.lint.rules._type_advice import TypeAdvice


class PreferBigint(TypeAdvice):
    id = "prefer-bigint"
    summary = "int2/int4 column: prefer bigint"
    squawk = ("prefer-bigint-over-int", "prefer-bigint-over-smallint", "prefer-big-int")
    types = frozenset({"int2", "int4", "serial", "serial2", "serial4", "smallserial"})
    hazard = "int4 ends at 2,147,483,647 and int2 at 32,767; an id or counter that reaches the limit fails every insert, and widening to bigint later rewrites the whole table under an ACCESS EXCLUSIVE lock"
    advice = "use bigint (bigserial / bigint GENERATED ... AS IDENTITY): 4 more bytes per row, no rewrite later"

    def spelled(self, column: ColumnFact) -> str:
        return {"int2": "smallint", "int4": "integer"}.get(column.type or "", column.type or "?")
