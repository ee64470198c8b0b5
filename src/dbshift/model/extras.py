"""PostgreSQL objects beside tables that the first model left out: extensions, collations,
composite types, and a table's row-level security policies.

Kept apart from ``objects.py`` so each reads in one sitting; the same conventions hold
(``schema`` None is the inspected schema; SQL text is the catalog's).
"""

from __future__ import annotations

from dbshift.frozen import frozen


@frozen
class Extension:
    """``CREATE EXTENSION name [WITH SCHEMA schema] [VERSION version]``.

    An extension lives in the database, not a schema, but installs its objects into one:
    an inspected schema holds the extensions installed into it. Their objects are the
    extension's and never compared one by one.
    """

    name: str
    version: str | None = None
    schema: str | None = None


@frozen
class Collation:
    """``CREATE COLLATION name`` followed by ``definition``: ``(provider = icu, locale =
    'und-u-ks-level2', deterministic = false)`` as the catalog describes it."""

    name: str
    definition: str
    schema: str | None = None


@frozen
class CompositeType:
    """``CREATE TYPE name AS (attribute type, …)``; each attribute's type as
    ``format_type()`` prints it, with ``COLLATE`` where it is not the type's default."""

    name: str
    attributes: tuple[tuple[str, str], ...] = ()
    schema: str | None = None


@frozen
class Policy:
    """A row-level security policy; ``definition`` is what follows ``CREATE POLICY name ON
    table``: ``AS PERMISSIVE FOR ALL TO PUBLIC USING (…) WITH CHECK (…)``."""

    name: str
    definition: str


@frozen
class Statistics:
    """A PostgreSQL extended statistics object (``CREATE STATISTICS``) on its table, in the
    table's schema: ``kinds`` as written (``ndistinct``, ``dependencies``, ``mcv``; none for
    a single expression), ``columns`` as ``pg_get_statisticsobjdef_columns`` gives them
    (``a, "B", (a + 1)``), ``target`` its ``SET STATISTICS`` (None: the default)."""

    name: str
    kinds: tuple[str, ...]
    columns: str
    target: int | None = None


@frozen
class Comment:
    """``COMMENT ON kind name [ON table] IS text`` for the kinds whose objects keep no
    comment of their own in the model (tables, columns and views do).

    ``kind`` is the SQL keyword: FUNCTION, PROCEDURE, AGGREGATE, TRIGGER, TYPE, DOMAIN,
    SEQUENCE, INDEX, CONSTRAINT, POLICY, COLLATION, EXTENSION or SCHEMA (a schema other
    than the default one: ``name`` and ``schema`` are its name); ``table`` is set for
    triggers, constraints and policies, ``signature`` for routines.
    """

    kind: str
    name: str
    text: str
    table: str | None = None
    signature: str | None = None
    schema: str | None = None

    @property
    def target(self) -> tuple[str, str | None, str, str | None, str | None]:
        return (self.kind, self.schema, self.name, self.table, self.signature)
