"""A timestamp without time zone is a wall-clock reading with no zone; timestamptz stores an
instant, so values from servers and sessions in different zones compare correctly."""

from __future__ import annotations

from dbshift.lint.rules._type_advice import TypeAdvice


class PreferTimestamptz(TypeAdvice):
    id = "prefer-timestamptz"
    summary = "timestamp without time zone: prefer timestamptz"
    squawk = ("prefer-timestamp-tz",)
    types = frozenset({"timestamp"})
    hazard = "timestamp without time zone stores wall-clock time with no zone: values written by sessions in different TimeZone settings cannot be compared, and DST changes make times ambiguous"
    advice = (
        "use timestamptz (timestamp with time zone): it stores an instant and converts on output"
    )
