"""PostgreSQL expressions as the server prints them, made to survive a round trip.

``pg_get_expr`` does not always print a fixed point: ``col IN ('a', 'b')`` on a varchar
column prints as ``(col)::text = ANY ((ARRAY['a'::character varying, 'b'::character
varying])::text[])``, and that text, run again, is stored with the cast pushed into each
element: ``ARRAY[('a'::character varying)::text, ('b'::character varying)::text]``. A
check written from the first spelling would then differ from its own source on every
diff. Both spellings mean the same, so the catalog's text is brought to the second one
(the fixed point) as it is read.
"""

from __future__ import annotations

import re

_TYPE = r"[a-z_][a-z0-9_]*(?: [a-z_][a-z0-9_]*)*(?:\(\d+(?:,\d+)?\))?"
_LITERAL = rf"'(?:[^']|'')*'::{_TYPE}"
_CAST_ARRAY = re.compile(rf"\(ARRAY\[({_LITERAL}(?:, {_LITERAL})*)\]\)::({_TYPE})\[\]")
_ELEMENT = re.compile(_LITERAL)


def _push_cast(match: re.Match[str]) -> str:
    target = match.group(2)
    elements = _ELEMENT.findall(match.group(1))
    return "ARRAY[" + ", ".join(f"({e})::{target}" for e in elements) + "]"


def stable_expression(text: str) -> str:
    """``text`` (as ``pg_get_expr`` printed it) in the spelling that reads back the same."""
    if "ARRAY[" not in text:
        return text
    return _CAST_ARRAY.sub(_push_cast, text)
