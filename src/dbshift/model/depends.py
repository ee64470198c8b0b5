"""One name for each object that can depend on another, shared by inspectors and the differ.

pg_depend speaks in oids; the model has no oids. An inspector turns each dependency into a
pair of these strings, and the differ builds the same string for each object it holds, so
the two meet without either knowing the other's catalog.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from dbshift.model.objects import Routine, View
    from dbshift.model.schema import Table

#: Kinds of dependency node. Functions, procedures and aggregates share one kind: their
#: names and signatures share one namespace on the server.
TABLE, VIEW, ROUTINE, TRIGGER, TYPE = "table", "view", "routine", "trigger", "type"


def ident(kind: str, schema: str | None, name: str, extra: str = "") -> str:
    """``kind`` ``schema``.``name`` and, for a routine, its signature; for a trigger, its
    table. Unambiguous because the separators are written around, not inside, the parts'
    lengths."""
    return f"{kind}:{len(schema or '')}:{schema or ''}:{len(name)}:{name}:{extra}"


def routine_ident(routine: Routine) -> str:
    if routine.kind == "trigger":
        return ident(TRIGGER, routine.schema, routine.name, routine.table or "")
    return ident(ROUTINE, routine.schema, routine.name, routine.signature)


def view_ident(view: View) -> str:
    return ident(VIEW, view.schema, view.name)


def table_ident(table: Table) -> str:
    return ident(TABLE, table.schema, table.name)


def reschema(key: str, schema: Callable[[str | None], str | None]) -> str:
    """``key`` (an ``ident``) with its schema part mapped through ``schema``: a realm
    names the objects of each schema it read alone (None: that schema) as the whole
    database does."""
    kind, _, rest = key.partition(":")
    length, _, rest = rest.partition(":")
    size = int(length)
    new = schema(rest[:size] or None)
    return f"{kind}:{len(new or '')}:{new or ''}:{rest[size + 1 :]}"
