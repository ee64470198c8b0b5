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
from collections.abc import Collection
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from dbshift.dialects import Dialect

# Every user object PostgreSQL's inspector models, as text; schemas other than the
# system's. :exclude is dbshift's own tables.
_POSTGRES = """
WITH rel AS (
  SELECT c.oid, n.nspname, c.relname, c.relkind
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
    AND c.relkind NOT IN ('i', 'I', 't')  -- indexes: the 'i' lines, by their table
    AND NOT (c.relname = ANY(:exclude))
)
SELECT md5(coalesce(string_agg(line, E'\\n' ORDER BY line), '')) FROM (
  SELECT format('r %s.%s %s %s %s %s %s %s', r.nspname, r.relname, r.relkind, c.relpersistence,
                c.reloptions, c.relrowsecurity, pg_get_expr(c.relpartbound, c.oid),
                obj_description(r.oid, 'pg_class')) AS line
  FROM rel r JOIN pg_class c ON c.oid = r.oid
  UNION ALL
  SELECT format('c %s.%s %s %s %s %s %s %s %s %s', r.nspname, r.relname, a.attnum, a.attname,
                format_type(a.atttypid, a.atttypmod), a.attnotnull,
                pg_get_expr(d.adbin, d.adrelid), a.attidentity::text || a.attgenerated::text,
                a.attcollation, col_description(r.oid, a.attnum))
  FROM rel r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
  UNION ALL
  SELECT format('i %s %s', pg_get_indexdef(i.indexrelid), obj_description(i.indexrelid, 'pg_class'))
  FROM pg_index i JOIN rel r ON r.oid = i.indrelid
  UNION ALL
  SELECT format('k %s.%s %s %s %s', r.nspname, r.relname, k.conname, pg_get_constraintdef(k.oid),
                k.condeferrable::text || k.condeferred::text)
  FROM pg_constraint k JOIN rel r ON r.oid = k.conrelid
  UNION ALL
  SELECT format('v %s.%s %s', r.nspname, r.relname, pg_get_viewdef(r.oid))
  FROM rel r WHERE r.relkind IN ('v', 'm')
  UNION ALL
  SELECT format('s %s.%s %s %s %s %s %s %s', r.nspname, r.relname, s.seqtypid::regtype, s.seqstart,
                s.seqincrement, s.seqmax, s.seqmin, s.seqcycle)
  FROM pg_sequence s JOIN rel r ON r.oid = s.seqrelid
  UNION ALL
  SELECT format('t %s', pg_get_triggerdef(t.oid))
  FROM pg_trigger t JOIN rel r ON r.oid = t.tgrelid WHERE NOT t.tgisinternal
  UNION ALL
  SELECT format('p %s %s', p.polname, pg_get_expr(p.polqual, p.polrelid))
  FROM pg_policy p JOIN rel r ON r.oid = p.polrelid
  UNION ALL
  SELECT format('y %s.%s %s %s %s %s', n.nspname, t.typname, t.typtype, format_type(t.typbasetype, t.typtypmod),
                t.typnotnull, (SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)
                               FROM pg_enum e WHERE e.enumtypid = t.oid))
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
) AS lines
"""

_SQLITE = """
SELECT type, name, tbl_name, sql FROM sqlite_master
WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name
"""


def digest_sql(dialect: Dialect, exclude: Collection[str]) -> str | None:
    """The digest query as one parameterless statement (to send with others), or None
    where the digest is not one query (SQLite's is hashed here, MySQL has none)."""
    from dbshift.dialects.postgres import PostgresDialect

    if not isinstance(dialect, PostgresDialect):
        return None
    names = ", ".join(dialect.literal(name) for name in exclude) or "''"
    return _POSTGRES.replace(":exclude", f"ARRAY[{names}]::text[]")


def schema_digest(conn: Connection, *, exclude: Collection[str] = ()) -> str | None:
    """The fingerprint of the schema ``conn`` sees, or None (no digest for this server)."""
    from sqlalchemy import text

    from dbshift.dialects import named
    from dbshift.dialects.postgres import PostgresDialect
    from dbshift.dialects.sqlite import SQLiteDialect

    dialect = named(conn.dialect.name)  # SQLAlchemy's name; mariadb is mysql
    if isinstance(dialect, PostgresDialect):
        value = conn.execute(text(_POSTGRES), {"exclude": list(exclude)}).scalar()
        return str(value)
    if isinstance(dialect, SQLiteDialect):
        skip = set(exclude)
        rows = [
            r
            for r in conn.exec_driver_sql(_SQLITE).fetchall()
            if r[1] not in skip and r[2] not in skip
        ]
        return hashlib.sha256(repr(rows).encode()).hexdigest()
    return None
