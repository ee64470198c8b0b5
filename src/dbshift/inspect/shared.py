"""Model objects built once per process, shared by every inspection in it.

The inspectors already build one ``Column`` (one ``IndexElement``) for all the rows with
the same facts within a schema. A diff inspects two schemas that are mostly the same
tables: with the objects shared across both, equal columns on the two sides are the same
object, and comparing two tables finds them equal by identity (tuple comparison checks
identity first) instead of calling ``__eq__`` field by field: a third of diffing 1,000
tables (12 ms), besides not building the second side's columns again. The objects are
frozen, and built from nothing but the facts that key them, so sharing changes no result.

A pool is emptied when it grows past ``LIMIT`` entries, so a long-lived process (the
online engine, a test session) that inspects many unrelated schemas does not keep all
their columns alive. Two threads may build the same object at once: one of them is kept,
and both are equal.
"""

from __future__ import annotations

from typing import Any

LIMIT = 200_000

_pools: dict[str, dict[Any, Any]] = {}


def pool(kind: str) -> dict[Any, Any]:
    """The process-wide map from facts to the object built from them, for ``kind`` (one
    per inspector and class: the facts' tuples differ in shape between them)."""
    shared = _pools.setdefault(kind, {})
    if len(shared) > LIMIT:
        shared.clear()
    return shared
