"""How the online engines read ``ops.*`` operations: the facts every engine shares.

An operation is plain data (``ops/``); what it means for an expand/contract change is
here, once: the table it is on, the hidden column it adds and its name, how it reshapes
the table for the new version, the up/down assignments the backfill and the triggers run,
and the value pairs complete verifies. Each engine (``postgres_ops.py``, ``mysql/plan.py``,
``sqlite.py``) turns these into its server's SQL, dispatching on the ``ops`` class.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from dbshift import ops


def column_change(op: ops.Operation) -> ops.AlterColumn | None:
    """The column change an ``alter_column`` or ``add_check`` makes (add_check puts its
    check on a hidden copy of the column, which is an alter_column's mechanism)."""
    if isinstance(op, ops.AlterColumn):
        return op
    if isinstance(op, ops.AddCheck):
        return op.through
    return None


def settle(op: ops.AlterColumn, found: dict[str, Any]) -> ops.AlterColumn:
    """``op`` with the attributes its file leaves out taken from ``found`` (the column as
    it was at start: ``default``, ``not_null``, and ``data_type`` when known)."""
    unchanged = set(op.unchanged or ())
    after = op.after
    if "default" in unchanged:
        after = replace(after, default=found["default"])
        unchanged.discard("default")
    if "nullable" in unchanged:
        after = replace(after, nullable=not found["not_null"])
        unchanged.discard("nullable")
    if "type" in unchanged and found.get("data_type"):
        after = replace(after, type=found["data_type"])
        unchanged.discard("type")
    return replace(op, after=after, unchanged=frozenset(unchanged))


def settled(op: ops.Operation, found: dict[str, Any]) -> ops.Operation:
    """``settle`` for an alter_column or the column of an add_check; others as they are."""
    if isinstance(op, ops.AlterColumn):
        return settle(op, found)
    if isinstance(op, ops.AddCheck) and op.through is not None:
        return replace(op, through=settle(op.through, found))
    return op
