"""What the online engine asks PostgreSQL's catalog while a migration runs.

Each question is about one relation, asked at the moment a phase needs it (a column's
type before its trigger is written, an INVALID index left by a killed build, who holds
the lock a DDL statement waits for), so it is read here, not through the inspector's
whole-schema model. ``rel`` is always the qualified, quoted name of a relation (read
with ``::regclass``); names and values go to the driver as parameters.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

#: Visible columns of a table, in order, without other migrations' hidden columns.
_COLUMNS_SQL = """
SELECT a.attname, format_type(a.atttypid, a.atttypmod)
FROM pg_attribute a
WHERE a.attrelid = %(rel)s::regclass AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum
"""

#: Primary key columns in key order, with their types (for keyset batches).
_PRIMARY_KEY_SQL = """
SELECT a.attname, format_type(a.atttypid, a.atttypmod)
FROM pg_index i
JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) ON true
JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
WHERE i.indrelid = %(rel)s::regclass AND i.indisprimary
ORDER BY k.ord
"""

#: Sessions holding a granted lock on a relation (who blocks our DDL).
_LOCK_HOLDERS_SQL = """
SELECT l.pid, l.mode, coalesce(a.usename, ''), coalesce(a.application_name, ''),
       coalesce(a.state, ''), coalesce(extract(epoch FROM now() - a.xact_start), 0),
       left(coalesce(a.query, ''), 120)
FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.relation = %(rel)s::regclass AND l.granted AND l.pid <> pg_backend_pid()
ORDER BY a.xact_start NULLS LAST
"""

_INVALID_INDEX_SQL = """
SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = %(schema)s AND c.relname = %(name)s AND NOT i.indisvalid
"""

#: A column's default, nullability, and its type with a collation other than the type's
#: own (an alter_column that keeps the type keeps the collation too).
_COLUMN_SQL = """
SELECT pg_get_expr(d.adbin, d.adrelid), a.attnotnull,
       format_type(a.atttypid, a.atttypmod)
       || CASE WHEN a.attcollation <> t.typcollation AND a.attcollation <> 0
               THEN ' COLLATE ' || a.attcollation::regcollation::text ELSE '' END
FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attrelid = %(rel)s::regclass AND a.attname = %(column)s AND NOT a.attisdropped
"""

_RELATION_SQL = """
SELECT c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = %(schema)s AND c.relname = %(name)s
"""

_CONSTRAINT_SQL = """
SELECT 1 FROM pg_constraint WHERE conrelid = to_regclass(%(rel)s) AND conname = %(name)s
"""


def exists(conn: Connection, rel: str) -> bool:
    return conn.exec_driver_sql("SELECT to_regclass(%(rel)s)", {"rel": rel}).scalar() is not None


def columns(conn: Connection, rel: str) -> list[tuple[str, str]]:
    """(name, type) of each column of ``rel``, in order (empty if it has none)."""
    rows = conn.exec_driver_sql(_COLUMNS_SQL, {"rel": rel}).all()
    return [(str(r[0]), str(r[1])) for r in rows]


def primary_key(conn: Connection, rel: str) -> list[tuple[str, str]]:
    """(name, type) of each primary key column of ``rel``, in key order."""
    rows = conn.exec_driver_sql(_PRIMARY_KEY_SQL, {"rel": rel}).all()
    return [(str(r[0]), str(r[1])) for r in rows]


class LockHolder(NamedTuple):
    pid: int
    mode: str
    user: str
    application: str
    state: str
    seconds: float
    query: str


def lock_holders(conn: Connection, rel: str) -> list[LockHolder]:
    """Other sessions holding a granted lock on ``rel``, longest-running first."""
    rows = conn.exec_driver_sql(_LOCK_HOLDERS_SQL, {"rel": rel}).all()
    return [LockHolder(*r) for r in rows]


def invalid_index(conn: Connection, schema: str, name: str) -> bool:
    """Whether ``schema.name`` is an INVALID index (a concurrent build killed half-way)."""
    found = conn.exec_driver_sql(_INVALID_INDEX_SQL, {"schema": schema, "name": name})
    return found.first() is not None


class ColumnState(NamedTuple):
    default: str | None
    not_null: bool
    #: The type, with a COLLATE clause when the column's collation is not its type's.
    data_type: str


def column_state(conn: Connection, rel: str, column: str) -> ColumnState | None:
    """The default, nullability and type of ``rel.column`` (None: no such column)."""
    row = conn.exec_driver_sql(_COLUMN_SQL, {"rel": rel, "column": column}).first()
    return None if row is None else ColumnState(row[0], bool(row[1]), row[2])


def relation_kind(conn: Connection, schema: str, name: str) -> str | None:
    """``pg_class.relkind`` of the relation ``schema.name`` (None: there is none)."""
    row = conn.exec_driver_sql(_RELATION_SQL, {"schema": schema, "name": name}).first()
    return None if row is None else str(row[0])


def has_constraint(conn: Connection, rel: str, name: str) -> bool:
    found = conn.exec_driver_sql(_CONSTRAINT_SQL, {"rel": rel, "name": name})
    return found.first() is not None


# --- what follows a column to its hidden copy (online/carry.py) -----------------------------

_ATTRIBUTE_SQL = """
SELECT a.attnum, a.attidentity, a.attgenerated, col_description(a.attrelid, a.attnum),
       (SELECT s.oid::regclass::text FROM pg_depend d JOIN pg_class s ON s.oid = d.objid
        WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
          AND d.refobjid = a.attrelid AND d.refobjsubid = a.attnum AND d.deptype = 'a'
          AND s.relkind = 'S' LIMIT 1)
FROM pg_attribute a
WHERE a.attrelid = %(rel)s::regclass AND a.attname = %(column)s AND NOT a.attisdropped
"""

#: Indexes on the table that use the column (as a key, in an expression or a predicate),
#: with the constraint they back, if any.
_INDEXES_SQL = """
SELECT c.relname, pg_get_indexdef(i.indexrelid), i.indisprimary, i.indisexclusion,
       con.conname, con.contype, con.condeferrable, con.condeferred
FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid
LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid
     AND con.contype IN ('p', 'u', 'x')
WHERE i.indrelid = %(rel)s::regclass
  AND (%(attnum)s = ANY(i.indkey::int2[])
       OR EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = i.indexrelid
                    AND d.refobjid = i.indrelid AND d.refobjsubid = %(attnum)s))
ORDER BY c.relname
"""

#: Check and foreign-key constraints of the table on the column.
_CONSTRAINTS_SQL = """
SELECT conname, contype, pg_get_constraintdef(oid), convalidated
FROM pg_constraint
WHERE conrelid = %(rel)s::regclass AND contype IN ('c', 'f')
  AND %(attnum)s = ANY(conkey)
ORDER BY conname
"""

#: Foreign keys of any table pointing at the column.
_REFERENCED_SQL = """
SELECT conname, conrelid::regclass::text FROM pg_constraint
WHERE confrelid = %(rel)s::regclass AND contype = 'f' AND %(attnum)s = ANY(confkey)
ORDER BY conname
"""

#: Other objects depending on the column: views and rules, triggers, policies, extended
#: statistics (dbshift's own version schemas of completed migrations excepted: complete
#: drops them before the column).
_DEPENDENTS_SQL = """
SELECT CASE d.classid
         WHEN 'pg_rewrite'::regclass THEN
           (SELECT 'view or rule ' || r.ev_class::regclass::text
            FROM pg_rewrite r WHERE r.oid = d.objid)
         WHEN 'pg_trigger'::regclass THEN
           (SELECT 'trigger ' || t.tgname FROM pg_trigger t WHERE t.oid = d.objid)
         WHEN 'pg_policy'::regclass THEN
           (SELECT 'policy ' || p.polname FROM pg_policy p WHERE p.oid = d.objid)
         WHEN 'pg_statistic_ext'::regclass THEN
           (SELECT 'statistics ' || s.stxname FROM pg_statistic_ext s WHERE s.oid = d.objid)
       END
FROM pg_depend d
WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid = %(rel)s::regclass
  AND d.refobjsubid = %(attnum)s AND d.deptype = 'n'
  AND d.classid IN ('pg_rewrite'::regclass, 'pg_trigger'::regclass, 'pg_policy'::regclass,
                    'pg_statistic_ext'::regclass)
  AND NOT EXISTS (
    SELECT 1 FROM pg_rewrite r JOIN pg_class v ON v.oid = r.ev_class
    WHERE d.classid = 'pg_rewrite'::regclass AND r.oid = d.objid
      AND v.relnamespace::regnamespace::text = ANY(%(ignored)s) AND v.relkind = 'v'
  )
ORDER BY 1
"""


class Attribute(NamedTuple):
    attnum: int
    #: ``attidentity`` / ``attgenerated``: empty when the column is neither.
    identity: str
    generated: str
    comment: str | None
    #: An owned sequence (serial), qualified as ``regclass`` prints it.
    sequence: str | None


class ColumnIndex(NamedTuple):
    """An index using the column, with the constraint it backs (if any)."""

    name: str
    definition: str
    primary: bool
    exclusion: bool
    constraint: str | None
    #: ``contype`` of that constraint: p, u or x (None: a plain index).
    contype: str | None
    deferrable: bool
    deferred: bool


class ColumnConstraint(NamedTuple):
    name: str
    #: "c" (check) or "f" (foreign key).
    contype: str
    definition: str
    validated: bool


def _run(conn: Connection, sql: str, args: dict[str, Any]) -> list[Any]:
    return list(conn.execution_options(no_parameters=False).exec_driver_sql(sql, args).all())


def attribute(conn: Connection, rel: str, column: str) -> Attribute | None:
    rows = _run(conn, _ATTRIBUTE_SQL, {"rel": rel, "column": column})
    return Attribute(*rows[0]) if rows else None


def column_indexes(conn: Connection, rel: str, attnum: int) -> list[ColumnIndex]:
    """Indexes of ``rel`` using the column (as a key, in an expression or a predicate)."""
    return [ColumnIndex(*r) for r in _run(conn, _INDEXES_SQL, {"rel": rel, "attnum": attnum})]


def column_constraints(conn: Connection, rel: str, attnum: int) -> list[ColumnConstraint]:
    """Check and foreign-key constraints of ``rel`` on the column."""
    rows = _run(conn, _CONSTRAINTS_SQL, {"rel": rel, "attnum": attnum})
    return [ColumnConstraint(*r) for r in rows]


def referencing(conn: Connection, rel: str, attnum: int) -> list[tuple[str, str]]:
    """(constraint, table) of the foreign keys of any table pointing at the column."""
    rows = _run(conn, _REFERENCED_SQL, {"rel": rel, "attnum": attnum})
    return [(str(r[0]), str(r[1])) for r in rows]


def dependents(conn: Connection, rel: str, attnum: int, *, ignored: list[str]) -> list[str]:
    """What else depends on the column (``view or rule …``, ``trigger …``, ``policy …``,
    ``statistics …``), views in the ``ignored`` schemas excepted."""
    rows = _run(conn, _DEPENDENTS_SQL, {"rel": rel, "attnum": attnum, "ignored": ignored})
    return [str(r[0]) for r in rows]
