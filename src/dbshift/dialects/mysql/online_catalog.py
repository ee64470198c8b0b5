"""What the online engine asks MySQL's / MariaDB's catalog while a migration runs.

Each question is about one table (or, for lock holders, the server), asked at the moment
a phase needs it: the columns and key start journals before anything changes, the
columns a shadow or a view is built from, the foreign keys into and out of a table that
is swapped, which transactions hold the metadata lock a DDL statement waits for. Names
and values go to the driver as parameters.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

_COLUMNS_SQL = """
SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA, COLUMN_COMMENT
FROM information_schema.COLUMNS
WHERE TABLE_SCHEMA = %(schema)s AND TABLE_NAME = %(table)s
ORDER BY ORDINAL_POSITION
"""

_KEY_SQL = """
SELECT k.COLUMN_NAME, c.COLUMN_TYPE, c.EXTRA
FROM information_schema.STATISTICS k
JOIN information_schema.COLUMNS c ON c.TABLE_SCHEMA = k.TABLE_SCHEMA
  AND c.TABLE_NAME = k.TABLE_NAME AND c.COLUMN_NAME = k.COLUMN_NAME
WHERE k.TABLE_SCHEMA = %(schema)s AND k.TABLE_NAME = %(table)s AND k.INDEX_NAME = 'PRIMARY'
ORDER BY k.SEQ_IN_INDEX
"""

#: Every index of a table (foreign keys' implicit ones included).
_INDEX_NAMES_SQL = """
SELECT DISTINCT INDEX_NAME FROM information_schema.STATISTICS
WHERE TABLE_SCHEMA = %(schema)s AND TABLE_NAME = %(table)s
"""

_TABLE_KIND_SQL = """
SELECT TABLE_TYPE FROM information_schema.TABLES
WHERE TABLE_SCHEMA = %(schema)s AND TABLE_NAME = %(table)s
"""

#: Open transactions (who holds the metadata locks a DDL statement waits for).
_HOLDERS_SQL = """
SELECT t.trx_mysql_thread_id, coalesce(p.USER, ''), TIMESTAMPDIFF(SECOND, t.trx_started, NOW()),
       left(coalesce(p.INFO, t.trx_query, ''), 120)
FROM information_schema.INNODB_TRX t
LEFT JOIN information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id
WHERE t.trx_mysql_thread_id <> CONNECTION_ID()
ORDER BY t.trx_started
LIMIT 3
"""

#: The foreign keys out of and into a table, a row per column.
_FOREIGN_KEYS_SQL = """
SELECT r.CONSTRAINT_SCHEMA, r.TABLE_NAME, r.CONSTRAINT_NAME, r.UNIQUE_CONSTRAINT_SCHEMA,
       r.REFERENCED_TABLE_NAME, r.UPDATE_RULE, r.DELETE_RULE, k.COLUMN_NAME,
       k.REFERENCED_COLUMN_NAME
FROM information_schema.REFERENTIAL_CONSTRAINTS r
JOIN information_schema.KEY_COLUMN_USAGE k
  ON k.CONSTRAINT_SCHEMA = r.CONSTRAINT_SCHEMA AND k.CONSTRAINT_NAME = r.CONSTRAINT_NAME
 AND k.TABLE_NAME = r.TABLE_NAME
WHERE (r.CONSTRAINT_SCHEMA = %(schema)s AND r.TABLE_NAME = %(table)s)
   OR (r.UNIQUE_CONSTRAINT_SCHEMA = %(schema)s AND r.REFERENCED_TABLE_NAME = %(table)s)
ORDER BY r.CONSTRAINT_SCHEMA, r.TABLE_NAME, r.CONSTRAINT_NAME, k.ORDINAL_POSITION
"""

#: Where one named key of a table points now (schema, table), if it exists.
_POINTS_SQL = """
SELECT UNIQUE_CONSTRAINT_SCHEMA, REFERENCED_TABLE_NAME
FROM information_schema.REFERENTIAL_CONSTRAINTS
WHERE CONSTRAINT_SCHEMA = %(schema)s AND TABLE_NAME = %(table)s AND CONSTRAINT_NAME = %(name)s
"""

_INDEX_COLUMNS_SQL = """
SELECT INDEX_NAME, COLUMN_NAME FROM information_schema.STATISTICS
WHERE TABLE_SCHEMA = %(schema)s AND TABLE_NAME = %(table)s ORDER BY INDEX_NAME, SEQ_IN_INDEX
"""


class ColumnRow(NamedTuple):
    name: str
    #: ``COLUMN_TYPE``: the full type (``int(11) unsigned``, ``varchar(40)``).
    type: str
    nullable: bool
    #: The default as SQL (None: no default).
    default: str | None
    #: ``EXTRA``: auto_increment, on update …, VIRTUAL GENERATED …
    extra: str
    comment: str


def _default(raw: Any) -> str | None:
    """information_schema's COLUMN_DEFAULT as SQL (MariaDB >= 10.2.7 gives it quoted, and
    the string ``NULL`` for a NULL default)."""
    if raw is None or raw == "NULL":
        return None
    return str(raw)


def _where(schema: str, table: str) -> dict[str, str]:
    return {"schema": schema, "table": table}


def columns(conn: Connection, schema: str, table: str) -> list[ColumnRow]:
    """The columns of ``schema.table`` in order (empty: no such table)."""
    rows = conn.exec_driver_sql(_COLUMNS_SQL, _where(schema, table)).all()
    return [
        ColumnRow(
            str(r[0]), str(r[1]), r[2] == "YES", _default(r[3]), str(r[4] or ""), str(r[5] or "")
        )
        for r in rows
    ]


def primary_key(conn: Connection, schema: str, table: str) -> list[tuple[str, str, str]]:
    """(name, COLUMN_TYPE, EXTRA) of each primary key column, in key order."""
    rows = conn.exec_driver_sql(_KEY_SQL, _where(schema, table)).all()
    return [(str(r[0]), str(r[1]), str(r[2])) for r in rows]


def index_names(conn: Connection, schema: str, table: str) -> list[str]:
    rows = conn.exec_driver_sql(_INDEX_NAMES_SQL, _where(schema, table)).all()
    return [str(r[0]) for r in rows]


def table_kind(conn: Connection, schema: str, table: str) -> str | None:
    """``TABLE_TYPE`` (BASE TABLE, VIEW, …) of ``schema.table``; None: there is none."""
    found = conn.exec_driver_sql(_TABLE_KIND_SQL, _where(schema, table)).scalar()
    return str(found) if found else None


class OpenTransaction(NamedTuple):
    thread: int
    user: str
    seconds: int | None
    query: str


def open_transactions(conn: Connection) -> list[OpenTransaction]:
    """The three oldest open transactions of other sessions."""
    return [OpenTransaction(*r) for r in conn.exec_driver_sql(_HOLDERS_SQL).all()]


def foreign_key_rows(conn: Connection, schema: str, table: str) -> list[tuple[str, ...]]:
    """The keys out of and into ``schema.table``, a row per column: (schema, table, name,
    parent schema, parent, ON UPDATE, ON DELETE, column, parent column), in key order."""
    rows = conn.exec_driver_sql(_FOREIGN_KEYS_SQL, _where(schema, table)).all()
    return [tuple(str(v) for v in r) for r in rows]


def points_at(conn: Connection, schema: str, table: str, name: str) -> tuple[str, str] | None:
    """(schema, table) the key ``name`` of ``schema.table`` references now, if it exists."""
    row = conn.exec_driver_sql(_POINTS_SQL, {**_where(schema, table), "name": name}).first()
    return (str(row[0]), str(row[1])) if row else None


def index_columns(conn: Connection, schema: str, table: str) -> dict[str, list[str]]:
    """Each index of ``schema.table`` and its columns, in order."""
    found: dict[str, list[str]] = {}
    for name, column in conn.exec_driver_sql(_INDEX_COLUMNS_SQL, _where(schema, table)).all():
        found.setdefault(str(name), []).append(str(column))
    return found
