"""The catalog queries behind ``inspect_mysql``: one per kind of object, whole database at once.

Every query is filtered by ``TABLE_SCHEMA = DATABASE()`` (or the view's equivalent column):
MariaDB and MySQL turn an equality on the schema into a lookup of that one database, which
both keeps the query fast and makes the match exact (``information_schema`` columns are
``utf8mb3_general_ci``, so a ``LIKE`` or a join would mix ``Shop`` and ``shop``). For the same
reason rows are never joined on names in SQL: they are grouped and joined in Python, where
string equality is exact. Nothing here contains a name but ``sequences()`` (see there);
there is nothing to bind but the current database, which the server supplies.
"""

from __future__ import annotations

#: The database's defaults come along: tables report engine and collation relative to them.
SERVER = (
    "SELECT VERSION(), DATABASE(), @@collation_database, @@default_storage_engine,"
    " @@GLOBAL.sql_mode"
)

TABLES = """
SELECT TABLE_NAME, TABLE_TYPE, TABLE_COLLATION, TABLE_COMMENT, ENGINE, CREATE_OPTIONS
FROM information_schema.TABLES
WHERE TABLE_SCHEMA = DATABASE()
"""

#: Asked only when TABLES reports a partitioned table. A table that is not partitioned has
#: one row with PARTITION_NAME NULL; a subpartitioned one, a row per subpartition.
PARTITIONS = """
SELECT TABLE_NAME, PARTITION_NAME, SUBPARTITION_NAME, PARTITION_METHOD, PARTITION_EXPRESSION,
       PARTITION_DESCRIPTION, PARTITION_COMMENT
FROM information_schema.PARTITIONS
WHERE TABLE_SCHEMA = DATABASE() AND PARTITION_NAME IS NOT NULL
ORDER BY TABLE_NAME, PARTITION_ORDINAL_POSITION
"""

#: Not IS_GENERATED: MySQL 8 lacks it; EXTRA says VIRTUAL/STORED GENERATED on both servers.
COLUMNS = """
SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, DATA_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA,
       GENERATION_EXPRESSION, COLLATION_NAME, COLUMN_COMMENT
FROM information_schema.COLUMNS
WHERE TABLE_SCHEMA = DATABASE()
ORDER BY TABLE_NAME, ORDINAL_POSITION
"""

#: MariaDB (10.11 included) has no functional indexes and no EXPRESSION column; 10.6+ says
#: whether the optimizer ignores an index (``{ignored}``, see ``statistics_mariadb``). Not
#: sorted: the server lists each table's keys in its key order, as SHOW CREATE TABLE does
#: (an ORDER BY on the name lost it); the reader puts a key's parts in SEQ_IN_INDEX order.
STATISTICS_MARIADB = """
SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME, COLLATION, SUB_PART, INDEX_TYPE,
       NULL AS EXPRESSION, SEQ_IN_INDEX, INDEX_COMMENT, {ignored}
FROM information_schema.STATISTICS
WHERE TABLE_SCHEMA = DATABASE()
"""

#: MySQL 8.0.13+: a functional key part has COLUMN_NAME NULL and its text in EXPRESSION.
STATISTICS_MYSQL8 = """
SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME, COLLATION, SUB_PART, INDEX_TYPE,
       EXPRESSION, SEQ_IN_INDEX, INDEX_COMMENT, IS_VISIBLE = 'NO'
FROM information_schema.STATISTICS
WHERE TABLE_SCHEMA = DATABASE()
"""

#: MariaDB 10.2.22+/10.3.10+ give the table in CHECK_CONSTRAINTS itself.
CHECKS_MARIADB = """
SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE
FROM information_schema.CHECK_CONSTRAINTS
WHERE CONSTRAINT_SCHEMA = DATABASE()
"""

#: MySQL 8.0.16+ has no TABLE_NAME there; check names are unique per schema (compared
#: case-insensitively by the server itself), so the join on the name is exact.
CHECKS_MYSQL8 = """
SELECT tc.TABLE_NAME, cc.CONSTRAINT_NAME, cc.CHECK_CLAUSE
FROM information_schema.CHECK_CONSTRAINTS cc
JOIN information_schema.TABLE_CONSTRAINTS tc
  ON tc.CONSTRAINT_SCHEMA = cc.CONSTRAINT_SCHEMA AND tc.CONSTRAINT_NAME = cc.CONSTRAINT_NAME
 AND tc.CONSTRAINT_TYPE = 'CHECK'
WHERE cc.CONSTRAINT_SCHEMA = DATABASE() AND tc.TABLE_SCHEMA = DATABASE()
"""

FOREIGN_KEY_RULES = """
SELECT TABLE_NAME, CONSTRAINT_NAME, UPDATE_RULE, DELETE_RULE
FROM information_schema.REFERENTIAL_CONSTRAINTS
WHERE CONSTRAINT_SCHEMA = DATABASE()
"""

FOREIGN_KEY_COLUMNS = """
SELECT TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, REFERENCED_TABLE_SCHEMA,
       REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME
FROM information_schema.KEY_COLUMN_USAGE
WHERE TABLE_SCHEMA = DATABASE() AND REFERENCED_TABLE_NAME IS NOT NULL
ORDER BY ORDINAL_POSITION
"""


#: MariaDB 10.11 has no information_schema.SEQUENCES (MariaDB 11.5 added it): a sequence's
#: options are read from the sequence itself, which is a one-row table. All of them come in
#: one UNION ALL, so the round trips stay fixed. This is the one query that names objects:
#: quoted, and tagged by position rather than by name so no name becomes a string literal.
def sequences(names: list[str]) -> str:
    return " UNION ALL ".join(
        f"SELECT {i}, start_value, increment, minimum_value, maximum_value, cycle_option, "  # noqa: S608 (quoted names)
        f"cache_size FROM `{name.replace('`', '``')}`"
        for i, name in enumerate(names)
    )


VIEWS = """
SELECT TABLE_NAME, VIEW_DEFINITION, CHECK_OPTION, SECURITY_TYPE
FROM information_schema.VIEWS
WHERE TABLE_SCHEMA = DATABASE()
"""

#: VIEWS with the algorithm, which MariaDB's information_schema has and MySQL 8's has not.
VIEWS_MARIADB = """
SELECT TABLE_NAME, VIEW_DEFINITION, CHECK_OPTION, SECURITY_TYPE, ALGORITHM
FROM information_schema.VIEWS
WHERE TABLE_SCHEMA = DATABASE()
"""

#: MariaDB's Oracle-mode PACKAGE / PACKAGE BODY are left out: not modelled.
ROUTINES = """
SELECT ROUTINE_NAME, ROUTINE_TYPE, DATABASE_COLLATION, DTD_IDENTIFIER, CHARACTER_SET_NAME,
       COLLATION_NAME, ROUTINE_DEFINITION, IS_DETERMINISTIC, SQL_DATA_ACCESS, SECURITY_TYPE,
       ROUTINE_COMMENT, SQL_MODE
FROM information_schema.ROUTINES
WHERE ROUTINE_SCHEMA = DATABASE() AND ROUTINE_TYPE IN ('FUNCTION', 'PROCEDURE')
"""

#: Position 0 is a function's return value, already in ROUTINES.DTD_IDENTIFIER.
PARAMETERS = """
SELECT SPECIFIC_NAME, ROUTINE_TYPE, PARAMETER_MODE, PARAMETER_NAME, DTD_IDENTIFIER,
       CHARACTER_SET_NAME, COLLATION_NAME
FROM information_schema.PARAMETERS
WHERE SPECIFIC_SCHEMA = DATABASE() AND ORDINAL_POSITION > 0
ORDER BY ORDINAL_POSITION
"""

TRIGGERS = """
SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION, ACTION_STATEMENT,
       SQL_MODE, ACTION_ORDER
FROM information_schema.TRIGGERS
WHERE TRIGGER_SCHEMA = DATABASE()
"""

#: What the database can hold that the model does not, by (what, name): refused by name.
#: (Table options in CREATE_OPTIONS and index comments and visibility are refused from the
#: TABLES and STATISTICS rows the reader has anyway: another scan of either reopens every
#: table's definition.)
UNSUPPORTED = """
SELECT 'events', EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA = DATABASE()
UNION ALL
SELECT 'packages', ROUTINE_NAME FROM information_schema.ROUTINES
WHERE ROUTINE_SCHEMA = DATABASE() AND ROUTINE_TYPE NOT IN ('FUNCTION', 'PROCEDURE')
"""


def statistics_mariadb(version: tuple[int, ...]) -> str:
    """STATISTICS_MARIADB for this server: the IGNORED column appeared in MariaDB 10.6."""
    return STATISTICS_MARIADB.format(ignored="IGNORED = 'YES'" if version >= (10, 6) else "0")
