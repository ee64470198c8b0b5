"""MySQL 8 / MariaDB 10.x catalog → ``Schema``, from a fixed set of ``information_schema`` queries.

What the model gets, and why (renderers rely on it):

- Types, generated expressions, check clauses and index expressions are the catalog's text
  verbatim; defaults are SQL expressions as MariaDB prints them (MySQL's raw values are
  converted, see ``mysql_text``).
- A UNIQUE constraint *is* a unique index on these servers, so it is reported once, as
  ``Index(unique=True)``; ``Table.uniques`` stays empty. The index the server adds for a
  foreign key is reported like any other.
- The primary key's name is always PRIMARY, so ``PrimaryKey.name`` is None.
- A table's engine is reported only where it differs from the server's default
  (``@@default_storage_engine``, carried as ``Schema.defaults``). Its collation is always
  reported (TABLE_COLLATION): a database's default character set is no property of the
  table's, and a table left to its database's default must be made again with that
  collation wherever the migration runs, not with the target database's default.
- A column's collation is reported only where it differs from its table's default.
- A view's definition is VIEW_DEFINITION without the `` `db`. `` qualifier naming the view's
  own database (see ``mysql_text.unqualify``); routines are normalised CREATE statements.
- Views, routines and triggers keep the character_set_client and collation_connection
  they were created under (``ClientCharset``) where these differ from the inspecting
  session's own (what an object made over such a connection records).
- Sequences (MariaDB 10.3+; MySQL has none) are bigint, with bounds kept only where they
  differ from MariaDB's defaults. Enums and sets stay in the column type. MariaDB
  system-versioned tables are refused by name (read as plain tables when refusal is off).
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections import defaultdict
from collections.abc import Collection
from collections.abc import Sequence as Seq
from dataclasses import field
from typing import TYPE_CHECKING, Any, cast

from dbshift.dialects.base import Product
from dbshift.dialects.mysql import MySQLDialect
from dbshift.errors import Unsupported, UsageError
from dbshift.frozen import frozen
from dbshift.inspect import mysql_queries as q
from dbshift.inspect.catalog import Catalog, catalog_of
from dbshift.inspect.mysql_text import (
    balanced,
    mariadb_default,
    mysql_default,
    quote_identifier,
    routine_definition,
    typed,
    unqualify,
)
from dbshift.inspect.shared import pool
from dbshift.model import (
    CheckConstraint,
    ClientCharset,
    Column,
    ForeignKey,
    Generated,
    Identity,
    Index,
    IndexElement,
    Partition,
    PrimaryKey,
    ReferentialAction,
    Routine,
    Schema,
    Sequence,
    Table,
    TableOptions,
    View,
)

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from dbshift.direct import Connection as DriverConnection

__all__ = ["home_defaults", "inspect_mysql"]

Row = tuple[Any, ...]

#: MariaDB 10.2+ says VIRTUAL/STORED GENERATED (10.1: VIRTUAL/PERSISTENT); MySQL 5.7+ the same.
_GENERATED = re.compile(r"\b(VIRTUAL|STORED|PERSISTENT)\b", re.IGNORECASE)
#: MariaDB: ``on update current_timestamp(3)``; MySQL 8: ``DEFAULT_GENERATED on update
#: CURRENT_TIMESTAMP`` possibly followed by other words (INVISIBLE).
_ON_UPDATE = re.compile(r"\bon update (\w+(?:\(\d*\))?)", re.IGNORECASE)
_TABLE_TYPES = frozenset({"BASE TABLE"})
#: MariaDB 10.3.3+ and MySQL 8.0.23+ list INVISIBLE among a column's EXTRA words.
_INVISIBLE = re.compile(r"\bINVISIBLE\b", re.IGNORECASE)
#: SHOW CREATE VIEW's tail; the model keeps the check option apart.
_CHECK_OPTION = re.compile(r"\s+WITH\s+(?:CASCADED|LOCAL)\s+CHECK\s+OPTION\s*$", re.I)


@frozen
class _Server:
    #: The database inspected, and (``home``) the one names are spelled relative to (the
    #: connection's own; see ``dbshift.inspect.realm``): the same outside a realm.
    database: str
    mariadb: bool
    version: tuple[int, ...]
    #: The database's default engine (a table that has it reports None) and collation.
    defaults: TableOptions = field(default_factory=TableOptions)
    #: @@GLOBAL.sql_mode: a routine or trigger created under it reports None.
    sql_mode: str = ""
    home: str = ""
    #: The inspecting session's character_set_client and collation_connection: what an
    #: object created over a connection like it records, reported as None.
    client: ClientCharset | None = None

    def own_client(self, charset: str | None, collation: str | None) -> ClientCharset | None:
        if charset is None or collation is None:
            return None
        made = ClientCharset(charset, collation)
        return None if made == self.client else made

    @property
    def schema(self) -> str | None:
        """What the inspected database's objects are stamped with: None at home."""
        return None if self.database == self.home else self.database

    @property
    def params(self) -> dict[str, str]:
        return {"db": self.database}

    def relative(self, database: str | None) -> str | None:
        """A referenced database as the model names it: None for the home one."""
        return None if database is None or database == self.home else database

    def qualified(self, name: str) -> str:
        """``name`` in the inspected database, quoted, as SHOW CREATE wants it (and prints
        it) on a connection whose current database is the home one."""
        if self.schema is None:
            return quote_identifier(name)
        return f"{quote_identifier(self.database)}.{quote_identifier(name)}"

    def own_sql_mode(self, mode: str | None) -> str | None:
        return None if mode is None or mode == self.sql_mode else mode

    @property
    def prints_default_expressions(self) -> bool:
        # MariaDB 10.2.7 started printing COLUMN_DEFAULT as SQL; MySQL still prints raw values.
        return self.mariadb and self.version >= (10, 2, 7)

    @property
    def json_arrays(self) -> bool:
        """JSON_ARRAYAGG with ORDER BY and SET STATEMENT (``mysql_queries.as_json``):
        MariaDB 10.5+. (MySQL 8's JSON_ARRAYAGG takes no ORDER BY.)"""
        return self.mariadb and self.version >= (10, 5)

    @property
    def has_checks(self) -> bool:
        # information_schema.CHECK_CONSTRAINTS: MariaDB 10.2.22+, MySQL 8.0.16+.
        return self.version >= ((10, 2, 22) if self.mariadb else (8, 0, 16))


def inspect_mysql(
    conn: Connection | DriverConnection,
    *,
    exclude: Collection[str] = (),
    refuse_unsupported: bool = True,
    database: str | None = None,
) -> Schema:
    """The schema of the connection's current database (``DATABASE()``), or of
    ``database``: then its objects carry its name as their schema and everything is spelled
    relative to the current database, which stays the default one (see
    ``dbshift.inspect.realm``)."""
    return _inspect(
        catalog_of(conn), frozenset(exclude), refuse=refuse_unsupported, database=database
    )


def home_defaults(conn: Connection | DriverConnection) -> TableOptions:
    """The connection's database's default engine and collation (``Schema.defaults``)."""
    return _server(catalog_of(conn)).defaults


def _inspect(
    conn: Catalog, excluded: frozenset[str], *, refuse: bool = True, database: str | None = None
) -> Schema:
    server = _server(conn, database)
    table_info: dict[str, tuple[str, str | None]] = {}  # table → (collation, comment)
    options: dict[str, TableOptions] = {}
    sequence_names: list[str] = []
    refused: dict[str, list[str]] = defaultdict(list)
    for what, name in _rows(conn, q.UNSUPPORTED, server.params):
        refused[what].append(name)
    has_views = False
    partitioned: list[str] = []
    hash_tables: set[str] = set()
    for name, table_type, collation, comment, engine, create_options in _json_rows(
        conn, server, q.TABLES_JSON, q.TABLES
    ):
        has_views = has_views or table_type == "VIEW"
        if name in excluded:
            continue
        if table_type == "SYSTEM VERSIONED":
            refused["system-versioned tables"].append(name)
        if (engine or "").upper() == "MRG_MYISAM":
            # Its UNION=(…) and INSERT_METHOD are in no catalog table: a copy lost them.
            refused["MERGE (MRG_MyISAM) tables"].append(name)
        if "partitioned" in (create_options or "").lower() and table_type == "BASE TABLE":
            partitioned.append(name)
        declared = (create_options or "").split()
        row_format = next(
            (o.split("=", 1)[1].upper() for o in declared if o.lower().startswith("row_format=")),
            None,
        )
        unmodelled = sorted(
            {
                o.split("=", 1)[0].upper()
                for o in declared
                if o.lower() != "partitioned" and not o.lower().startswith("row_format=")
            }
        )
        if table_type == "BASE TABLE" and unmodelled:
            # KEY_BLOCK_SIZE, STATS_*, PACK_KEYS, CHECKSUM, Aria's PAGE_CHECKSUM, …: not
            # modelled (ROW_FORMAT is). Named as the server lists them.
            refused[f"table options ({', '.join(unmodelled)})"].append(name)
        # VIEW rows come from VIEWS; SEQUENCE ones are MariaDB 10.3+ sequences.
        if table_type == "SEQUENCE" and name not in excluded:
            sequence_names.append(name)
        plain = table_type in _TABLE_TYPES or (not refuse and table_type == "SYSTEM VERSIONED")
        if plain and (engine or "").upper() in _HASH_ENGINES:
            hash_tables.add(name)
        if plain:
            table_info[name] = (collation or "", comment or None)
            options[name] = TableOptions(
                engine=None if engine == server.defaults.engine else engine,
                # Always the table's own: None would mean "the database's default", and
                # a table made again from the model in another database would take that
                # one's (a latin1 database's table created in a utf8mb4 one).
                collation=collation or None,
                row_format=row_format,
            )

    partitions = _partitions(conn, server, partitioned, refused) if partitioned else {}
    if refused and refuse:
        _refuse(refused)
    primary_keys, indexes = _indexes(conn, server, table_info, refused, hash_tables=hash_tables)
    if refused and refuse:
        _refuse(refused)
    columns = _columns(conn, server, table_info)
    if refuse and any(c.type.lower() in _GEOMETRY_TYPES for cs in columns.values() for c in cs):
        _refuse_srids(conn, server, table_info)
    checks, column_checks = _checks(conn, server, table_info)
    if refuse and server.mariadb:
        _refuse_periods(conn, server, checks)
    foreign_keys = _foreign_keys(conn, server, table_info)
    tables = [
        Table(
            name=name,
            schema=server.schema,
            columns=tuple(_with_checks(columns[name], name, column_checks)),
            primary_key=primary_keys.get(name),
            checks=tuple(checks[name]),
            check_order=tuple(c.name for c in checks[name]),
            foreign_keys=tuple(foreign_keys[name]),
            indexes=tuple(indexes[name]),
            comment=comment,
            options=options[name],
            index_order=tuple(i.name for i in indexes[name]),
            partition_by=partitions[name][0] if name in partitions else None,
            partitions=partitions[name][1] if name in partitions else (),
        )
        for name, (_, comment) in table_info.items()
    ]
    view_rows = (
        _rows(conn, q.VIEWS_MARIADB if server.mariadb else q.VIEWS, server.params)
        if has_views
        else []
    )
    texts = _view_texts(conn, server, [row[0] for row in view_rows])
    views = [
        View(
            name=name,
            schema=server.schema,
            # Relative to the home database, where it is created: its own database's
            # tables stay qualified when that is another one.
            definition=unqualify(texts.get(name) or (definition or "").strip(), server.home),
            security_invoker=security == "INVOKER",
            check_option=None if check in (None, "NONE") else check,
            algorithm=None if algorithm in (None, "UNDEFINED") else algorithm,
            client=server.own_client(client, connection),
        )
        # information_schema.VIEWS lists the views TABLES just listed as TABLE_TYPE VIEW;
        # with none, it is not asked: on MariaDB it opens every table of the database to
        # find nothing (70-100 ms at 1,000 tables).
        for name, definition, check, security, client, connection, *algorithm_column in view_rows
        for algorithm in [algorithm_column[0] if algorithm_column else None]
    ]
    return Schema(
        tables=tuple(tables),
        views=tuple(views),
        routines=(*_routines(conn, server), *_triggers(conn, server, excluded)),
        sequences=tuple(_sequences(conn, server, sequence_names)),
        defaults=server.defaults,
    )


def _partitions(
    conn: Catalog, server: _Server, names: list[str], refused: dict[str, list[str]]
) -> dict[str, tuple[str, tuple[Partition, ...]]]:
    """Each partitioned table's key (``RANGE (year(`d`))``) and partitions, in order."""
    wanted = set(names)
    found: dict[str, tuple[str, list[Partition]]] = {}
    for table, name, sub, method, expression, description, comment in _rows(
        conn, q.PARTITIONS, server.params
    ):
        if table not in wanted:
            continue
        if sub is not None:
            if table not in refused.get("subpartitioned tables", ()):
                refused["subpartitioned tables"].append(table)
            continue
        by = f"{method} ({expression or ''})"
        found.setdefault(table, (by, []))[1].append(
            Partition(name=name, bound=_bound(method, description), comment=comment or None)
        )
    return {t: (by, tuple(parts)) for t, (by, parts) in found.items()}


def _bound(method: str, description: str | None) -> str | None:
    """A partition's clause from PARTITION_DESCRIPTION, as CREATE TABLE takes it."""
    if method.startswith("RANGE"):
        if method == "RANGE" and description == "MAXVALUE":
            return "VALUES LESS THAN MAXVALUE"
        return f"VALUES LESS THAN ({description})"
    if method.startswith("LIST"):
        # MariaDB 10.2+ reports a LIST table's DEFAULT partition as MAXVALUE.
        return (
            "DEFAULT"
            if description in (None, "MAXVALUE", "DEFAULT")
            else f"VALUES IN ({description})"
        )
    return None  # HASH, KEY, LINEAR HASH, LINEAR KEY


def _refuse(refused: dict[str, list[str]]) -> None:
    """Left out, they would read as absent: a diff would drop or recreate them."""
    what = sorted(refused)[0]
    names = ", ".join(sorted(refused[what])[:3])
    others = f"; also {', '.join(sorted(refused)[1:])}" if len(refused) > 1 else ""
    raise Unsupported(f"{what} are not supported yet ({names}){others}")


def _rows(conn: Catalog, sql: str, params: dict[str, str] | None = None) -> list[Row]:
    # MySQL 8 returns some information_schema text columns as binary strings.
    return [
        tuple(v.decode() if isinstance(v, bytes) else v for v in row)
        for row in conn.rows(sql, params)
    ]


def _json_rows(conn: Catalog, server: _Server, json_sql: str, sql: str) -> list[Row]:
    """The rows of ``sql``, read from ``json_sql`` (its ``mysql_queries.as_json`` form) where
    the server can build the array; from ``sql`` itself where it cannot, or cut it."""
    if not server.json_arrays:
        return _rows(conn, sql, server.params)
    [(count, text)] = conn.rows(json_sql, server.params)
    if not count:
        return []
    try:
        rows = json.loads(text)
    except ValueError:  # cut at group_concat_max_len mid-row
        rows = None
    if rows is None or len(rows) != count:  # cut (a cut array may load)
        return _rows(conn, sql, server.params)
    return list(map(tuple, rows))


#: MariaDB's defaults for a bigint sequence by direction (10.3 to 10.11): ascending
#: 1 … 2^63 - 2, descending -(2^63 - 1) … -1.
_SEQUENCE_DEFAULTS = {True: (1, 2**63 - 2), False: (-(2**63) + 1, -1)}


def _sequences(conn: Catalog, server: _Server, names: list[str]) -> list[Sequence]:
    if not names:
        return []
    result = []
    query = q.sequences([server.qualified(n) for n in names])
    for i, start, increment, low, high, cycle, cache in _rows(conn, query):
        default_low, default_high = _SEQUENCE_DEFAULTS[increment > 0]
        result.append(
            Sequence(
                name=names[i],
                schema=server.schema,
                start=start,
                increment=increment,
                min_value=None if low == default_low else low,
                max_value=None if high == default_high else high,
                cycle=bool(cycle),
                cache=cache,
            )
        )
    return result


def _server(conn: Catalog, inspected: str | None = None) -> _Server:
    version_text, database, collation, engine, sql_mode, client, connection = _rows(conn, q.SERVER)[
        0
    ]
    if database is None:
        raise UsageError("no current database: connect with a database in the URL")
    home = database
    if inspected is not None and inspected != database:
        found = _rows(conn, q.DATABASE_COLLATION, {"db": inspected})
        if not found:
            raise UsageError(f"no database {inspected!r} on the server")
        database, collation = inspected, found[0][0]
    numbers = re.match(r"(\d+)\.(\d+)\.(\d+)", version_text)
    version = tuple(int(n) for n in numbers.groups()) if numbers else (0, 0, 0)
    return _Server(
        database,
        MySQLDialect.product_of(version_text) is Product.MARIADB,
        version,
        TableOptions(engine, collation),
        sql_mode or "",
        home,
        ClientCharset(client, connection),
    )


def _columns(
    conn: Catalog, server: _Server, table_info: dict[str, tuple[str, str | None]]
) -> dict[str, list[Column]]:
    columns: dict[str, list[Column]] = defaultdict(list)
    # Equal rows make equal columns, and the model's objects are immutable: one is built
    # and shared (most columns repeat another table's: ids, timestamps, foreign keys), by
    # every inspection in the process (see inspect.shared). What of the server _column
    # reads is in the key: how it prints defaults, and the database a default that names
    # one (``nextval(`db`.`seq`)``) is spelled relative to.
    built: dict[tuple[Any, ...], Column] = pool("mysql.column")
    prints = server.prints_default_expressions
    for table, rows in _column_rows(conn, server).items():
        info = table_info.get(table)
        if info is None:
            continue
        made = columns[table]
        for row in rows:
            default = row[4]
            home = server.home if isinstance(default, str) and "`" in default else None
            key = (prints, home, info[0], *row)  # the table's collation: see _column
            column = built.get(key)
            if column is None:
                column = built[key] = _column(server, *key[2:])
            made.append(column)
    return columns


def _column(
    server: _Server,
    table_collation: str,
    name: str,
    column_type: str,
    data_type: str,
    nullable: str,
    default: str | None,
    extra: str | None,
    expression: str | None,
    collation: str | None,
    comment: str | None,
) -> Column:
    extra = extra or ""
    generated = _GENERATED.search(extra)
    on_update = _ON_UPDATE.search(extra)
    if generated:
        default = None
    elif server.prints_default_expressions:
        default = mariadb_default(default)
        if default is not None and "`." in default:
            # ``nextval(`db`.`seq`)``: the server qualifies a sequence by its
            # database, which is the scratch one for a schema read from files.
            default = unqualify(default, server.home)
    else:
        default = mysql_default(default, data_type, extra)
    return Column(
        name=name,
        type=column_type,
        nullable=nullable == "YES",
        default=default,
        identity=Identity() if "auto_increment" in extra.lower() else None,
        # GENERATION_EXPRESSION is NULL only where EXTRA says nothing is generated.
        generated=Generated(
            expression=cast(str, expression), stored=generated.group(1).upper() != "VIRTUAL"
        )
        if generated
        else None,
        collation=collation if collation and collation != table_collation else None,
        comment=comment or None,
        on_update=on_update.group(1) if on_update else None,
        invisible=_INVISIBLE.search(extra) is not None,
    )


def _column_rows(conn: Catalog, server: _Server) -> dict[str, list[Seq[Any]]]:
    """COLUMNS' rows by table, in order, without the table's name: read as one JSON array a
    table where the server can build them."""
    if not server.json_arrays:
        return _by_table(_rows(conn, q.COLUMNS, server.params))
    result: dict[str, list[Seq[Any]]] = {}
    for table, count, text in conn.rows(q.COLUMNS_JSON, server.params):
        try:
            columns = json.loads(text)
        except ValueError:  # cut at group_concat_max_len mid-column
            columns = None
        if columns is None or len(columns) != count:  # cut (a cut array may load)
            return _by_table(_rows(conn, q.COLUMNS, server.params))
        result[table] = columns
    return result


def _by_table(rows: list[Row]) -> dict[str, list[Seq[Any]]]:
    # Not consecutive: ORDER BY TABLE_NAME mixes ``Mixed`` and ``mixed``, equal to it.
    grouped: dict[str, list[Seq[Any]]] = defaultdict(list)
    for table, *column in rows:
        grouped[table].append(tuple(column))
    return grouped


#: The spatial column types, whose spatial reference system id the model does not keep.
_GEOMETRY_TYPES = frozenset(
    {
        "geometry",
        "point",
        "linestring",
        "polygon",
        "multipoint",
        "multilinestring",
        "multipolygon",
        "geometrycollection",
        "geomcollection",
    }
)


def _refuse_srids(
    conn: Catalog, server: _Server, table_info: dict[str, tuple[str, str | None]]
) -> None:
    """A spatial column restricted to one spatial reference system (MariaDB
    ``REF_SYSTEM_ID=n``, MySQL 8 ``SRID n``) is refused by name: the model has no place
    for it, and a copy made without it took any SRID (MariaDB's SHOW CREATE TABLE does
    not even print it; information_schema.GEOMETRY_COLUMNS does). Asked only where the
    schema has a spatial column: the catalog opens every table to answer."""
    if not server.mariadb and server.version < (8, 0):
        return  # MySQL 5.7 columns take any SRID
    sql = q.SRIDS_MARIADB if server.mariadb else q.SRIDS_MYSQL
    found = [f"{t}.{c}" for t, c in _rows(conn, sql, server.params) if t in table_info]
    if found:
        _refuse({"spatial reference system ids (REF_SYSTEM_ID, SRID)": found})


#: Engines whose keys are HASH ones unless declared ``USING BTREE``.
_HASH_ENGINES = frozenset({"MEMORY", "HEAP"})


def _indexes(
    conn: Catalog,
    server: _Server,
    table_info: dict[str, tuple[str, str | None]],
    refused: dict[str, list[str]],
    *,
    hash_tables: set[str],
) -> tuple[dict[str, PrimaryKey], dict[str, list[Index]]]:
    """Keys from STATISTICS; a primary key with a comment, or an index the optimizer is
    told to ignore, is added to ``refused`` (not modelled: a generated table lost it).

    ``hash_tables`` (MEMORY) make HASH keys unless told otherwise: a BTREE one there is
    method ``btree``, written ``USING BTREE`` (left out, the copy's was a HASH key); a
    BTREE primary key there is refused (a primary key has no method in the model)."""
    if server.mariadb or server.version < (8, 0, 13):
        found = _json_rows(
            conn,
            server,
            q.statistics_mariadb(server.version, as_json_array=True),
            q.statistics_mariadb(server.version),
        )
    else:
        found = _rows(conn, q.STATISTICS_MYSQL8, server.params)
    parts: dict[tuple[str, str], list[Row]] = {}
    for row in found:
        key = (row[0], row[1])
        rows = parts.get(key)
        if rows is not None:
            rows.append(row)
            continue
        if row[0] not in table_info:
            continue
        parts[key] = [row]
        if row[9] and row[1] == "PRIMARY":
            refused["primary key comments"].append(row[0])
        if row[10] and int(row[10]):
            refused["ignored or invisible indexes"].append(f"{row[0]}.{row[1]}")
    primary_keys: dict[str, PrimaryKey] = {}
    indexes: dict[str, list[Index]] = defaultdict(list)
    # Equal key parts (and primary keys) are built once and shared, as columns are.
    elements: dict[tuple[Any, ...], IndexElement] = pool("mysql.index_element")
    primary: dict[tuple[str, ...], PrimaryKey] = {}
    for (table, name), rows in parts.items():
        if len(rows) > 1:
            rows.sort(key=_seq_in_index)  # the query does not sort
        if name == "PRIMARY":
            if table in hash_tables and rows[0][6].upper() == "BTREE":
                refused["BTREE primary keys of MEMORY tables"].append(table)
            names = tuple([r[3] for r in rows])
            found_key = primary.get(names)
            if found_key is None:
                found_key = primary[names] = PrimaryKey(columns=names)
            primary_keys[table] = found_key
            continue
        index_type = rows[0][6].upper()
        spatial = index_type == "SPATIAL"
        made = []
        for _, _, _, column, collation, sub_part, _, expression, *_ in rows:
            element_key = (column, expression, collation, sub_part, spatial)
            element = elements.get(element_key)
            if element is None:
                element = elements[element_key] = IndexElement(
                    expression=column if column is not None else expression,
                    is_expression=column is None,
                    descending=collation == "D",
                    # SPATIAL key parts report SUB_PART 32 (MariaDB, MySQL 5.7) but take none.
                    length=None if spatial else sub_part,
                )
            made.append(element)
        indexes[table].append(
            Index(
                name=name,
                elements=tuple(made),
                unique=not int(rows[0][2]),
                method=(
                    None
                    if index_type == "BTREE" and table not in hash_tables
                    else index_type.lower()
                ),
                comment=rows[0][9] or None,
            )
        )
    return primary_keys, indexes


def _seq_in_index(row: Row) -> int:
    return int(row[8])


def _checks(
    conn: Catalog, server: _Server, table_info: dict[str, tuple[str, str | None]]
) -> tuple[dict[str, list[CheckConstraint]], dict[tuple[str, str], str]]:
    """Each table's checks, in the server's order (declared or added), and MariaDB's
    column-level ones by (table, column): JSON columns are LONGTEXT with an automatic
    ``json_valid(`col`)`` one. Before MariaDB 10.5.10 (no LEVEL) these read as the
    table's, named after their column."""
    checks: dict[str, list[CheckConstraint]] = defaultdict(list)
    own: dict[tuple[str, str], str] = {}
    if not server.has_checks:
        return checks, own
    if server.mariadb and server.version >= (10, 5, 10):
        rows = _json_rows(conn, server, q.CHECKS_MARIADB_LEVEL_JSON, q.CHECKS_MARIADB_LEVEL)
    elif server.mariadb:
        rows = [
            (*row, "Table")
            for row in _json_rows(conn, server, q.CHECKS_MARIADB_JSON, q.CHECKS_MARIADB)
        ]
    else:
        rows = [(*row, "Table") for row in _rows(conn, q.CHECKS_MYSQL8, server.params)]
    for table, name, clause, level in rows:
        if table not in table_info:
            continue
        if level == "Column":
            own[(table, name)] = clause
        else:
            checks[table].append(CheckConstraint(name=name, expression=clause))
    return checks, own


#: The CHECK MariaDB (10.5+) adds for an application-time ``PERIOD FOR p (s, e)``: named
#: after the period, ```s` < `e```.
_PERIOD_CHECK = re.compile(r"`(?:[^`]|``)+` < `(?:[^`]|``)+`")
#: SHOW CREATE TABLE's line for such a period.
_PERIOD_LINE = re.compile(r"^\s*PERIOD FOR `", re.M)


def _refuse_periods(
    conn: Catalog, server: _Server, checks: dict[str, list[CheckConstraint]]
) -> None:
    """MariaDB's application-time periods (``PERIOD FOR p (s, e)``, keys ``WITHOUT
    OVERLAPS``) are refused by name: read as plain parts, a copy got a CHECK named after
    the period and a key over its columns. information_schema has no PERIODS table
    before MariaDB 11.4, so a table with a check of the period's shape is asked by SHOW
    CREATE TABLE, which prints the period."""
    found = []
    for table, table_checks in checks.items():
        if any(_PERIOD_CHECK.fullmatch(c.expression) for c in table_checks):
            rows = _rows(conn, f"SHOW CREATE TABLE {server.qualified(table)}")
            if rows and _PERIOD_LINE.search(str(rows[0][1])):
                found.append(table)
    if found:
        _refuse({"application-time periods (PERIOD FOR)": found})


def _with_checks(
    columns: list[Column], table: str, own: dict[tuple[str, str], str]
) -> list[Column]:
    """``columns`` with their column-level checks (``_checks``)."""
    if not own:
        return columns
    return [
        dataclasses.replace(c, check=own[(table, c.name)]) if (table, c.name) in own else c
        for c in columns
    ]


def _foreign_keys(
    conn: Catalog, server: _Server, table_info: dict[str, tuple[str, str | None]]
) -> dict[str, list[ForeignKey]]:
    foreign_keys: dict[str, list[ForeignKey]] = defaultdict(list)
    rules = _json_rows(conn, server, q.FOREIGN_KEY_RULES_JSON, q.FOREIGN_KEY_RULES)
    if not rules:  # no foreign keys: KEY_COLUMN_USAGE would open every table to say so
        return foreign_keys
    key_columns: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for row in _json_rows(conn, server, q.FOREIGN_KEY_COLUMNS_JSON, q.FOREIGN_KEY_COLUMNS):
        key_columns[(row[0], row[1])].append(row)
    for table, name, update_rule, delete_rule in rules:
        rows = key_columns.get((table, name))
        if table not in table_info or not rows:
            continue
        ref_schema = rows[0][3]
        foreign_keys[table].append(
            ForeignKey(
                name=name,
                columns=tuple(r[2] for r in rows),
                ref_table=rows[0][4],
                ref_columns=tuple(r[5] for r in rows),
                ref_schema=server.relative(ref_schema),
                # MariaDB reports an unspecified action as RESTRICT, MySQL 8 as NO ACTION.
                on_delete=ReferentialAction(delete_rule),
                on_update=ReferentialAction(update_rule),
            )
        )
    return foreign_keys


def _routines(conn: Catalog, server: _Server) -> list[Routine]:
    routines = _rows(conn, q.ROUTINES, server.params)
    if not routines:
        return []
    parameters: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for specific_name, kind, *parameter in _rows(conn, q.PARAMETERS, server.params):
        parameters[(kind, specific_name)].append(tuple(parameter))
    result = []
    for name, kind, database_collation, returns, charset, collation, *rest in routines:
        *characteristics, sql_mode, client, connection = rest
        # A string parameter or result declared in another collation than the database's
        # default says so; the default is left implicit, as for columns.
        arguments = [
            (mode, parameter, typed(dtd, p_charset, p_collation, database_collation))
            for mode, parameter, dtd, p_charset, p_collation in parameters[(kind, name)]
        ]
        returns = typed(returns, charset, collation, database_collation)
        definition = routine_definition(kind, name, arguments, returns, *characteristics)
        # The parameter list as written, which SHOW CREATE keeps, for rendering.
        written = _parameter_list(conn, server, kind, name)
        result.append(
            Routine(
                kind=kind.lower(),
                name=name,
                schema=server.schema,
                definition=definition,
                sql_mode=server.own_sql_mode(sql_mode),
                client=server.own_client(client, connection),
                as_written=None
                if written is None
                else routine_definition(kind, name, written, returns, *characteristics),
            )
        )
    return result


def _triggers(conn: Catalog, server: _Server, excluded: frozenset[str]) -> list[Routine]:
    """Triggers as "<timing> <event> FOR EACH ROW [FOLLOWS `t`] <body>". Several on one
    table, timing and event run in ACTION_ORDER (MariaDB 10.2.3+, MySQL 5.7+); each after
    the first says which it follows, so they are made again in that order (created in
    another, they would run in another).

    A trigger created with PRECEDES comes back as the one before it FOLLOWS, by design:
    the server stores no clause, only the resulting ACTION_ORDER, and a FOLLOWS chain
    states that order completely (PRECEDES `x` and FOLLOWS the trigger before `x` give
    the same ACTION_ORDER). The diff recreates whatever follows a recreated trigger, so a
    chain is always rebuilt from its first changed link onward."""
    rows = [r for r in _rows(conn, q.TRIGGERS, server.params) if r[1] not in excluded]
    order = {(r[1], r[2], r[3], int(r[6] or 0)): r[0] for r in rows}
    result = []
    for name, table, timing, event, statement, sql_mode, action_order, *client in rows:
        previous = order.get((table, timing, event, int(action_order or 0) - 1))
        follows = f"FOLLOWS {quote_identifier(previous)} " if previous is not None else ""
        result.append(
            Routine(
                kind="trigger",
                name=name,
                schema=server.schema,
                table=table,
                definition=f"{timing} {event} FOR EACH ROW {follows}{statement}",
                sql_mode=server.own_sql_mode(sql_mode),
                client=server.own_client(*client),
                as_written=_trigger_as_written(conn, server, name, table, statement),
            )
        )
    return result


#: SHOW CREATE TRIGGER's head: the server writes ``CREATE DEFINER=`u`@`h` `` before the
#: statement's own text from its TRIGGER keyword on.
_TRIGGER_HEAD = re.compile(r"CREATE\s+DEFINER=`(?:[^`]|``)*`(?:@`(?:[^`]|``)*`)?\s+", re.I)
_NAME = r"`(?:[^`]|``)+`|[\w$]+"
#: The part of a trigger's statement before its body, as the server keeps it (FOLLOWS or
#: PRECEDES taken out): one unqualified name, one unqualified table, nothing else.
_TRIGGER_AS_WRITTEN = re.compile(
    rf"TRIGGER\s+(?P<name>{_NAME})\s+(?:BEFORE|AFTER)\s+(?:INSERT|UPDATE|DELETE)\s+"
    rf"ON\s+(?P<table>{_NAME})\s+FOR\s+EACH\s+ROW\s+",
    re.I,
)


def _bare(name: str) -> str:
    return name[1:-1].replace("``", "`") if name.startswith("`") else name


def _trigger_as_written(
    conn: Catalog, server: _Server, name: str, table: str, statement: str
) -> str | None:
    """The trigger's CREATE statement as SHOW CREATE TRIGGER shows it, from its TRIGGER
    keyword on (``trigger acct_bi BEFORE INSERT ON acct FOR EACH ROW`` and the body, as
    the author spaced them): the server keeps the text as written, and a trigger made
    from the catalog's parts shows otherwise. None where the text is not that plain
    shape (a qualified name, a comment in the head) or the trigger is in another
    database than the home one: the renderer then writes its own head."""
    if server.schema is not None:
        return None
    rows = _rows(conn, f"SHOW CREATE TRIGGER {server.qualified(name)}")
    text = str(rows[0][2]) if rows and len(rows[0]) > 2 and rows[0][2] else None
    head = _TRIGGER_HEAD.match(text or "")
    if text is None or head is None or not text.endswith(statement):
        return None
    written = text[head.end() :]
    shape = _TRIGGER_AS_WRITTEN.fullmatch(written, 0, len(written) - len(statement))
    if shape is None or _bare(shape["name"]) != name or _bare(shape["table"]) != table:
        return None
    return written


def _view_texts(conn: Catalog, server: _Server, names: list[str]) -> dict[str, str]:
    """Each view's query as SHOW CREATE VIEW prints it, which keeps what VIEW_DEFINITION
    drops: a literal's character set introducer (``_utf8mb3' '``). Without it a view made
    again takes its literals in the connection's character set, and its columns may
    change type (utf8mb3 to utf8mb4). One statement per view: there is no catalog text."""
    texts = {}
    for name in names:
        # A view of the connection's database prints its tables unqualified; one of
        # another database is named qualified and prints every table qualified, the
        # connection's too (``unqualify`` makes it relative to the home database).
        rows = _rows(conn, f"SHOW CREATE VIEW {server.qualified(name)}")
        text = rows[0][1] if rows else None
        if not text:
            continue
        head = f" VIEW {server.qualified(name)} AS "
        at = text.find(head)
        if at < 0:
            continue
        texts[name] = _CHECK_OPTION.sub("", text[at + len(head) :]).strip()
    return texts


def _parameter_list(conn: Catalog, server: _Server, kind: str, name: str) -> str | None:
    """A routine's parameter list as written (``IN p_id INT``), from SHOW CREATE, which
    prints it as the CREATE had it (information_schema.PARAMETERS has only types as the
    server spells them); None where the server shows no text (not the definer)."""
    if kind not in ("FUNCTION", "PROCEDURE"):
        return None
    # SHOW CREATE prints the routine's own name unqualified, whatever its database.
    rows = _rows(conn, f"SHOW CREATE {kind} {server.qualified(name)}")
    text = rows[0][2] if rows and len(rows[0]) > 2 else None
    if not text:
        return None
    head = f"{kind} {quote_identifier(name)}("
    at = text.find(head)
    if at < 0:
        return None
    return balanced(text, at + len(head))
