"""The catalog queries behind ``inspect_mysql``: one per kind of object, whole database at once.

Every query is filtered by ``TABLE_SCHEMA = :db`` (or the view's equivalent column), the
database inspected (the connection's own, or another of a realm, ``dbshift.inspect.realm``):
MariaDB and MySQL turn an equality on the schema into a lookup of that one database, which
both keeps the query fast and makes the match exact (``information_schema`` columns are
``utf8mb3_general_ci``, so a ``LIKE`` or a join would mix ``Shop`` and ``shop``). For the same
reason rows are never joined on names in SQL: they are grouped and joined in Python, where
string equality is exact. Nothing here contains a name but ``sequences()`` (see there);
there is nothing to bind but the database's name.
"""

from __future__ import annotations

#: The database's defaults come along (``Schema.defaults``): tables report their engine
#: relative to them, their collation always. (Another database of a realm has its own
#: collation: ``DATABASE_COLLATION``.)
SERVER = (
    "SELECT VERSION(), DATABASE(), @@collation_database, @@default_storage_engine,"
    " @@GLOBAL.sql_mode, @@SESSION.character_set_client, @@SESSION.collation_connection"
)

DATABASE_COLLATION = """
SELECT DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = :db
"""

#: The databases a realm can hold: the server's own are never compared.
DATABASES = """
SELECT SCHEMA_NAME FROM information_schema.SCHEMATA
WHERE SCHEMA_NAME NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys')
ORDER BY SCHEMA_NAME
"""


#: A query's rows as one JSON array (MariaDB 10.5+), for the readers of ``inspect.mysql``:
#: PyMySQL decodes every field of every row in Python (at 1,000 tables, 30,000 rows of
#: columns, keys, checks and foreign keys were most of the inspection's client time), and
#: json.loads reads the same values in C. One aggregate over the whole query, not one a
#: table: no grouping, so the array keeps the rows in the order a plain SELECT returns
#: them (STATISTICS' key order among them, see there). The array is bounded by
#: group_concat_max_len (1 MB by default), raised for this one statement to its ceiling,
#: max_allowed_packet; an array cut there comes with COUNT(*) rows fewer, or fails to
#: load (the server closes a cut array, which may then be valid JSON: the count is what
#: tells), and the reader falls back to the plain query (``inspect.mysql._json_rows``).
def as_json(fields: str, source: str, order: str = "") -> str:
    """``SELECT fields source`` as one row: COUNT(*) and the rows as a JSON array."""
    return (
        "SET STATEMENT group_concat_max_len = @@max_allowed_packet FOR "
        f"SELECT COUNT(*), JSON_ARRAYAGG(JSON_ARRAY({fields}){order}) {source}"
    )


_TABLES_FIELDS = "TABLE_NAME, TABLE_TYPE, TABLE_COLLATION, TABLE_COMMENT, ENGINE, CREATE_OPTIONS"
_TABLES_SOURCE = "FROM information_schema.TABLES WHERE TABLE_SCHEMA = :db"
TABLES = f"SELECT {_TABLES_FIELDS} {_TABLES_SOURCE}"
TABLES_JSON = as_json(_TABLES_FIELDS, _TABLES_SOURCE)

#: Asked only when TABLES reports a partitioned table. A table that is not partitioned has
#: one row with PARTITION_NAME NULL; a subpartitioned one, a row per subpartition.
PARTITIONS = """
SELECT TABLE_NAME, PARTITION_NAME, SUBPARTITION_NAME, PARTITION_METHOD, PARTITION_EXPRESSION,
       PARTITION_DESCRIPTION, PARTITION_COMMENT
FROM information_schema.PARTITIONS
WHERE TABLE_SCHEMA = :db AND PARTITION_NAME IS NOT NULL
ORDER BY TABLE_NAME, PARTITION_ORDINAL_POSITION
"""

#: Not IS_GENERATED: MySQL 8 lacks it; EXTRA says VIRTUAL/STORED GENERATED on both servers.
COLUMNS = """
SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, DATA_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA,
       GENERATION_EXPRESSION, COLLATION_NAME, COLUMN_COMMENT
FROM information_schema.COLUMNS
WHERE TABLE_SCHEMA = :db
ORDER BY TABLE_NAME, ORDINAL_POSITION
"""

#: COLUMNS with each table's columns as one JSON array (MariaDB 10.5+: JSON_ARRAYAGG with
#: ORDER BY), and how many there are. One a table, unlike ``as_json``: a table's columns
#: stay well under group_concat_max_len's default, which the reader does not raise here
#: (a table cut there falls back to COLUMNS, see ``inspect.mysql._column_rows``). Grouped
#: on the name's bytes: the column compares case-insensitively, and ``Mixed`` and
#: ``mixed`` are two tables (TABLE_NAME itself too, for a session whose sql_mode has
#: ONLY_FULL_GROUP_BY).
COLUMNS_JSON = """
SELECT TABLE_NAME, COUNT(*),
       JSON_ARRAYAGG(JSON_ARRAY(COLUMN_NAME, COLUMN_TYPE, DATA_TYPE, IS_NULLABLE, COLUMN_DEFAULT,
                                EXTRA, GENERATION_EXPRESSION, COLLATION_NAME, COLUMN_COMMENT)
                     ORDER BY ORDINAL_POSITION)
FROM information_schema.COLUMNS
WHERE TABLE_SCHEMA = :db
GROUP BY BINARY TABLE_NAME, TABLE_NAME
"""

#: MariaDB (10.11 included) has no functional indexes and no EXPRESSION column; 10.6+ says
#: whether the optimizer ignores an index (``{ignored}``, see ``statistics_mariadb``). Not
#: sorted: the server lists each table's keys in its key order, as SHOW CREATE TABLE does
#: (an ORDER BY on the name lost it); the reader puts a key's parts in SEQ_IN_INDEX order.
_STATISTICS_MARIADB = (
    "TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME, COLLATION, SUB_PART, INDEX_TYPE,"
    " NULL, SEQ_IN_INDEX, INDEX_COMMENT, {ignored}"
)
_STATISTICS_SOURCE = "FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = :db"

#: MySQL 8.0.13+: a functional key part has COLUMN_NAME NULL and its text in EXPRESSION.
STATISTICS_MYSQL8 = """
SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME, COLLATION, SUB_PART, INDEX_TYPE,
       EXPRESSION, SEQ_IN_INDEX, INDEX_COMMENT, IS_VISIBLE = 'NO'
FROM information_schema.STATISTICS
WHERE TABLE_SCHEMA = :db
"""

#: MariaDB 10.2.22+/10.3.10+ give the table in CHECK_CONSTRAINTS itself.
_CHECKS_FIELDS = "TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE"
_CHECKS_SOURCE = "FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = :db"
CHECKS_MARIADB = f"SELECT {_CHECKS_FIELDS} {_CHECKS_SOURCE}"
CHECKS_MARIADB_JSON = as_json(_CHECKS_FIELDS, _CHECKS_SOURCE)

#: MariaDB 10.5.10+ also says whether a check is a column's own (LEVEL 'Column', named
#: after the column) or the table's: SHOW CREATE TABLE prints the one in its column's
#: line, and a MODIFY COLUMN that does not restate it drops it.
_CHECKS_LEVEL_FIELDS = f"{_CHECKS_FIELDS}, LEVEL"
CHECKS_MARIADB_LEVEL = f"SELECT {_CHECKS_LEVEL_FIELDS} {_CHECKS_SOURCE}"
CHECKS_MARIADB_LEVEL_JSON = as_json(_CHECKS_LEVEL_FIELDS, _CHECKS_SOURCE)

#: MySQL 8.0.16+ has no TABLE_NAME there; check names are unique per schema (compared
#: case-insensitively by the server itself), so the join on the name is exact.
CHECKS_MYSQL8 = """
SELECT tc.TABLE_NAME, cc.CONSTRAINT_NAME, cc.CHECK_CLAUSE
FROM information_schema.CHECK_CONSTRAINTS cc
JOIN information_schema.TABLE_CONSTRAINTS tc
  ON tc.CONSTRAINT_SCHEMA = cc.CONSTRAINT_SCHEMA AND tc.CONSTRAINT_NAME = cc.CONSTRAINT_NAME
 AND tc.CONSTRAINT_TYPE = 'CHECK'
WHERE cc.CONSTRAINT_SCHEMA = :db AND tc.TABLE_SCHEMA = :db
"""

_RULES_FIELDS = "TABLE_NAME, CONSTRAINT_NAME, UPDATE_RULE, DELETE_RULE"
_RULES_SOURCE = "FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = :db"
FOREIGN_KEY_RULES = f"SELECT {_RULES_FIELDS} {_RULES_SOURCE}"
FOREIGN_KEY_RULES_JSON = as_json(_RULES_FIELDS, _RULES_SOURCE)

#: Sorted on the key's own column order: a foreign key's columns are grouped in Python.
_KEY_COLUMNS_FIELDS = (
    "TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, REFERENCED_TABLE_SCHEMA, REFERENCED_TABLE_NAME,"
    " REFERENCED_COLUMN_NAME"
)
_KEY_COLUMNS_SOURCE = (
    "FROM information_schema.KEY_COLUMN_USAGE"
    " WHERE TABLE_SCHEMA = :db AND REFERENCED_TABLE_NAME IS NOT NULL"
)
FOREIGN_KEY_COLUMNS = (
    f"SELECT {_KEY_COLUMNS_FIELDS} {_KEY_COLUMNS_SOURCE} ORDER BY ORDINAL_POSITION"
)
FOREIGN_KEY_COLUMNS_JSON = as_json(
    _KEY_COLUMNS_FIELDS, _KEY_COLUMNS_SOURCE, " ORDER BY ORDINAL_POSITION"
)


#: MariaDB 10.11 has no information_schema.SEQUENCES (MariaDB 11.5 added it): a sequence's
#: options are read from the sequence itself, which is a one-row table. All of them come in
#: one UNION ALL, so the round trips stay fixed. This is the one query that names objects:
#: quoted (``names`` are quoted, qualified where needed, by the caller), and tagged by
#: position rather than by name so no name becomes a string literal.
def sequences(names: list[str]) -> str:
    return " UNION ALL ".join(
        f"SELECT {i}, start_value, increment, minimum_value, maximum_value, cycle_option, "  # noqa: S608 (quoted names)
        f"cache_size FROM {qualified}"
        for i, qualified in enumerate(names)
    )


VIEWS = """
SELECT TABLE_NAME, VIEW_DEFINITION, CHECK_OPTION, SECURITY_TYPE, CHARACTER_SET_CLIENT,
       COLLATION_CONNECTION
FROM information_schema.VIEWS
WHERE TABLE_SCHEMA = :db
"""

#: VIEWS with the algorithm, which MariaDB's information_schema has and MySQL 8's has not.
VIEWS_MARIADB = """
SELECT TABLE_NAME, VIEW_DEFINITION, CHECK_OPTION, SECURITY_TYPE, CHARACTER_SET_CLIENT,
       COLLATION_CONNECTION, ALGORITHM
FROM information_schema.VIEWS
WHERE TABLE_SCHEMA = :db
"""

#: MariaDB's Oracle-mode PACKAGE / PACKAGE BODY are left out: not modelled.
ROUTINES = """
SELECT ROUTINE_NAME, ROUTINE_TYPE, DATABASE_COLLATION, DTD_IDENTIFIER, CHARACTER_SET_NAME,
       COLLATION_NAME, ROUTINE_DEFINITION, IS_DETERMINISTIC, SQL_DATA_ACCESS, SECURITY_TYPE,
       ROUTINE_COMMENT, SQL_MODE, CHARACTER_SET_CLIENT, COLLATION_CONNECTION
FROM information_schema.ROUTINES
WHERE ROUTINE_SCHEMA = :db AND ROUTINE_TYPE IN ('FUNCTION', 'PROCEDURE')
"""

#: Position 0 is a function's return value, already in ROUTINES.DTD_IDENTIFIER.
PARAMETERS = """
SELECT SPECIFIC_NAME, ROUTINE_TYPE, PARAMETER_MODE, PARAMETER_NAME, DTD_IDENTIFIER,
       CHARACTER_SET_NAME, COLLATION_NAME
FROM information_schema.PARAMETERS
WHERE SPECIFIC_SCHEMA = :db AND ORDINAL_POSITION > 0
ORDER BY ORDINAL_POSITION
"""

TRIGGERS = """
SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION, ACTION_STATEMENT,
       SQL_MODE, ACTION_ORDER, CHARACTER_SET_CLIENT, COLLATION_CONNECTION
FROM information_schema.TRIGGERS
WHERE TRIGGER_SCHEMA = :db
"""

#: What the database can hold that the model does not, by (what, name): refused by name.
#: (Table options in CREATE_OPTIONS, a primary key's comment and index visibility are
#: refused from the TABLES and STATISTICS rows the reader has anyway: another scan of
#: either reopens every table's definition.)
#: Spatial columns restricted to a spatial reference system other than 0.
SRIDS_MARIADB = """
SELECT G_TABLE_NAME, G_GEOMETRY_COLUMN FROM information_schema.GEOMETRY_COLUMNS
WHERE G_TABLE_SCHEMA = :db AND SRID <> 0
"""
SRIDS_MYSQL = """
SELECT TABLE_NAME, COLUMN_NAME FROM information_schema.COLUMNS
WHERE TABLE_SCHEMA = :db AND SRS_ID IS NOT NULL AND SRS_ID <> 0
"""

UNSUPPORTED = """
SELECT 'events', EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA = :db
UNION ALL
SELECT 'packages', ROUTINE_NAME FROM information_schema.ROUTINES
WHERE ROUTINE_SCHEMA = :db AND ROUTINE_TYPE NOT IN ('FUNCTION', 'PROCEDURE')
"""


def statistics_mariadb(version: tuple[int, ...], *, as_json_array: bool = False) -> str:
    """STATISTICS for MariaDB (and MySQL before 8.0.13), as rows or (``as_json_array``) as
    one JSON array: the IGNORED column appeared in MariaDB 10.6."""
    fields = _STATISTICS_MARIADB.format(ignored="IGNORED = 'YES'" if version >= (10, 6) else "0")
    if as_json_array:
        return as_json(fields, _STATISTICS_SOURCE)
    return f"SELECT {fields} {_STATISTICS_SOURCE}"
