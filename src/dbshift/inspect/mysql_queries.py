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

#: The database's defaults come along: tables report engine and collation relative to them.
#: (Another database of a realm has its own collation: ``DATABASE_COLLATION``.)
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

TABLES = """
SELECT TABLE_NAME, TABLE_TYPE, TABLE_COLLATION, TABLE_COMMENT, ENGINE, CREATE_OPTIONS
FROM information_schema.TABLES
WHERE TABLE_SCHEMA = :db
"""

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
#: ORDER BY). The rows are the bulk of a schema (16 columns a table on average in the diff
#: bench) and PyMySQL decodes every field in Python: at 1,000 tables that was most of the
#: inspection's client time, and json.loads reads the same values in C. A table's array is
#: bounded by group_concat_max_len (1 MB by default): a truncated one fails to load and the
#: reader falls back to COLUMNS (see ``inspect.mysql._column_rows``). Grouped on the name's
#: bytes: the column compares case-insensitively, and ``Mixed`` and ``mixed`` are two tables
#: (TABLE_NAME itself too, for a session whose sql_mode has ONLY_FULL_GROUP_BY).
COLUMNS_JSON = """
SELECT TABLE_NAME,
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
STATISTICS_MARIADB = """
SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME, COLLATION, SUB_PART, INDEX_TYPE,
       NULL AS EXPRESSION, SEQ_IN_INDEX, INDEX_COMMENT, {ignored}
FROM information_schema.STATISTICS
WHERE TABLE_SCHEMA = :db
"""

#: MySQL 8.0.13+: a functional key part has COLUMN_NAME NULL and its text in EXPRESSION.
STATISTICS_MYSQL8 = """
SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME, COLLATION, SUB_PART, INDEX_TYPE,
       EXPRESSION, SEQ_IN_INDEX, INDEX_COMMENT, IS_VISIBLE = 'NO'
FROM information_schema.STATISTICS
WHERE TABLE_SCHEMA = :db
"""

#: MariaDB 10.2.22+/10.3.10+ give the table in CHECK_CONSTRAINTS itself.
CHECKS_MARIADB = """
SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE
FROM information_schema.CHECK_CONSTRAINTS
WHERE CONSTRAINT_SCHEMA = :db
"""

#: MariaDB 10.5.10+ also says whether a check is a column's own (LEVEL 'Column', named
#: after the column) or the table's: SHOW CREATE TABLE prints the one in its column's
#: line, and a MODIFY COLUMN that does not restate it drops it.
CHECKS_MARIADB_LEVEL = """
SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE, LEVEL
FROM information_schema.CHECK_CONSTRAINTS
WHERE CONSTRAINT_SCHEMA = :db
"""

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

FOREIGN_KEY_RULES = """
SELECT TABLE_NAME, CONSTRAINT_NAME, UPDATE_RULE, DELETE_RULE
FROM information_schema.REFERENTIAL_CONSTRAINTS
WHERE CONSTRAINT_SCHEMA = :db
"""

FOREIGN_KEY_COLUMNS = """
SELECT TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, REFERENCED_TABLE_SCHEMA,
       REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME
FROM information_schema.KEY_COLUMN_USAGE
WHERE TABLE_SCHEMA = :db AND REFERENCED_TABLE_NAME IS NOT NULL
ORDER BY ORDINAL_POSITION
"""


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
UNSUPPORTED = """
SELECT 'events', EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA = :db
UNION ALL
SELECT 'packages', ROUTINE_NAME FROM information_schema.ROUTINES
WHERE ROUTINE_SCHEMA = :db AND ROUTINE_TYPE NOT IN ('FUNCTION', 'PROCEDURE')
"""


def statistics_mariadb(version: tuple[int, ...]) -> str:
    """STATISTICS_MARIADB for this server: the IGNORED column appeared in MariaDB 10.6."""
    return STATISTICS_MARIADB.format(ignored="IGNORED = 'YES'" if version >= (10, 6) else "0")
