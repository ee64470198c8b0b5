"""Findings the linter would report on a statement dbshift generated, which the schema
before it disproves: lint reads one statement at a time and cannot see what a column
was, while ``generate`` knows. A widened varchar is reported because lint cannot tell it
from a rewriting type change; a MySQL ``MODIFY`` restates the column's nullability, so
lint cannot tell it kept a column nullable from made it so.

Each waiver names its rule and the fact that disproves it, and ``generate`` writes it as
``-- dbshift:ignore RULE reason`` only above a statement the linter does report (so it is
never noise, and a rule that learns to see the difference makes it disappear).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dbshift.ops import AlterColumn

if TYPE_CHECKING:
    from dbshift.dialects import Dialect
    from dbshift.ops import Operation


def waivers(op: Operation, dialect: Dialect) -> dict[str, str]:
    """Rule id → why its finding on ``op``'s statements is wrong, from ``dialect``'s facts."""
    if not isinstance(op, AlterColumn):
        return {}
    out: dict[str, str] = {}
    if "type" in op.changes and not dialect.safety(op).rewrite:
        out["column-type-change"] = (
            f"{op.before.type} to {op.after.type} keeps the rows as they are (no rewrite)"
        )
    if op.before.nullable and op.after.nullable:
        out["drop-not-null"] = "the column was nullable already; the statement restates it"
    return out
