"""serial is an integer column with a default from a sequence the column merely owns; identity
columns (PostgreSQL 10+) tie the sequence to the column, refuse stray explicit values with
GENERATED ALWAYS, and survive CREATE TABLE LIKE and per-table grants."""

from __future__ import annotations

from dbshift.lint.rules._type_advice import TypeAdvice


class PreferIdentity(TypeAdvice):
    id = "prefer-identity"
    summary = "serial column: prefer GENERATED ... AS IDENTITY"
    squawk = ("prefer-identity",)
    types = frozenset({"serial", "serial2", "serial4", "serial8", "smallserial", "bigserial"})
    hazard = "serial creates a separately owned sequence: its permissions, ownership and value are not part of the column, so grants, copies (CREATE TABLE ... LIKE) and dumps of one table go wrong, and explicit inserts silently get ahead of the sequence"
    advice = (
        "use bigint GENERATED ALWAYS AS IDENTITY (or BY DEFAULT), standard SQL since PostgreSQL 10"
    )
