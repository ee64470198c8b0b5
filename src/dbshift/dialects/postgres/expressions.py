"""PostgreSQL expressions as the server prints them, made to survive a round trip.

``pg_get_expr`` does not always print a fixed point. ``col IN ('a', 'b')`` on a varchar
column is stored as an array coerced as a whole, printed
``(col)::text = ANY ((ARRAY['a'::character varying, 'b'::character varying])::text[])``;
that text, run again, is stored with the cast pushed into each element and printed
``ARRAY[('a'::character varying)::text, ('b'::character varying)::text]`` (so does a
pg_dump restored). Both mean the same. So:

- :func:`canonical` reads either spelling as the first one (what ``IN`` makes, as
  ``metadata.create_all()`` and Alembic do), so the two compare equal;
- :func:`as_stored` writes the first one so that the server stores exactly it again: an
  explicit cast of the array to its own type first (``(ARRAY[...])::character
  varying[]``) keeps the outer cast from being pushed into the elements.
"""

from __future__ import annotations

import re

_TYPE = r"[a-z_][a-z0-9_]*(?: [a-z_][a-z0-9_]*)*(?:\(\d+(?:,\d+)?\))?"
_LITERAL = rf"'(?:[^']|'')*'::({_TYPE})"
_BARE = rf"'(?:[^']|'')*'::{_TYPE}"
# ARRAY['a'::T, 'b'::T])::U[]   (as IN stores it)
_WHOLE = re.compile(rf"\(ARRAY\[({_BARE}(?:, {_BARE})*)\]\)::({_TYPE})\[\]")
# ARRAY[('a'::T)::U, ('b'::T)::U]   (as that text, run again, stores it)
_EACH_ELEMENT = rf"\(({_BARE})\)::({_TYPE})"
_EACH = re.compile(rf"ARRAY\[({_EACH_ELEMENT}(?:, {_EACH_ELEMENT})*)\]")
_ELEMENT = re.compile(_LITERAL)
_CAST_ELEMENT = re.compile(_EACH_ELEMENT)


def _pull_cast(match: re.Match[str]) -> str:
    elements = _CAST_ELEMENT.findall(match.group(1))
    targets = {target for _, target in elements}
    if len(targets) != 1:
        return match.group(0)
    return f"(ARRAY[{', '.join(e for e, _ in elements)}])::{targets.pop()}[]"


def canonical(text: str) -> str:
    """``text`` (as ``pg_get_expr`` printed it) with element-wise casts of a literal
    array read as the cast of the whole array."""
    if "ARRAY[(" not in text:
        return text
    return _EACH.sub(_pull_cast, text)


def _own_type_first(match: re.Match[str]) -> str:
    types = {m.group(1) for m in _ELEMENT.finditer(match.group(1))}
    if len(types) != 1:
        return match.group(0)
    return f"((ARRAY[{match.group(1)}])::{types.pop()}[])::{match.group(2)}[]"


def as_stored(text: str) -> str:
    """``text`` as SQL that the server stores (and prints) as ``text`` again."""
    if "ARRAY[" not in text:
        return text
    return _WHOLE.sub(_own_type_first, text)
