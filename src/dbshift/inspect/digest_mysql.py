"""MySQL/MariaDB: a schema's digest from the catalog rows the inspector reads, without the model.

The stairway compares the schema before each migration's up with the one after its down;
inspecting both (and diffing) costs about as much as reading the catalog, and the one
query that dominated it is ``information_schema.TRIGGERS``, which on MariaDB opens every
table of the database to look for triggers (17 ms of 30 at 200 tables, growing with the
schema). ``SHOW TRIGGERS`` reads the same triggers from the trigger files alone, in the
order they fire (their ``ACTION_ORDER``), about 20 times faster.

The big row sets (TABLES, COLUMNS, STATISTICS) are hashed row by row by the server, so the
client parses one short value a row (pymysql parses in Python: reading those rows whole cost
the client more than the server). Everything the inspector reads goes in, row for row (``inspect.mysql``: the server's
defaults and sql_mode, the refused kinds, TABLES, COLUMNS, STATISTICS, checks, foreign keys,
views with SHOW CREATE VIEW's text, routines with their parameters and SHOW CREATE's
parameter list, triggers, sequences' options), so equal digests mean the inspector would
read equal rows, hence equal schemas: a change the inspector sees cannot digest as
unchanged. Rows are ordered where the order means nothing (a table's place in TABLES) and
kept in the server's order where it does (columns by position, a table's keys in key order,
triggers in firing order). The reverse need not hold: a trigger dropped and created again
the same way digests the same, but a digest that differs only sends the caller to the
inspector and the differ, which decide.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING, Any

from dbshift.dialects.base import Product
from dbshift.dialects.mysql import MySQLDialect
from dbshift.inspect import mysql_queries as q
from dbshift.inspect.catalog import Catalog, catalog_of
from dbshift.inspect.mysql_text import quote_identifier

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from dbshift.direct import Connection as DriverConnection

__all__ = ["mysql_digest"]

Row = tuple[Any, ...]


def _hash(*columns: str) -> str:
    """A row's columns hashed by the server (QUOTE tells NULL from 'NULL'): the client then
    parses one short value a row instead of ten (pymysql parses rows in Python, and the
    row-for-row digest spent more time there than the server did reading them)."""
    quoted = ", ".join(f"QUOTE(`{c}`)" for c in columns)
    return f"MD5(CONCAT_WS(0x1f, {quoted}))"


#: The inspector's TABLES, COLUMNS and STATISTICS rows (``mysql_queries``), each hashed
#: whole by the server, with the table's name (and type) to leave dbshift's own out.
_TABLE_ROW = _hash(
    "TABLE_NAME", "TABLE_TYPE", "TABLE_COLLATION", "TABLE_COMMENT", "ENGINE", "CREATE_OPTIONS"
)
_COLUMN_ROW = _hash(
    "TABLE_NAME",
    "COLUMN_NAME",
    "ORDINAL_POSITION",
    "COLUMN_TYPE",
    "DATA_TYPE",
    "IS_NULLABLE",
    "COLUMN_DEFAULT",
    "EXTRA",
    "GENERATION_EXPRESSION",
    "COLLATION_NAME",
    "COLUMN_COMMENT",
)
_KEY_PARTS = (
    "TABLE_NAME",
    "INDEX_NAME",
    "NON_UNIQUE",
    "COLUMN_NAME",
    "COLLATION",
    "SUB_PART",
    "INDEX_TYPE",
    "SEQ_IN_INDEX",
    "INDEX_COMMENT",
)

TABLES = f"""
SELECT TABLE_NAME, TABLE_TYPE, {_TABLE_ROW}
FROM information_schema.TABLES
WHERE TABLE_SCHEMA = DATABASE()
"""  # noqa: S608 (column names of this module only)

COLUMNS = f"""
SELECT TABLE_NAME, {_COLUMN_ROW}
FROM information_schema.COLUMNS
WHERE TABLE_SCHEMA = DATABASE()
ORDER BY TABLE_NAME, ORDINAL_POSITION
"""  # noqa: S608 (column names of this module only)

#: Not sorted: each table's keys in the server's key order, as the inspector reads them.
#: ``{ignored}``: MariaDB 10.6+ says whether the optimizer ignores an index.
STATISTICS_MARIADB = f"""
SELECT TABLE_NAME, {_hash(*_KEY_PARTS)}{{ignored}}
FROM information_schema.STATISTICS
WHERE TABLE_SCHEMA = DATABASE()
"""  # noqa: S608 (column names of this module only)

STATISTICS_MYSQL8 = f"""
SELECT TABLE_NAME, {_hash(*_KEY_PARTS, "EXPRESSION", "IS_VISIBLE")}
FROM information_schema.STATISTICS
WHERE TABLE_SCHEMA = DATABASE()
"""  # noqa: S608 (column names of this module only)

#: SHOW TRIGGERS' columns but ``Created``, the creation time (a trigger made again the same
#: way is the same trigger to the inspector).
_TRIGGER_CREATED = 5


def mysql_digest(conn: Connection | DriverConnection, *, exclude: Collection[str] = ()) -> str:
    """The digest of the schema of the connection's current database (``DATABASE()``)."""
    catalog = catalog_of(conn)
    skip = frozenset(exclude)
    sections: list[tuple[str, Iterable[Row]]] = []
    server = _rows(catalog, q.SERVER)
    version_text = str(server[0][0]).lower()
    #: The inspector's queries name the database they read (``:db``): this one.
    db = {"db": server[0][1]}
    mariadb = MySQLDialect.product_of(version_text) is Product.MARIADB
    version = _version(version_text)
    sections.append(("server", server))
    sections.append(("refused", sorted(_rows(catalog, q.UNSUPPORTED, db), key=repr)))
    key_parts: tuple[str, ...] = _KEY_PARTS
    if not mariadb:
        key_parts = (*_KEY_PARTS, "EXPRESSION", "IS_VISIBLE")
    elif version >= (10, 6):
        key_parts = (*_KEY_PARTS, "IGNORED")
    folded = [
        _fold(catalog, "TABLES", _TABLE_ROW, "", skip),
        _fold(catalog, "COLUMNS", _COLUMN_ROW, ", ORDINAL_POSITION", skip),
        _fold(
            catalog,
            "STATISTICS",
            _hash(*key_parts),
            ", CAST(INDEX_NAME AS BINARY), SEQ_IN_INDEX",
            skip,
        ),
    ]
    whole = [f for f in folded if f is not None]
    if len(whole) == len(folded):
        sections.append(("folded", whole))
        tables = _rows(catalog, _SPECIAL_TABLES)
    else:  # a GROUP_CONCAT was cut at group_concat_max_len: row by row
        tables = _rows(catalog, TABLES)
        sections.append(("tables", sorted((r for r in tables if r[0] not in skip), key=repr)))
        # Ordered by table and position in the query: kept.
        sections.append(("columns", [r for r in _rows(catalog, COLUMNS) if r[0] not in skip]))
        if mariadb:  # IGNORED: MariaDB 10.6+
            ignored = ", IGNORED" if version >= (10, 6) else ""
            statistics = STATISTICS_MARIADB.format(ignored=ignored)
        else:
            statistics = STATISTICS_MYSQL8
        sections.append(("keys", _by_table(_rows(catalog, statistics), skip)))
    if version >= ((10, 2, 22) if mariadb else (8, 0, 16)):
        # With LEVEL where the inspector reads it: a check moved between a column and its
        # table is a change (the inspector models the two apart).
        checks_sql = q.CHECKS_MYSQL8
        if mariadb:
            checks_sql = q.CHECKS_MARIADB_LEVEL if version >= (10, 5, 10) else q.CHECKS_MARIADB
        checks = _rows(catalog, checks_sql, db)
        sections.append(("checks", sorted((r for r in checks if r[0] not in skip), key=repr)))
    rules = _rows(catalog, q.FOREIGN_KEY_RULES, db)
    sections.append(("fk rules", sorted((r for r in rules if r[0] not in skip), key=repr)))
    # A key's columns in their position order, keys grouped by table and name.
    fk_columns = _rows(catalog, q.FOREIGN_KEY_COLUMNS, db)
    sections.append(
        ("fk columns", sorted((r for r in fk_columns if r[0] not in skip), key=lambda r: r[:2]))
    )
    if any(r[1] == "VIEW" for r in tables):
        views = sorted(_rows(catalog, q.VIEWS_MARIADB if mariadb else q.VIEWS, db), key=repr)
        sections.append(("views", views))
        for name, *_ in views:
            sections.append(("view text", _rows(catalog, f"SHOW CREATE VIEW {_quote(name)}")))
    routines = sorted(_rows(catalog, q.ROUTINES, db), key=repr)
    sections.append(("routines", routines))
    sections.append(("parameters", sorted(_rows(catalog, q.PARAMETERS, db), key=lambda r: r[:2])))
    for name, kind, *_ in routines:
        sections.append(("routine text", _rows(catalog, f"SHOW CREATE {kind} {_quote(name)}")))
    triggers = [
        r[:_TRIGGER_CREATED] + r[_TRIGGER_CREATED + 1 :]
        for r in _rows(catalog, "SHOW TRIGGERS")
        if r[2] not in skip
    ]
    sections.append(("triggers", sorted(triggers, key=lambda r: str(r[2]))))  # stable
    sequences = sorted(r[0] for r in tables if r[1] == "SEQUENCE" and r[0] not in skip)
    if sequences:
        sections.append(("sequences", _rows(catalog, q.sequences([_quote(n) for n in sequences]))))
    if _partitioned(catalog):
        # A partition's bounds and names are in no row above (TABLES says "partitioned").
        parts = [r for r in _rows(catalog, q.PARTITIONS, db) if r[0] not in skip]
        sections.append(("partitions", parts))
    digest = hashlib.sha256()
    for name, rows in sections:
        digest.update(f"\x00{name}\x00".encode())
        for row in rows:
            digest.update(repr(row).encode())
            digest.update(b"\n")
    return digest.hexdigest()


#: The views and sequences, which the digest reads more about (TABLES' other rows are folded).
_SPECIAL_TABLES = """
SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES
WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE IN ('VIEW', 'SEQUENCE')
"""


def _fold(
    catalog: Catalog, view: str, row_hash: str, order: str, skip: frozenset[str]
) -> Row | None:
    """One ``information_schema`` view's rows of this database (but dbshift's own tables,
    compared byte for byte) as their count and the concatenation of their hashes in a fixed
    order, hashed: one row to read instead of hundreds. None when the concatenation was cut
    at ``group_concat_max_len`` (its length tells): the caller reads the rows."""
    literal = MySQLDialect().literal
    leave_out = (
        f" AND CAST(TABLE_NAME AS BINARY) NOT IN ({', '.join(literal(n) for n in sorted(skip))})"
        if skip
        else ""
    )
    sql = (
        f"SELECT COUNT(*), GROUP_CONCAT({row_hash}"  # noqa: S608 (this module's names; literals)
        f" ORDER BY CAST(TABLE_NAME AS BINARY){order} SEPARATOR '')"
        f" FROM information_schema.{view} WHERE TABLE_SCHEMA = DATABASE(){leave_out}"
    )
    count, hashes = _rows(catalog, sql)[0]
    hashes = hashes or ""
    if len(hashes) != 32 * int(count):
        return None
    return (view, int(count), hashlib.sha256(hashes.encode()).hexdigest())


def _by_table(rows: list[Row], skip: frozenset[str]) -> list[Row]:
    """Grouped by table (stable: each table's rows keep the server's order)."""
    return sorted((r for r in rows if r[0] not in skip), key=lambda r: str(r[0]))


def _rows(catalog: Catalog, sql: str, params: dict[str, Any] | None = None) -> list[Row]:
    # MySQL 8 returns some information_schema text columns as binary strings.
    return [
        tuple(v.decode() if isinstance(v, bytes) else v for v in row)
        for row in catalog.rows(sql, params)
    ]


def _partitioned(catalog: Catalog) -> bool:
    """Whether any table of this database is partitioned (the folded TABLES rows hide it)."""
    return bool(_rows(catalog, _PARTITIONED)[0][0])


_PARTITIONED = """
SELECT COUNT(*) FROM information_schema.TABLES
WHERE TABLE_SCHEMA = DATABASE() AND LOCATE('partitioned', CREATE_OPTIONS) > 0
"""


def _quote(name: str) -> str:
    return quote_identifier(name)


def _version(text: str) -> tuple[int, ...]:
    import re

    numbers = re.match(r"(\d+)\.(\d+)\.(\d+)", text)
    return tuple(int(n) for n in numbers.groups()) if numbers else (0, 0, 0)
