"""A schema's fingerprint in one catalog query, for ``dbshift test``'s many comparisons.

The stairway compares the schema before each migration's up with the one after its down:
two full inspections per migration grow with the schema, so 200 migrations would spend
most of their time re-reading tables nothing touched. A digest reads the same catalog
facts the inspector models (and more: column positions, raw definitions) as text and
hashes them. Equal digests mean equal schemas; different digests send the caller to the
inspector and the differ, which decide (a column moved by a drop and re-add, say, counts
only if the model says so) and print the difference.

Names only, never OIDs: a table dropped and created again the same way digests the same.
MySQL/MariaDB: ``digest_mysql`` (the inspector's catalog rows, hashed; not incremental).
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import field
from typing import TYPE_CHECKING, Any

from dbshift.frozen import frozen

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from dbshift.dialects import Dialect

# The relations dbshift models (tables, views, matviews, sequences, composite types'
# relations), schemas other than the system's; :exclude is dbshift's own tables.
#
# The probe is relative to a base: an earlier probe's state, which holds the keys of every
# user row (oid >= 16384, FirstNormalObjectId) of the catalogs the text is read from, each
# relation's text hash, and a watermark (the first transaction id not yet assigned then,
# and the transactions then in progress in this database). DDL never changes a catalog
# row's text in place: a change writes a new row version whose xmin is the writing
# transaction, a drop removes the row. Against a base of committed rows, then:
# - a row is new since the base ("fresh") when its xmin is no older than the watermark
#   (age() is wraparound-safe; frozen rows are infinitely old) or was then in progress;
# - each catalog's row count equals the base's keys plus the fresh ones' unless a row was
#   removed without a new version (a drop): the caller sees that and probes in full;
# - a relation's text can differ only when it owns a fresh row, or prints the name of an
#   object written since (a renamed table, column, type, function or collation: its
#   dependents by pg_depend), or of a schema (any schema row fresh: every relation).
# Only those relations are deparsed; a lean pass over the user rows finds them. With the
# empty base (watermark 0) every row is fresh: the full probe, every key, every relation.
# The catalogs the text is read from: tag, catalog, its user rows, each row's id, key
# (a.b.c: unique in the catalog) and owning relation (a pg_class row: an index's is its
# table's, found below). pg_attribute's system columns (attnum < 0, six a table, more
# than half its rows at 200 tables) are left out: made and dropped with their relation,
# whose pg_class row counts, never written by DDL on their own, and printed by no line
# (the columns' lines read attnum > 0); a probe at 200 tables took 1.05 ms instead of 1.35.
_CATALOGS = (
    ("c", "pg_class", "oid >= 16384", "oid", "oid || '.0.0'", "oid"),
    (
        "a",
        "pg_attribute",
        "attrelid >= 16384 AND attnum > 0",
        "attrelid",
        "attrelid || '.' || attnum || '.0'",
        "attrelid",
    ),
    ("d", "pg_attrdef", "adrelid >= 16384", "oid", "oid || '.0.0'", "adrelid"),
    ("i", "pg_index", "indrelid >= 16384", "indexrelid", "indexrelid || '.0.0'", "indrelid"),
    ("k", "pg_constraint", "oid >= 16384", "oid", "oid || '.0.0'", "nullif(conrelid, 0)"),
    (
        "m",
        "pg_description",
        "objoid >= 16384",
        "objoid",
        "objoid || '.' || objsubid || '.' || classoid",
        "CASE WHEN classoid = 'pg_class'::regclass THEN objoid END",
    ),
    ("v", "pg_rewrite", "ev_class >= 16384", "oid", "oid || '.0.0'", "ev_class"),
    ("t", "pg_trigger", "tgrelid >= 16384", "oid", "oid || '.0.0'", "tgrelid"),
    ("s", "pg_sequence", "seqrelid >= 16384", "seqrelid", "seqrelid || '.0.0'", "seqrelid"),
    ("p", "pg_policy", "polrelid >= 16384", "oid", "oid || '.0.0'", "polrelid"),
    ("n", "pg_namespace", "true", "oid", "oid || '.0.0'", "NULL::oid"),
    ("y", "pg_type", "oid >= 16384", "oid", "oid || '.0.0'", "NULL::oid"),
    ("e", "pg_enum", "oid >= 16384", "oid", "oid || '.0.0'", "NULL::oid"),
    ("f", "pg_proc", "oid >= 16384", "oid", "oid || '.0.0'", "NULL::oid"),
    ("l", "pg_collation", "oid >= 16384", "oid", "oid || '.0.0'", "NULL::oid"),
    ("x", "pg_extension", "true", "oid", "oid || '.0.0'", "NULL::oid"),
)

#: One pass over each catalog's user rows: their count, and the fresh ones' ids, keys and
#: owners (aggregates filtered by freshness: NULL when none is).
_SCAN = "\n  UNION ALL ".join(
    f"SELECT '{tag}' AS t, count(*) AS n,"  # noqa: S608 (constants of this module only)
    f" array_agg({ident}) FILTER (WHERE fresh) AS ids,"
    f" array_agg({key}) FILTER (WHERE fresh) AS keys,"
    f" array_agg({owner}) FILTER (WHERE fresh) AS owners"
    f" FROM (SELECT *, age(xmin) <= (SELECT a FROM w) OR xmin = ANY(:xip) AS fresh"
    f" FROM {catalog} WHERE {rows}) x"
    for tag, catalog, rows, ident, key, owner in _CATALOGS
)

_PROBE_HEAD = """
WITH w AS MATERIALIZED (
  SELECT age(:w) AS a
), scan AS MATERIALIZED (
  """

_PROBE_TAIL = """
), fresh AS MATERIALIZED (  -- catalog, id, key, owning relation: rows new since the base
  SELECT s.t, u.a, u.k, CASE WHEN s.t IN ('c', 'm') AND u.o IS NOT NULL THEN
           coalesce((SELECT indrelid FROM pg_index WHERE indexrelid = u.o), u.o)
         ELSE u.o END AS o
  FROM scan s CROSS JOIN LATERAL unnest(s.ids, s.keys, s.owners) AS u(a, k, o)
), counts AS (  -- every user row of each catalog, fresh or not
  SELECT t, n FROM scan
), named AS (  -- objects written since the base whose names other relations' text prints
  SELECT 'pg_class'::regclass AS c, a AS oid FROM fresh WHERE t IN ('c', 'a')
  UNION ALL SELECT 'pg_type'::regclass, a FROM fresh WHERE t = 'y'
  UNION ALL SELECT 'pg_proc'::regclass, a FROM fresh WHERE t = 'f'
  UNION ALL SELECT 'pg_collation'::regclass, a FROM fresh WHERE t = 'l'
), touched AS (
  SELECT o FROM fresh WHERE o IS NOT NULL
  UNION
  SELECT CASE d.classid
    WHEN 'pg_class'::regclass THEN
      coalesce((SELECT indrelid FROM pg_index WHERE indexrelid = d.objid), d.objid)
    WHEN 'pg_constraint'::regclass THEN (SELECT conrelid FROM pg_constraint WHERE oid = d.objid)
    WHEN 'pg_rewrite'::regclass THEN (SELECT ev_class FROM pg_rewrite WHERE oid = d.objid)
    WHEN 'pg_attrdef'::regclass THEN (SELECT adrelid FROM pg_attrdef WHERE oid = d.objid)
    WHEN 'pg_trigger'::regclass THEN (SELECT tgrelid FROM pg_trigger WHERE oid = d.objid)
    WHEN 'pg_policy'::regclass THEN (SELECT polrelid FROM pg_policy WHERE oid = d.objid)
    END
  FROM named x JOIN pg_depend d ON d.refclassid = x.c AND d.refobjid = x.oid
), todo AS MATERIALIZED (  -- the relations dbshift models that may have changed
  -- (tables, views, matviews, sequences, composite types' relations), schemas other than
  -- the system's; :exclude is dbshift's own tables. Those owning a row new since the
  -- base, by index lookups; every one when a schema row is new (a one-time filter).
  -- (OFFSET 0: a lookup per relation; a plan made for any number of them hashes the
  -- whole catalog for one)
  SELECT c.oid, n.nspname, c.relname, c.relkind
  FROM (
    SELECT o FROM touched WHERE o IS NOT NULL
    UNION
    SELECT oid FROM pg_class WHERE EXISTS (SELECT 1 FROM fresh WHERE t = 'n')
  ) r CROSS JOIN LATERAL (
    SELECT oid, relname, relkind, relnamespace FROM pg_class WHERE oid = r.o OFFSET 0
  ) c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
    AND c.relkind NOT IN ('i', 'I', 't')  -- indexes: the 'i' lines, by their table
    AND NOT (c.relname = ANY(:exclude))
), lines AS (  -- each by lookups from the relations to do (OFFSET 0: as in todo)
  SELECT r.oid AS o, x.line FROM todo r CROSS JOIN LATERAL (
    SELECT format('r %s.%s %s %s %s %s %s %s', r.nspname, r.relname, r.relkind,
                  c.relpersistence, c.reloptions, c.relrowsecurity,
                  pg_get_expr(c.relpartbound, c.oid), obj_description(r.oid, 'pg_class')) AS line
    FROM pg_class c WHERE c.oid = r.oid OFFSET 0
  ) x
  UNION ALL
  SELECT r.oid, x.line FROM todo r CROSS JOIN LATERAL (
    SELECT format('c %s.%s %s %s %s %s %s %s %s %s', r.nspname, r.relname, a.attnum,
                  a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                  pg_get_expr(d.adbin, d.adrelid), a.attidentity::text || a.attgenerated::text,
                  a.attcollation, col_description(r.oid, a.attnum)) AS line
    FROM pg_attribute a
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped OFFSET 0
  ) x
  UNION ALL
  SELECT r.oid, x.line FROM todo r CROSS JOIN LATERAL (
    SELECT format('i %s %s', pg_get_indexdef(i.indexrelid),
                  obj_description(i.indexrelid, 'pg_class')) AS line
    FROM pg_index i WHERE i.indrelid = r.oid OFFSET 0
  ) x
  UNION ALL
  SELECT r.oid, x.line FROM todo r CROSS JOIN LATERAL (
    SELECT format('k %s.%s %s %s %s', r.nspname, r.relname, k.conname,
                  pg_get_constraintdef(k.oid), k.condeferrable::text || k.condeferred::text)
           AS line
    FROM pg_constraint k WHERE k.conrelid = r.oid OFFSET 0
  ) x
  UNION ALL
  SELECT r.oid, format('v %s.%s %s', r.nspname, r.relname, pg_get_viewdef(r.oid))
  FROM todo r WHERE r.relkind IN ('v', 'm')
  UNION ALL
  SELECT r.oid, x.line FROM todo r CROSS JOIN LATERAL (
    SELECT format('s %s.%s %s %s %s %s %s %s', r.nspname, r.relname, s.seqtypid::regtype,
                  s.seqstart, s.seqincrement, s.seqmax, s.seqmin, s.seqcycle) AS line
    FROM pg_sequence s WHERE s.seqrelid = r.oid OFFSET 0
  ) x
  UNION ALL
  SELECT r.oid, x.line FROM todo r CROSS JOIN LATERAL (
    SELECT format('t %s', pg_get_triggerdef(t.oid)) AS line
    FROM pg_trigger t WHERE t.tgrelid = r.oid AND NOT t.tgisinternal OFFSET 0
  ) x
  UNION ALL
  SELECT r.oid, x.line FROM todo r CROSS JOIN LATERAL (
    SELECT format('p %s %s', p.polname, pg_get_expr(p.polqual, p.polrelid)) AS line
    FROM pg_policy p WHERE p.polrelid = r.oid OFFSET 0
  ) x
)
SELECT 'r', t.oid::text, h.hash FROM todo t JOIN (
  SELECT o, md5(string_agg(line, E'\\n' ORDER BY line)) AS hash FROM lines GROUP BY o
) h ON h.o = t.oid
UNION ALL  -- touched, but no relation of the digest (now)
SELECT '-', o::text, NULL FROM touched
WHERE o IS NOT NULL AND NOT EXISTS (SELECT 1 FROM todo WHERE todo.oid = touched.o)
UNION ALL
SELECT '+' || t, k, NULL FROM fresh
UNION ALL
SELECT '#' || t, n::text, NULL FROM counts
UNION ALL
SELECT 'w', (txid_snapshot_xmax(txid_current_snapshot()) % 4294967296)::text,
       (SELECT coalesce(array_agg(backend_xid), '{}')::text FROM pg_stat_activity
        WHERE datname = current_database() AND backend_xid IS NOT NULL)
UNION ALL
-- Objects that are not relations: few in any schema, so read whole every time (only
-- user objects: oid >= 16384, FirstNormalObjectId).
SELECT 'g', NULL, md5(coalesce(string_agg(line, E'\\n' ORDER BY line), '')) FROM (
  SELECT format('y %s.%s %s %s %s %s', n.nspname, t.typname, t.typtype,
                format_type(t.typbasetype, t.typtypmod), t.typnotnull,
                (SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)
                 FROM pg_enum e WHERE e.enumtypid = t.oid)) AS line
  FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
  WHERE t.oid >= 16384 AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
    AND (t.typtype IN ('e', 'd') OR t.oid IN (  -- composite types, not tables' row types
      SELECT tc.reltype FROM pg_class tc WHERE tc.relkind = 'c' AND tc.oid >= 16384))
  UNION ALL
  SELECT format('d %s %s %s', t.typname, k.conname, pg_get_constraintdef(k.oid))
  FROM pg_constraint k JOIN pg_type t ON t.oid = k.contypid
  WHERE k.contypid >= 16384
  UNION ALL
  SELECT format('f %s.%s(%s) %s', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid),
                md5(pg_get_functiondef(p.oid)))
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
  WHERE p.oid >= 16384 AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND p.prokind IN ('f', 'p')
    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
  UNION ALL
  SELECT format('n %s', n.nspname) FROM pg_namespace n
  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'public')
    AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
  UNION ALL
  SELECT format('x %s %s', e.extname, e.extversion) FROM pg_extension e
  UNION ALL  -- extended statistics: their text names their table and columns
  SELECT format('z %s %s', pg_get_statisticsobjdef(s.oid), s.stxstattarget)
  FROM pg_statistic_ext s WHERE s.oid >= 16384
) AS global_lines
"""

_PROBE = _PROBE_HEAD + _SCAN + _PROBE_TAIL

_SQLITE = """
SELECT type, name, tbl_name, sql FROM sqlite_master
WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name
"""


@frozen
class State:
    """What one probe saw: the keys of the catalogs' user rows (by catalog), each
    relation's text hash (by oid), the other objects' hash, and the watermark the next
    probe is relative to. The empty state is the base of a full probe."""

    keys: Mapping[str, frozenset[str]] = field(default_factory=dict)
    hashes: Mapping[int, str] = field(default_factory=dict)
    rest: str = ""
    #: the first transaction id not yet assigned then ("0": none, every row is fresh)
    watermark: str = "0"
    #: the transactions then in progress in this database, as a PostgreSQL xid[] literal
    in_progress: str = "{}"

    @property
    def digest(self) -> str:
        """Equal for equal schemas whatever the base was: a hash of the multiset of the
        relations' text hashes and the other objects' lines (names, never OIDs)."""
        lines = sorted(self.hashes.values())
        return hashlib.md5("\n".join([*lines, self.rest]).encode()).hexdigest()


class Fingerprint:
    """Digests of one database's schema over a run, each reading only what changed.

    ``dbshift test`` takes two digests per migration; a full one reads and deparses every
    relation (50 ms at 200 tables on a loaded 2-core machine, most of a run). This one
    deparses only the relations that changed since a base state (see ``_PROBE``): its
    cost is a lean pass over the catalogs' user rows plus the change. When a row was
    removed without a new version (a drop), it cannot tell whose, and probes in full. A
    digest is the same whatever the base was (``schema_digest`` starts from none).

    The base must be a state the database has not gone back behind: a probe taken inside
    a transaction that is later rolled back must not be kept (``keep=False``), since the
    rows its transaction removed come back with their old xmin. The stairway keeps only
    probes taken outside a transaction.
    """

    def __init__(self, exclude: Collection[str] = ()) -> None:
        self.exclude = tuple(exclude)
        #: the state the next probe is relative to (the last kept one)
        self.state = State()
        self._prepared: str | None = None
        self._names = itertools.count()

    def probe_sql(self, base: State | None = None) -> str:
        """The probe relative to ``base`` (else the last kept state) as one parameterless
        statement."""
        base = self.state if base is None else base
        literal = _literal()
        return self._sql(
            xip=f"{literal(base.in_progress)}::xid[]", w=f"{literal(base.watermark)}::xid"
        )

    def batch_sql(self, base: State | None = None) -> str:
        """The probe relative to ``base`` for a batch of statements: prepared once per
        session, since planning it costs about as much as running it. After a batch that
        failed, call ``forget_prepared``: the next batch prepares it again."""
        base = self.state if base is None else base
        literal = _literal()
        head = ""
        if self._prepared is None:
            self._prepared = f"dbshift_fingerprint_{next(self._names)}"
            head = f"PREPARE {self._prepared}(xid[], xid) AS {self._sql(xip='$1', w='$2')}\n;\n"
        return f"{head}EXECUTE {self._prepared}({literal(base.in_progress)}, {literal(base.watermark)})"

    @staticmethod
    def keep_prepared_on(dbapi_connection: Any) -> None:
        """Make the session keep the prepared probe: psycopg 3, once it has prepared
        statements of its own (any query run 5 times), sends ``DEALLOCATE ALL`` after a
        command whose status is ROLLBACK, DROP or ALTER, which deallocates the probe too.
        Its automatic preparation is turned off on this session (None: no such driver)."""
        if hasattr(dbapi_connection, "prepare_threshold"):
            dbapi_connection.prepare_threshold = None

    @staticmethod
    def clock_sql(name: str) -> str:
        """A statement returning the server's clock now, as column ``name``, for timing
        the statements between two of them in one batch."""
        return f"SELECT clock_timestamp() AS {_quote(name)}"

    @staticmethod
    def elapsed_sql(name: str, *, keep: str) -> str:
        """A statement returning, as column ``name``, the milliseconds since the batch it
        is in began (in a simple-query batch, ``now()`` is when the batch arrived), and
        keeping them in session setting ``keep`` (a dotted name: reverted with the
        transaction it runs in, kept when it commits)."""
        return (
            f"SELECT set_config({_literal()(keep)}, (extract(epoch FROM"  # noqa: S608 (quoted)
            f" clock_timestamp() - now()) * 1000)::text, false) AS {_quote(name)}"
        )

    @staticmethod
    def kept_sql(keep: str) -> str:
        """The value ``elapsed_sql`` last kept in ``keep`` (NULL: none yet)."""
        return f"SELECT current_setting({_literal()(keep)}, true)"

    def forget_prepared(self) -> None:
        """A batch failed: the prepared probe may be gone (a migration may deallocate it),
        or not, so the next batch prepares it under a new name."""
        self._prepared = None

    def _sql(self, *, xip: str, w: str) -> str:
        literal = _literal()
        exclude = ", ".join(literal(name) for name in self.exclude) or "''"
        return (
            _PROBE.replace(":exclude", f"ARRAY[{exclude}]::text[]")
            .replace(":xip", xip)
            .replace(":w", w)
        )

    def digest(
        self, rows: Iterable[Sequence[Any]], base: State | None = None, *, keep: bool = True
    ) -> str | None:
        """The digest from the probe's rows, or None when a row was removed since the base
        (probe again in full: ``read`` does). ``keep``: the next probe is relative to it."""
        base = self.state if base is None else base
        keys = dict(base.keys)
        added: dict[str, set[str]] = {}
        counts: dict[str, int] = {}
        hashes = dict(base.hashes)
        rest, watermark, in_progress = base.rest, base.watermark, base.in_progress
        for kind, value, text in rows:
            if kind == "r":
                hashes[int(value)] = str(text)
            elif kind == "-":
                hashes.pop(int(value), None)
            elif kind[0] == "+":
                added.setdefault(kind[1:], set()).add(str(value))
            elif kind[0] == "#":
                counts[kind[1:]] = int(value)
            elif kind == "w":
                watermark, in_progress = str(value), str(text)
            else:
                rest = str(text)
        for catalog, new in added.items():
            keys[catalog] = keys.get(catalog, frozenset()) | new
        if any(len(keys.get(c, ())) != counts.get(c, 0) for c in {*keys, *counts}):
            return None  # a row went without a new version: whose, only a full probe says
        state = State(keys, hashes, rest, watermark, in_progress)
        if keep:
            self.state = state
        return state.digest

    def read(self, conn: Connection, *, keep: bool = True) -> str:
        """Probe ``conn`` now, relative to the last kept state (in full when that cannot
        tell what changed)."""
        raw = conn.execution_options(no_parameters=True)  # the probe's format() has %s
        found = self.digest(raw.exec_driver_sql(self.probe_sql()).fetchall(), keep=keep)
        if found is None:
            rows = raw.exec_driver_sql(self.probe_sql(State())).fetchall()
            found = self.digest(rows, State(), keep=keep)
        if found is None:  # the empty base counts every row: cannot happen
            raise AssertionError("a full fingerprint probe did not count its own rows")
        return found


def _literal() -> Callable[[str], str]:
    from dbshift.dialects.postgres import PostgresDialect

    return PostgresDialect().literal


def _quote(name: str) -> str:
    from dbshift.dialects.postgres import PostgresDialect

    return PostgresDialect().quote(name)


def fingerprint_for(dialect: Dialect, exclude: Collection[str] = ()) -> Fingerprint | None:
    """An incremental fingerprint where the server has one (PostgreSQL), else None."""
    from dbshift.dialects.postgres import PostgresDialect

    return Fingerprint(exclude) if isinstance(dialect, PostgresDialect) else None


def schema_digest(conn: Connection, *, exclude: Collection[str] = ()) -> str | None:
    """The fingerprint of the schema ``conn`` sees (None: no digest for this server)."""
    from dbshift.dialects import named
    from dbshift.dialects.mysql import MySQLDialect
    from dbshift.dialects.sqlite import SQLiteDialect

    dialect = named(conn.dialect.name)  # SQLAlchemy's name; mariadb is mysql
    fingerprint = fingerprint_for(dialect, exclude)
    if fingerprint is not None:
        return fingerprint.read(conn)
    if isinstance(dialect, MySQLDialect):
        from dbshift.inspect.digest_mysql import mysql_digest

        return mysql_digest(conn, exclude=exclude)
    if isinstance(dialect, SQLiteDialect):
        skip = set(exclude)
        rows = [
            r
            for r in conn.exec_driver_sql(_SQLITE).fetchall()
            if r[1] not in skip and r[2] not in skip
        ]
        return hashlib.sha256(repr(rows).encode()).hexdigest()
    return None
