"""PostgreSQL's json type stores the text and re-parses it on every access, and has no equality
operator, which breaks DISTINCT, GROUP BY and UNION on queries that select it; jsonb is the
type meant for data."""

from __future__ import annotations

from dbshift.lint.rules._type_advice import TypeAdvice


class PreferJsonb(TypeAdvice):
    id = "prefer-jsonb"
    summary = "json column: prefer jsonb"
    strong_migrations = ("add_json_column",)
    types = frozenset({"json"})
    hazard = "json keeps the text as written and re-parses it on every access; it has no equality operator, so DISTINCT, GROUP BY and UNION on the column fail, and it cannot be indexed with GIN"
    advice = "use jsonb (unless the exact text, key order and duplicate keys must be kept)"
