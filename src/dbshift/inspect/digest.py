"""A schema's fingerprint in one catalog query, for ``dbshift test``'s many comparisons.

The stairway compares the schema before each migration's up with the one after its down:
two full inspections per migration grow with the schema, so 200 migrations would spend
most of their time re-reading tables nothing touched. A digest reads the same catalog
facts the inspector models (and more: column positions, raw definitions) as text and
hashes them. Equal digests mean equal schemas; different digests send the caller to the
inspector and the differ, which decide (a column moved by a drop and re-add, say, counts
only if the model says so) and print the difference.

Names only, never OIDs: a table dropped and created again the same way digests the same.
``None`` where a server has no digest here (MySQL/MariaDB): the caller inspects.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from dbshift.dialects import Dialect

# The relations dbshift models (tables, views, matviews, sequences, composite types'
# relations), schemas other than the system's; :exclude is dbshift's own tables. Each gets
# an identity: the (xmin, ctid) of every catalog row its text is read from. A catalog row
# is never changed in place by DDL (an update writes a new row version, with the writing
# transaction's xmin), so an unchanged identity means unchanged rows, and the text read
# from them before can be reused (``Fingerprint``).
_REL = """
WITH rel AS (
  SELECT c.oid, n.nspname, c.relname, c.relkind,
         c.xmin::text || c.ctid::text || n.xmin::text || n.ctid::text AS own
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
    AND c.relkind NOT IN ('i', 'I', 't')  -- indexes: the 'i' lines, by their table
    AND NOT (c.relname = ANY(:exclude))
), part AS (
  SELECT attrelid AS o, xmin::text || ctid::text AS v FROM pg_attribute
  WHERE attrelid IN (SELECT oid FROM rel)
  UNION ALL SELECT adrelid, xmin::text || ctid::text FROM pg_attrdef
  WHERE adrelid IN (SELECT oid FROM rel)
  UNION ALL SELECT i.indrelid, i.xmin::text || i.ctid::text || ic.xmin::text || ic.ctid::text
  FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
  WHERE i.indrelid IN (SELECT oid FROM rel)
  UNION ALL SELECT conrelid, xmin::text || ctid::text FROM pg_constraint
  WHERE conrelid IN (SELECT oid FROM rel)
  UNION ALL SELECT coalesce(i.indrelid, d.objoid), d.xmin::text || d.ctid::text
  FROM pg_description d LEFT JOIN pg_index i ON i.indexrelid = d.objoid
  WHERE d.classoid = 'pg_class'::regclass
    AND coalesce(i.indrelid, d.objoid) IN (SELECT oid FROM rel)
  UNION ALL SELECT ev_class, xmin::text || ctid::text FROM pg_rewrite
  WHERE ev_class IN (SELECT oid FROM rel)
  UNION ALL SELECT tgrelid, xmin::text || ctid::text FROM pg_trigger
  WHERE tgrelid IN (SELECT oid FROM rel)
  UNION ALL SELECT seqrelid, xmin::text || ctid::text FROM pg_sequence
  WHERE seqrelid IN (SELECT oid FROM rel)
  UNION ALL SELECT polrelid, xmin::text || ctid::text FROM pg_policy
  WHERE polrelid IN (SELECT oid FROM rel)
), ident AS (
  SELECT r.oid, md5(r.own || coalesce(string_agg(p.v, ',' ORDER BY p.v COLLATE "C"), '')) AS id
  FROM rel r LEFT JOIN part p ON p.o = r.oid GROUP BY r.oid, r.own
), todo AS (
  SELECT r.* FROM rel r JOIN ident USING (oid)
  WHERE ident.id NOT IN (SELECT unnest(:known))  -- a hashed subplan
), lines AS (
  SELECT r.oid AS o, format('r %s.%s %s %s %s %s %s %s', r.nspname, r.relname, r.relkind,
                c.relpersistence, c.reloptions, c.relrowsecurity,
                pg_get_expr(c.relpartbound, c.oid), obj_description(r.oid, 'pg_class')) AS line
  FROM todo r JOIN pg_class c ON c.oid = r.oid
  UNION ALL
  SELECT r.oid, format('c %s.%s %s %s %s %s %s %s %s %s', r.nspname, r.relname, a.attnum,
                a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                pg_get_expr(d.adbin, d.adrelid), a.attidentity::text || a.attgenerated::text,
                a.attcollation, col_description(r.oid, a.attnum))
  FROM todo r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
  UNION ALL
  SELECT r.oid, format('i %s %s', pg_get_indexdef(i.indexrelid),
                       obj_description(i.indexrelid, 'pg_class'))
  FROM pg_index i JOIN todo r ON r.oid = i.indrelid
  UNION ALL
  SELECT r.oid, format('k %s.%s %s %s %s', r.nspname, r.relname, k.conname,
                       pg_get_constraintdef(k.oid), k.condeferrable::text || k.condeferred::text)
  FROM pg_constraint k JOIN todo r ON r.oid = k.conrelid
  UNION ALL
  SELECT r.oid, format('v %s.%s %s', r.nspname, r.relname, pg_get_viewdef(r.oid))
  FROM todo r WHERE r.relkind IN ('v', 'm')
  UNION ALL
  SELECT r.oid, format('s %s.%s %s %s %s %s %s %s', r.nspname, r.relname, s.seqtypid::regtype,
                       s.seqstart, s.seqincrement, s.seqmax, s.seqmin, s.seqcycle)
  FROM pg_sequence s JOIN todo r ON r.oid = s.seqrelid
  UNION ALL
  SELECT r.oid, format('t %s', pg_get_triggerdef(t.oid))
  FROM pg_trigger t JOIN todo r ON r.oid = t.tgrelid WHERE NOT t.tgisinternal
  UNION ALL
  SELECT r.oid, format('p %s %s', p.polname, pg_get_expr(p.polqual, p.polrelid))
  FROM pg_policy p JOIN todo r ON r.oid = p.polrelid
)
SELECT i.id, h.hash FROM ident i LEFT JOIN (
  SELECT o, md5(string_agg(line, E'\\n' ORDER BY line)) AS hash FROM lines GROUP BY o
) h ON h.o = i.oid
UNION ALL
SELECT NULL, md5(coalesce(string_agg(line, E'\\n' ORDER BY line), '')) FROM (
  SELECT format('y %s.%s %s %s %s %s', n.nspname, t.typname, t.typtype,
                format_type(t.typbasetype, t.typtypmod), t.typnotnull,
                (SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)
                 FROM pg_enum e WHERE e.enumtypid = t.oid)) AS line
  FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
  WHERE t.typtype IN ('e', 'd', 'c') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
    AND (t.typtype <> 'c' OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
  UNION ALL
  SELECT format('d %s %s %s', t.typname, k.conname, pg_get_constraintdef(k.oid))
  FROM pg_constraint k JOIN pg_type t ON t.oid = k.contypid
  UNION ALL
  SELECT format('f %s.%s(%s) %s', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid),
                md5(pg_get_functiondef(p.oid)))
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND p.prokind IN ('f', 'p')
    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
  UNION ALL
  SELECT format('n %s', n.nspname) FROM pg_namespace n
  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'public')
    AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
  UNION ALL
  SELECT format('x %s %s', e.extname, e.extversion) FROM pg_extension e
) AS global_lines
"""

_SQLITE = """
SELECT type, name, tbl_name, sql FROM sqlite_master
WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name
"""


class Fingerprint:
    """Digests of one database's schema over a run, each reading only what changed.

    ``dbshift test`` takes two digests per migration; a full one reads and deparses every
    relation (50 ms at 200 tables on a loaded 2-core machine, most of a run). This one
    reads every relation's identity (cheap: no deparsing), and the text of only those
    whose identity it has not seen, remembering each identity's text hash. Names only,
    never OIDs, in the text: a table dropped and created again the same way digests the
    same. A digest is a hash of the multiset of relation hashes and the other objects'
    lines, so it is the same whatever the cache held (``schema_digest`` starts empty).
    """

    def __init__(self, exclude: Collection[str] = ()) -> None:
        self.exclude = tuple(exclude)
        #: identity -> hash of that relation's text
        self.known: dict[str, str] = {}

    def probe_sql(self) -> str:
        """The probe as one parameterless statement (to send with others)."""
        from dbshift.dialects import named

        literal = named("postgresql").literal
        exclude = ", ".join(literal(name) for name in self.exclude) or "''"
        known = ", ".join(literal(i) for i in self.known)
        return _REL.replace(":exclude", f"ARRAY[{exclude}]::text[]").replace(
            ":known", f"ARRAY[{known}]::text[]"
        )

    def digest(self, rows: Iterable[Sequence[Any]]) -> str:
        """The digest from the probe's rows (learning the new identities' hashes)."""
        hashes: list[str] = []
        rest = ""
        for identity, text_hash in rows:
            if identity is None:
                rest = str(text_hash)
                continue
            if text_hash is not None:
                self.known[identity] = str(text_hash)
            hashes.append(self.known[identity])
        hashes.sort()
        return hashlib.md5("\n".join([*hashes, rest]).encode()).hexdigest()

    def read(self, conn: Connection) -> str:
        """Probe ``conn`` now."""
        raw = conn.execution_options(no_parameters=True)  # the probe's format() has %s
        return self.digest(raw.exec_driver_sql(self.probe_sql()).fetchall())


def fingerprint_for(dialect: Dialect, exclude: Collection[str] = ()) -> Fingerprint | None:
    """An incremental fingerprint where the server has one (PostgreSQL), else None."""
    from dbshift.dialects.postgres import PostgresDialect

    return Fingerprint(exclude) if isinstance(dialect, PostgresDialect) else None


def schema_digest(conn: Connection, *, exclude: Collection[str] = ()) -> str | None:
    """The fingerprint of the schema ``conn`` sees, or None (no digest for this server)."""
    from dbshift.dialects import named
    from dbshift.dialects.sqlite import SQLiteDialect

    dialect = named(conn.dialect.name)  # SQLAlchemy's name; mariadb is mysql
    fingerprint = fingerprint_for(dialect, exclude)
    if fingerprint is not None:
        return fingerprint.read(conn)
    if isinstance(dialect, SQLiteDialect):
        skip = set(exclude)
        rows = [
            r
            for r in conn.exec_driver_sql(_SQLITE).fetchall()
            if r[1] not in skip and r[2] not in skip
        ]
        return hashlib.sha256(repr(rows).encode()).hexdigest()
    return None
