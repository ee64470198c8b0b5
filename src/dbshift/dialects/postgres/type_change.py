"""Which column type changes PostgreSQL makes without rewriting the table: the one place
these facts live (the PostgreSQL safety table, hence generate, diff, plan output and lint,
and the renderer).

Types are spelled as the catalogs print them (``format_type()`` on PostgreSQL,
``COLUMN_TYPE`` on MySQL/MariaDB), as everywhere in the model.

PostgreSQL (``ATColumnChangeRequiresRewrite``, since 9.2): no rewrite when the cast from
the old type to the new one is binary-coercible (``pg_cast.castmethod = 'b'``: varchar and
text, cidr to inet, xml to text) and any length coercion after it is a no-op by the type's
support function: ``varchar_support``/``varbit_support`` (a larger or no length),
``numeric_support`` (a larger or no precision with the same scale),
``timestamp_support``/``time_support`` (a larger precision, 6 or none). Each case is
proved by ``relfilenode`` in tests/dialects/test_type_change.py; anything else is a rewrite
(timestamp to timestamptz is catalog-only only when the session's TimeZone is UTC, which
a migration cannot promise, so it counts as a rewrite).
"""

from __future__ import annotations

import re

from dbshift.frozen import frozen

#: Binary-coercible assignment casts between the types a column can have (pg_cast,
#: castmethod 'b', PostgreSQL 15), by format_type()'s base name.
_PG_BINARY = frozenset(
    {
        ("character varying", "text"),
        ("text", "character varying"),
        ("cidr", "inet"),
        ("xml", "text"),
        ("xml", "character varying"),
        ("bit", "bit varying"),
    }
)
#: Types whose typmod is a maximum length or precision that can only grow in place.
_PG_LENGTH = frozenset({"character varying", "bit varying"})
#: Datetime types: a larger precision (or 6, the maximum, or none) is a no-op coercion.
_PG_PRECISION = {
    "timestamp without time zone",
    "timestamp with time zone",
    "time without time zone",
    "time with time zone",
}
_PG_MAX_PRECISION = 6
_PG_TYPE = re.compile(
    r"(?P<base>[a-z ]+?)(?:\((?P<args>[\d, ]+)\))?(?P<rest> with(?:out)? time zone)?"
)


@frozen
class _PgType:
    base: str
    args: tuple[int, ...]


def _pg_parse(spelled: str) -> _PgType | None:
    match = _PG_TYPE.fullmatch(spelled.strip())
    if match is None:
        return None
    base = match.group("base").strip() + (match.group("rest") or "")
    args = tuple(int(a) for a in (match.group("args") or "").replace(" ", "").split(",") if a)
    return _PgType(base, args)


def pg_rewrites(before: str, after: str) -> bool:
    """Whether PostgreSQL rewrites the table for ``ALTER COLUMN … TYPE after`` (no USING)."""
    if before == after:
        return False
    old, new = _pg_parse(before), _pg_parse(after)
    if old is None or new is None:
        return True
    if old.base != new.base and (old.base, new.base) not in _PG_BINARY:
        return True
    if not new.args:  # no length coercion after the (binary-coercible) cast
        return False
    if new.base in _PG_LENGTH:
        # bit(n) to bit varying(m): the old length carries over through the relabel.
        return not old.args or old.args[0] > new.args[0]
    if new.base == "numeric":
        if not old.args:
            return True
        old_scale = old.args[1] if len(old.args) > 1 else 0
        new_scale = new.args[1] if len(new.args) > 1 else 0
        return old_scale != new_scale or old.args[0] > new.args[0]
    if new.base in _PG_PRECISION:
        if new.args[0] >= _PG_MAX_PRECISION:
            return False
        return not old.args or old.args[0] > new.args[0]
    return True
