"""What part of a database dbshift compares: which schemas, and include/exclude patterns.

Patterns are shell-style (``fnmatch``, case-sensitive as catalog names are) and match an
object's name or ``schema.name``: ``audit.*`` is everything in schema ``audit``,
``spatial_ref_sys`` that table in any schema, ``tmp_*`` every name starting ``tmp_``. A
schema itself is left out when a pattern names it (``audit`` or ``audit.*``). Objects of
the default schema match as ``<default>.name`` too (``public.legacy``). A table's
columns, keys, indexes and triggers go with the table; a sequence owned by a left-out
table goes with it. With include patterns, only what matches one of them is compared;
exclude is applied after include.

Filtering happens on the model, after inspecting, on both sides of a diff alike, so a
left-out object can never show up as a difference.
"""

from __future__ import annotations

from dataclasses import replace
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING

from dbshift.frozen import frozen

if TYPE_CHECKING:
    from dbshift.model import Schema


@frozen
class Scope:
    #: Schemas to compare; () is the connection's default schema only, ``*`` every
    #: schema (patterns allowed: ``tenant_*``). On MySQL/MariaDB, databases besides the
    #: connection's own; refused on SQLite.
    schemas: tuple[str, ...] = ()
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    @property
    def filters(self) -> bool:
        return bool(self.include or self.exclude)


def _matches(patterns: tuple[str, ...], schema: str, name: str) -> bool:
    return any(fnmatchcase(name, p) or fnmatchcase(f"{schema}.{name}", p) for p in patterns)


def _schema_matches(patterns: tuple[str, ...], schema: str) -> bool:
    return any(fnmatchcase(schema, p) or p == f"{schema}.*" for p in patterns)


def keep(scope: Scope, schema: str, name: str) -> bool:
    """Whether the object ``name`` in ``schema`` is compared."""
    if scope.include and not _matches(scope.include, schema, name):
        return False
    return not _matches(scope.exclude, schema, name)


def filtered(model: Schema, scope: Scope, *, default: str) -> Schema:
    """``model`` without what ``scope`` leaves out; ``default`` names schema None."""
    if not scope.filters:
        return model

    def ok(schema: str | None, name: str) -> bool:
        return keep(scope, schema or default, name)

    tables = tuple(t for t in model.tables if ok(t.schema, t.name))
    kept_tables = {(t.schema, t.name) for t in tables}
    return replace(
        model,
        tables=tables,
        views=tuple(v for v in model.views if ok(v.schema, v.name)),
        sequences=tuple(
            s
            for s in model.sequences
            if ok(s.schema, s.name)
            and (s.owned_by is None or (s.schema, s.owned_by.rpartition(".")[0]) in kept_tables)
        ),
        enums=tuple(e for e in model.enums if ok(e.schema, e.name)),
        domains=tuple(d for d in model.domains if ok(d.schema, d.name)),
        routines=tuple(
            r
            for r in model.routines
            if ok(r.schema, r.name) and (r.table is None or (r.schema, r.table) in kept_tables)
        ),
        namespaces=tuple(
            n
            for n in model.namespaces
            if not _schema_matches(scope.exclude, n)
            and (not scope.include or any(fnmatchcase(n, p.split(".")[0]) for p in scope.include))
        ),
    )
