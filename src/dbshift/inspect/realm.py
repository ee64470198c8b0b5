"""Several PostgreSQL schemas at once (Atlas's "realm"), as one model.

Each schema is inspected by the one-schema inspector with the catalog's text spelled
relative to the connection's default schema, then its objects are stamped with their
schema's name. The default schema's objects keep ``schema=None``, as in a one-schema
model, so a realm that holds only the default schema is the one-schema model exactly,
and a schema.sql or SQLAlchemy model materialised on a scratch database (whose default
schema is ``public`` too) compares name for name. Schemas other than the default are
listed in ``Schema.namespaces`` for CREATE/DROP SCHEMA.

Left out always: PostgreSQL's own schemas (``pg_*``, ``information_schema``) and schemas
an extension created (pg_depend deptype 'e'); objects an extension owns are left out by
the one-schema inspector's queries.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING

from dbshift.inspect.catalog import catalog_of
from dbshift.inspect.postgres import inspect_postgres
from dbshift.model import Comment, Schema
from dbshift.model.depends import reschema

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from dbshift.direct import Connection as DriverConnection

__all__ = ["default_schema", "inspect_realm", "other_schemas"]

_SCHEMAS = """
SELECT n.nspname FROM pg_namespace n
WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
  AND NOT EXISTS (
      SELECT 1 FROM pg_depend e
      WHERE e.classid = 'pg_namespace'::regclass AND e.objid = n.oid AND e.deptype = 'e')
ORDER BY n.nspname
"""


_OTHER_SCHEMAS = """
SELECT n.nspname FROM pg_namespace n
WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
  AND n.nspname <> coalesce(current_schema(), '')
  AND NOT EXISTS (
      SELECT 1 FROM pg_depend e
      WHERE e.classid = 'pg_namespace'::regclass AND e.objid = n.oid AND e.deptype = 'e')
  AND EXISTS (
      SELECT 1 FROM pg_class c
      WHERE c.relnamespace = n.oid AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
        AND c.relname <> ALL (CAST(:exclude AS text[]))
        AND NOT EXISTS (
            SELECT 1 FROM pg_depend e
            WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e'))
ORDER BY n.nspname
"""


#: Comments on the schemas themselves (``COMMENT ON SCHEMA``), read for the schemas other
#: than the default one: those the realm creates and drops.
_SCHEMA_COMMENTS = """
SELECT n.nspname, d.description FROM pg_description d
JOIN pg_namespace n ON d.classoid = 'pg_namespace'::regclass AND d.objoid = n.oid
WHERE d.objsubid = 0 AND n.nspname = ANY (CAST(:names AS text[]))
"""


def other_schemas(
    conn: Connection | DriverConnection, *, exclude: Collection[str] = ()
) -> list[str]:
    """Schemas besides the default one that hold tables, views or sequences (not an
    extension's, nor the tables named in ``exclude``): what a one-schema comparison
    does not see, for a hint when it finds no differences."""
    rows = catalog_of(conn).rows(_OTHER_SCHEMAS, {"exclude": list(exclude)})
    return [str(row[0]) for row in rows]


def default_schema(conn: Connection | DriverConnection) -> str:
    """The schema unqualified names resolve to (``public`` when the path names none)."""
    rows = catalog_of(conn).rows("SELECT current_schema()")
    return str(rows[0][0]) if rows and rows[0][0] is not None else "public"


def inspect_realm(
    conn: Connection | DriverConnection,
    *,
    schemas: Collection[str],
    exclude: Collection[str] = (),
) -> Schema:
    """Every schema whose name matches one of ``schemas`` (``*``: all of them)."""
    catalog = catalog_of(conn)
    default = default_schema(conn)
    present = [str(row[0]) for row in catalog.rows(_SCHEMAS)]
    wanted = [n for n in present if any(fnmatchcase(n, p) for p in schemas)]
    parts = [
        _stamped(
            inspect_postgres(conn, schema=name, exclude=exclude, relative_to=default),
            name,
            default,
        )
        for name in wanted
    ]
    namespaces = tuple(n for n in wanted if n != default)
    schema_comments = tuple(
        Comment("SCHEMA", str(n), str(text), schema=str(n))
        for n, text in (
            catalog.rows(_SCHEMA_COMMENTS, {"names": list(namespaces)}) if namespaces else ()
        )
    )
    if len(parts) == 1:
        return replace(
            parts[0],
            namespaces=namespaces,
            comments=parts[0].comments + schema_comments,
        )
    return Schema(
        tables=tuple(t for p in parts for t in p.tables),
        views=tuple(v for p in parts for v in p.views),
        sequences=tuple(s for p in parts for s in p.sequences),
        enums=tuple(e for p in parts for e in p.enums),
        routines=tuple(r for p in parts for r in p.routines),
        domains=tuple(d for p in parts for d in p.domains),
        extensions=tuple(x for p in parts for x in p.extensions),
        collations=tuple(c for p in parts for c in p.collations),
        composite_types=tuple(c for p in parts for c in p.composite_types),
        comments=tuple(c for p in parts for c in p.comments) + schema_comments,
        namespaces=namespaces,
    )


def _stamped(part: Schema, name: str, default: str) -> Schema:
    """``part``'s objects named as living in ``name`` (None for the default schema)."""
    if name == default:
        # Its references are already relative to the default schema: nothing to rename
        # (and nothing to rebuild: 1,000 tables cost 0.1 s to copy and compare).
        return part
    schema = name

    def ref(ref_schema: str | None) -> str | None:
        # The inspector names a referenced table's schema only when it is another one.
        actual = name if ref_schema is None else ref_schema
        return None if actual == default else actual

    def uses(keys: tuple[str, ...]) -> tuple[str, ...]:
        # Dependency idents name the inspected schema None and the others by name: in
        # the realm, this schema by name and the default one None (as for ``ref``).
        return tuple(reschema(k, ref) for k in keys)

    tables = tuple(
        replace(
            t,
            schema=schema,
            foreign_keys=tuple(replace(f, ref_schema=ref(f.ref_schema)) for f in t.foreign_keys),
            depends_on=uses(t.depends_on),
        )
        for t in part.tables
    )
    return Schema(
        tables=tables,
        views=tuple(replace(v, schema=schema, depends_on=uses(v.depends_on)) for v in part.views),
        sequences=tuple(replace(s, schema=schema) for s in part.sequences),
        enums=tuple(replace(e, schema=schema) for e in part.enums),
        routines=tuple(
            replace(r, schema=schema, depends_on=uses(r.depends_on)) for r in part.routines
        ),
        domains=tuple(replace(d, schema=schema) for d in part.domains),
        extensions=tuple(replace(x, schema=schema) for x in part.extensions),
        collations=tuple(replace(c, schema=schema) for c in part.collations),
        composite_types=tuple(replace(c, schema=schema) for c in part.composite_types),
        comments=tuple(replace(c, schema=schema) for c in part.comments),
    )
