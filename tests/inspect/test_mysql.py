"""inspect_mysql against a real MariaDB/MySQL server: hand-written DDL in, the exact model out.

Expected values are MariaDB 10.11's spelling (``int(11)``, ``current_timestamp()``); where
MySQL 8 spells things differently the test says so and branches on ``VERSION()``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy
from sqlalchemy import event

from dbshift.connection import parse_url
from dbshift.dialects import named, renderer_for
from dbshift.diff import diff
from dbshift.errors import UsageError
from dbshift.inspect import inspect_schema
from dbshift.inspect.mysql import inspect_mysql
from dbshift.inspect.mysql_text import mysql_default, unqualify
from dbshift.model import (
    CheckConstraint,
    Column,
    ForeignKey,
    Generated,
    Identity,
    Index,
    IndexElement,
    PrimaryKey,
    ReferentialAction,
    Routine,
    Schema,
    Sequence,
    Table,
    TableOptions,
    View,
)
from dbshift.ops import Operation
from tests.conftest import Database

pytestmark = pytest.mark.mysql


@pytest.fixture
def conn(mysql_db: Database) -> Iterator[sqlalchemy.Connection]:
    with mysql_db.connect() as connection:
        yield connection


def run(conn: sqlalchemy.Connection, *statements: str) -> None:
    # PyMySQL %-formats every statement, even without parameters.
    for statement in statements:
        conn.exec_driver_sql(statement.replace("%", "%%"))


def inspect(conn: sqlalchemy.Connection, *statements: str) -> Schema:
    run(conn, *statements)
    return inspect_mysql(conn)


def is_mariadb(conn: sqlalchemy.Connection) -> bool:
    return "mariadb" in str(conn.exec_driver_sql("SELECT VERSION()").scalar()).lower()


def database(conn: sqlalchemy.Connection) -> str:
    return str(conn.exec_driver_sql("SELECT DATABASE()").scalar())


def table(schema: Schema, name: str) -> Table:
    found = schema.table(name)
    assert found is not None, [t.name for t in schema.tables]
    return found


def test_columns(conn: sqlalchemy.Connection) -> None:
    if not is_mariadb(conn):
        pytest.skip("expected spellings are MariaDB's (int(11), current_timestamp())")
    schema = inspect(
        conn,
        r"""
        CREATE TABLE t (
          id int NOT NULL AUTO_INCREMENT PRIMARY KEY,
          s varchar(20) CHARACTER SET latin1 COLLATE latin1_bin NOT NULL DEFAULT 'x''y\\z' COMMENT 'a ''note''',
          ts timestamp NOT NULL DEFAULT current_timestamp() ON UPDATE current_timestamp(),
          dt datetime(3) DEFAULT now(3) ON UPDATE now(3),
          d decimal(10,2) DEFAULT 1.50,
          e enum('A','b') DEFAULT 'A',
          x int DEFAULT (1 + 2),
          n varchar(5) DEFAULT NULL,
          nn varchar(5) DEFAULT 'NULL',
          b bit(3) DEFAULT b'101',
          v int AS (x * 2) VIRTUAL,
          p int AS (x + 1) PERSISTENT,
          same varchar(5) COLLATE utf8mb4_general_ci
        ) DEFAULT CHARSET utf8mb4 COLLATE utf8mb4_general_ci
        """,
    )
    assert table(schema, "t").columns == (
        Column("id", "int(11)", nullable=False, identity=Identity()),
        Column(
            "s",
            "varchar(20)",
            nullable=False,
            default="'x''y\\\\z'",
            collation="latin1_bin",
            comment="a 'note'",
        ),
        Column(
            "ts",
            "timestamp",
            nullable=False,
            default="current_timestamp()",
            on_update="current_timestamp()",
        ),
        Column(
            "dt", "datetime(3)", default="current_timestamp(3)", on_update="current_timestamp(3)"
        ),
        Column("d", "decimal(10,2)", default="1.50"),
        Column("e", "enum('A','b')", default="'A'"),
        Column("x", "int(11)", default="(1 + 2)"),
        Column("n", "varchar(5)"),
        Column("nn", "varchar(5)", default="'NULL'"),
        Column("b", "bit(3)", default="b'101'"),
        Column("v", "int(11)", generated=Generated("`x` * 2", stored=False)),
        Column("p", "int(11)", generated=Generated("`x` + 1", stored=True)),
        Column("same", "varchar(5)"),
    )


def test_primary_key_and_table_comment(conn: sqlalchemy.Connection) -> None:
    schema = inspect(
        conn,
        "CREATE TABLE t (b int NOT NULL, a int NOT NULL, PRIMARY KEY (b, a)) COMMENT 'the t'",
        "CREATE TABLE plain (a int)",
    )
    assert table(schema, "t").primary_key == PrimaryKey(("b", "a"))
    assert table(schema, "t").comment == "the t"
    assert table(schema, "plain").primary_key is None
    assert table(schema, "plain").comment is None


def test_unique_constraints_are_unique_indexes(conn: sqlalchemy.Connection) -> None:
    schema = inspect(
        conn,
        "CREATE TABLE t (a int, b int, c int UNIQUE, CONSTRAINT uq UNIQUE (b, a))",
    )
    t = table(schema, "t")
    assert t.uniques == ()
    assert t.indexes == (
        Index("c", (IndexElement("c"),), unique=True),
        Index("uq", (IndexElement("b"), IndexElement("a")), unique=True),
    )


def test_checks(conn: sqlalchemy.Connection) -> None:
    if not is_mariadb(conn):
        pytest.skip("MySQL 8 wraps CHECK_CLAUSE in parentheses and has no column-level checks")
    schema = inspect(
        conn,
        """
        CREATE TABLE t (
          a int CHECK (a > 0),
          b int,
          j json,
          CONSTRAINT b_small CHECK (b < 100 AND b <> a)
        )
        """,
    )
    t = table(schema, "t")
    # A MariaDB JSON column is LONGTEXT with a binary collation and an automatic
    # column-level check named after the column. Column-level checks are the column's
    # (MariaDB 10.5.10+ says which are: CHECK_CONSTRAINTS.LEVEL), printed in its line
    # by SHOW CREATE TABLE and dropped by a MODIFY COLUMN that leaves them out.
    if conn.exec_driver_sql(
        "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA ="
        " 'information_schema' AND TABLE_NAME = 'CHECK_CONSTRAINTS' AND COLUMN_NAME = 'LEVEL'"
    ).scalar():
        assert t.column("j") == Column(
            "j", "longtext", collation="utf8mb4_bin", check="json_valid(`j`)"
        )
        assert t.column("a") == Column("a", "int(11)", check="`a` > 0")
        assert t.checks == (CheckConstraint("b_small", "`b` < 100 and `b` <> `a`"),)
    else:
        assert t.column("j") == Column("j", "longtext", collation="utf8mb4_bin")
        assert t.checks == (
            CheckConstraint("a", "`a` > 0"),
            CheckConstraint("b_small", "`b` < 100 and `b` <> `a`"),
            CheckConstraint("j", "json_valid(`j`)"),
        )


def test_foreign_keys(conn: sqlalchemy.Connection) -> None:
    other = f"dbshift_t_other_{uuid.uuid4().hex[:8]}"
    run(conn, f"CREATE DATABASE {other}")
    try:
        schema = inspect(
            conn,
            "CREATE TABLE p (a int, b int, PRIMARY KEY (a, b))",
            f"CREATE TABLE {other}.far (id int PRIMARY KEY)",
            """
            CREATE TABLE c (
              x int, y int, z int,
              CONSTRAINT fk_p FOREIGN KEY (y, x) REFERENCES p (a, b)
                ON DELETE CASCADE ON UPDATE SET NULL,
              CONSTRAINT fk_far FOREIGN KEY (z) REFERENCES {other}.far (id)
            )
            """.replace("{other}", other),
        )
    finally:
        run(conn, "DROP TABLE IF EXISTS c", f"DROP DATABASE {other}")
    # An action left out is RESTRICT on MariaDB, NO ACTION on MySQL 8.
    default = ReferentialAction.RESTRICT if is_mariadb(conn) else ReferentialAction.NO_ACTION
    c = table(schema, "c")
    assert c.foreign_keys == (
        ForeignKey(
            "fk_far", ("z",), "far", ("id",), ref_schema=other, on_delete=default, on_update=default
        ),
        ForeignKey(
            "fk_p",
            ("y", "x"),
            "p",
            ("a", "b"),
            on_delete=ReferentialAction.CASCADE,
            on_update=ReferentialAction.SET_NULL,
        ),
    )
    # The server indexes every foreign key; those indexes are reported like any other.
    assert c.indexes == (
        Index("fk_far", (IndexElement("z"),)),
        Index("fk_p", (IndexElement("y"), IndexElement("x"))),
    )


def test_indexes(conn: sqlalchemy.Connection) -> None:
    schema = inspect(
        conn,
        """
        CREATE TABLE t (
          a varchar(40), b int, body text, g point NOT NULL, blobby blob,
          KEY prefix_desc (a(10) DESC, b),
          UNIQUE KEY u_b (b),
          FULLTEXT KEY ft (body),
          SPATIAL KEY sp (g)
        )
        """,
    )
    expected = [
        Index("ft", (IndexElement("body"),), method="fulltext"),
        Index("prefix_desc", (IndexElement("a", descending=True, length=10), IndexElement("b"))),
        Index("sp", (IndexElement("g"),), method="spatial"),
        Index("u_b", (IndexElement("b"),), unique=True),
    ]
    assert table(schema, "t").indexes == tuple(expected)
    if is_mariadb(conn):
        # MariaDB 10.4+: a UNIQUE key on a BLOB is a "long unique", kept as a hash.
        run(conn, "CREATE UNIQUE INDEX lu ON t (blobby)")
        assert table(inspect_mysql(conn), "t").index("lu") == Index(
            "lu", (IndexElement("blobby"),), unique=True, method="hash"
        )


def test_functional_index_mysql8(conn: sqlalchemy.Connection) -> None:
    if is_mariadb(conn):
        pytest.skip("MariaDB has no functional key parts")
    schema = inspect(conn, "CREATE TABLE t (a int, b int, KEY f ((a + b) DESC, a))")
    assert table(schema, "t").indexes == (
        Index(
            "f",
            (IndexElement("(`a` + `b`)", is_expression=True, descending=True), IndexElement("a")),
        ),
    )


def test_views(conn: sqlalchemy.Connection) -> None:
    db = database(conn)
    schema = inspect(
        conn,
        "CREATE TABLE t (a int, b varchar(10))",
        f"CREATE VIEW v AS SELECT a, '`{db}`.' AS s FROM t WHERE a > 1",
        "CREATE VIEW info AS SELECT table_name FROM information_schema.tables",
    )
    assert [t.name for t in schema.tables] == ["t"]
    if not is_mariadb(conn):
        return  # MySQL 8 prints the same shape with its own literal spelling.
    # The view's own database is unqualified (names only); other databases and literals stay.
    assert schema.views == (
        View(
            "info",
            "select `information_schema`.`tables`.`TABLE_NAME` AS `table_name` "
            "from `information_schema`.`tables`",
        ),
        View("v", f"select `t`.`a` AS `a`,'`{db}`.' AS `s` from `t` where `t`.`a` > 1"),
    )
    # Rendered back as the query of a view, the definition inspects back the same.
    for view in schema.views:
        run(conn, f"CREATE OR REPLACE VIEW `{view.name}` AS {view.definition}")
    assert inspect_mysql(conn).views == schema.views


def test_sequences(conn: sqlalchemy.Connection) -> None:
    if not is_mariadb(conn):
        pytest.skip("sequences are MariaDB 10.3+")
    schema = inspect(
        conn,
        "CREATE SEQUENCE s START WITH 5",
        "CREATE SEQUENCE `we``ird` INCREMENT BY -3 MINVALUE -100 CACHE 5 CYCLE",
        "CREATE TABLE t (a int)",
    )
    assert [t.name for t in schema.tables] == ["t"]
    assert schema.sequences == (
        Sequence("s", start=5, cache=1000),
        Sequence("we`ird", start=-1, increment=-3, min_value=-100, cycle=True, cache=5),
    )
    ops = converge(
        conn,
        [
            "CREATE SEQUENCE s",
            "CREATE SEQUENCE gone",
            "CREATE SEQUENCE flip",
            "SELECT NEXTVAL(s), NEXTVAL(s), NEXTVAL(flip)",
        ],
        [
            "CREATE SEQUENCE s START WITH 3 INCREMENT BY 10 MAXVALUE 1000 CACHE 2 CYCLE",
            "CREATE SEQUENCE came",
            "CREATE SEQUENCE flip INCREMENT BY -1",
        ],
        reverse=True,
    )
    assert [op.describe() for op in ops] == [
        "alter sequence flip (start, increment)",
        "alter sequence s (start, increment, max_value, cycle, cache)",
        "create sequence came",
        "drop sequence gone",
    ]


def test_routines(conn: sqlalchemy.Connection) -> None:
    if not is_mariadb(conn):
        pytest.skip("expected parameter types are MariaDB's (int(11))")
    schema = inspect(
        conn,
        "CREATE FUNCTION add_one(x int, y varchar(3)) RETURNS int DETERMINISTIC RETURN x + 1",
        """
        CREATE FUNCTION latin(s varchar(3) CHARSET latin1, t text)
        RETURNS varchar(5) CHARSET latin1 COLLATE latin1_bin NO SQL RETURN concat(s, t)
        """,
        """
        CREATE PROCEDURE copy(IN x int, OUT y int, INOUT z int)
        READS SQL DATA SQL SECURITY INVOKER COMMENT 'it''s'
        BEGIN SET y = x; SET z = z + 1; END
        """,
        "CREATE PROCEDURE add_one() SELECT 1",
    )
    assert schema.routines == (
        Routine(
            "function",
            "add_one",
            "CREATE FUNCTION `add_one`(`x` int(11), `y` varchar(3)) RETURNS int(11) "
            "DETERMINISTIC RETURN x + 1",
        ),
        Routine("procedure", "add_one", "CREATE PROCEDURE `add_one`() SELECT 1"),
        Routine(
            "procedure",
            "copy",
            "CREATE PROCEDURE `copy`(IN `x` int(11), OUT `y` int(11), INOUT `z` int(11)) "
            "READS SQL DATA SQL SECURITY INVOKER COMMENT 'it''s' "
            "BEGIN SET y = x; SET z = z + 1; END",
        ),
        Routine(
            "function",
            "latin",
            "CREATE FUNCTION `latin`(`s` varchar(3) CHARSET latin1 COLLATE latin1_swedish_ci, "
            "`t` text) RETURNS varchar(5) CHARSET latin1 COLLATE latin1_bin NO SQL "
            "RETURN concat(s, t)",
        ),
    )
    # The definition is a runnable CREATE statement that inspects back the same.
    for routine in schema.routines:
        run(conn, f"DROP {routine.kind} `{routine.name}`", routine.definition)
    assert inspect_mysql(conn).routines == schema.routines


def test_triggers(conn: sqlalchemy.Connection) -> None:
    schema = inspect(
        conn,
        "CREATE TABLE t (a int, b int)",
        "CREATE TRIGGER t_bi BEFORE INSERT ON t FOR EACH ROW SET NEW.b = NEW.a * 2",
        "CREATE TRIGGER t_au AFTER UPDATE ON t FOR EACH ROW BEGIN DO 1; END",
    )
    assert schema.routines == (
        Routine("trigger", "t_au", "AFTER UPDATE FOR EACH ROW BEGIN DO 1; END", table="t"),
        Routine("trigger", "t_bi", "BEFORE INSERT FOR EACH ROW SET NEW.b = NEW.a * 2", table="t"),
    )


HOSTILE = ['we"ird', "back`tick", "semi;colon", "with space", "ünïcödé☃", "select", "MiXeD", "50%", "a.b", "it's", "back\\slash"]  # fmt: skip


def q(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def test_hostile_identifiers_round_trip(conn: sqlalchemy.Connection) -> None:
    for i, name in enumerate(HOSTILE):
        col, idx, chk, fk = (f"{name}_{kind}" for kind in ("c", "i", "k", "f"))
        ref = f"REFERENCES {q(HOSTILE[i - 1])} ({q(HOSTILE[i - 1] + '_c')})" if i else ""
        run(
            conn,
            f"CREATE TABLE {q(name)} ({q(col)} int NOT NULL PRIMARY KEY, "
            f"{q(name)} int COMMENT {_literal(name)}, KEY {q(idx)} ({q(name)}), "
            f"CONSTRAINT {q(chk)} CHECK ({q(col)} > 0)"
            + (f", CONSTRAINT {q(fk)} FOREIGN KEY ({q(name)}) {ref})" if i else ")")
            + f" COMMENT {_literal(name)}",
        )
        run(conn, f"CREATE VIEW {q(name + '_v')} AS SELECT {q(col)} FROM {q(name)}")
        run(conn, f"CREATE TRIGGER {q(name + '_t')} BEFORE INSERT ON {q(name)} FOR EACH ROW DO 1")
    # Upper and lower case spellings are different tables where the server allows it
    # (lower_case_table_names=0); the catalog compares names case-insensitively.
    case_sensitive = conn.exec_driver_sql("SELECT @@lower_case_table_names").scalar() == 0
    if case_sensitive:
        run(conn, "CREATE TABLE mixed (other int)")
    schema = inspect_mysql(conn)
    default = ReferentialAction.RESTRICT if is_mariadb(conn) else ReferentialAction.NO_ACTION
    for i, name in enumerate(HOSTILE):
        t = table(schema, name)
        assert [c.name for c in t.columns] == [f"{name}_c", name]
        assert t.columns[1].comment == name
        assert t.comment == name
        assert t.primary_key == PrimaryKey((f"{name}_c",))
        assert t.checks[0].name == f"{name}_k"
        assert t.index(f"{name}_i") == Index(f"{name}_i", (IndexElement(name),))
        if i:
            ref_table, ref_column = HOSTILE[i - 1], f"{HOSTILE[i - 1]}_c"
            assert t.foreign_keys == (
                ForeignKey(
                    f"{name}_f",
                    (name,),
                    ref_table,
                    (ref_column,),
                    on_delete=default,
                    on_update=default,
                ),
            )
    assert {v.name for v in schema.views} == {f"{n}_v" for n in HOSTILE}
    assert {(r.name, r.table) for r in schema.routines} == {(f"{n}_t", n) for n in HOSTILE}
    if case_sensitive:
        assert [c.name for c in table(schema, "mixed").columns] == ["other"]
        assert [c.name for c in table(schema, "MiXeD").columns] == ["MiXeD_c", "MiXeD"]


def _literal(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"


def test_exclude(conn: sqlalchemy.Connection) -> None:
    schema = inspect(
        conn,
        "CREATE TABLE dbshift_history (id int PRIMARY KEY)",
        "CREATE TABLE kept (id int PRIMARY KEY)",
        "CREATE TRIGGER hist BEFORE INSERT ON dbshift_history FOR EACH ROW DO 1",
    )
    assert {t.name for t in schema.tables} == {"dbshift_history", "kept"}
    schema = inspect_mysql(conn, exclude={"dbshift_history"})
    assert [t.name for t in schema.tables] == ["kept"]
    assert schema.routines == ()


def test_dispatch_and_no_database(conn: sqlalchemy.Connection, mysql_db: Database) -> None:
    run(conn, "CREATE TABLE t (a int)")
    assert inspect_schema(conn) == inspect_mysql(conn)
    url = parse_url(mysql_db.url)
    no_database = sqlalchemy.URL.create(
        url.drivername, url.username, url.password, url.host, url.port
    )
    engine = sqlalchemy.create_engine(no_database)
    try:
        with engine.connect() as bare, pytest.raises(UsageError, match="no current database"):
            inspect_mysql(bare)
    finally:
        engine.dispose()


def _count_queries(conn: sqlalchemy.Connection, tables: int) -> int:
    for i in range(tables):
        run(
            conn,
            f"CREATE TABLE IF NOT EXISTS t{i} (id int PRIMARY KEY, a int CHECK (a > 0), "
            f"p int, UNIQUE KEY u (a), FOREIGN KEY (p) REFERENCES t{i} (id))",
        )
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(conn, "before_cursor_execute", count)
    try:
        schema = inspect_mysql(conn)
    finally:
        event.remove(conn, "before_cursor_execute", count)
    assert len(schema.tables) == tables
    return len(statements)


def test_query_count_does_not_grow(conn: sqlalchemy.Connection) -> None:
    run(conn, "CREATE FUNCTION f() RETURNS int RETURN 1", "CREATE VIEW v AS SELECT 1 AS one")
    assert _count_queries(conn, 5) == _count_queries(conn, 50)


def test_mysql8_raw_defaults() -> None:
    # MySQL 8 prints raw values; they become the expressions MariaDB prints.
    assert mysql_default(None, "varchar", "") is None
    assert mysql_default("NULL", "varchar", "") == "'NULL'"
    assert mysql_default("it's \\ ok", "varchar", "") == "'it''s \\\\ ok'"
    assert mysql_default("1.50", "decimal", "") == "1.50"
    assert mysql_default("b'101'", "bit", "") == "b'101'"
    assert mysql_default("now", "varchar", "") == "'now'"
    assert mysql_default("0x616263", "varbinary", "") == "0x616263"
    assert mysql_default("CURRENT_TIMESTAMP", "timestamp", "DEFAULT_GENERATED") == (
        "CURRENT_TIMESTAMP"
    )
    assert mysql_default("CURRENT_TIMESTAMP(3)", "datetime", "") == "CURRENT_TIMESTAMP(3)"
    assert mysql_default("(1 + 2)", "int", "DEFAULT_GENERATED") == "((1 + 2))"
    assert mysql_default("rand()", "double", "DEFAULT_GENERATED") == "(rand())"


def test_unqualify_leaves_literals_and_other_databases() -> None:
    text = "select `d`.`t`.`a` AS `a`,'`d`.' AS `s`,`d``x`.`u`.`b` from `d`.`t` join `e`.`u`"
    assert unqualify(text, "d") == (
        "select `t`.`a` AS `a`,'`d`.' AS `s`,`d``x`.`u`.`b` from `t` join `e`.`u`"
    )
    assert unqualify("select 'it''s `d`.', \"`d`.\" from `d`.`t`", "d") == (
        "select 'it''s `d`.', \"`d`.\" from `t`"
    )


# -- model features: inspected, compared, and converging ---------------------------------


def converge(
    conn: sqlalchemy.Connection,
    before: list[str],
    after: list[str],
    *,
    charset: str = "utf8mb4",
    reverse: bool = False,
) -> list[Operation]:
    """``before`` built in database a and ``after`` in database b (hand-written DDL, both
    created with ``charset``): the diff from a to b, rendered and run on a, makes a inspect
    exactly as b (a second diff is empty), and b rendered from nothing into database c
    inspects as b too. With ``reverse`` the reversed operations bring a back."""

    def execute(statements: list[str]) -> None:
        # Rendered SQL, verbatim: names come back from the catalog as the server has them.
        for sql in statements:
            conn.exec_driver_sql(sql)

    names = {k: f"dbshift_t_{k}_{uuid.uuid4().hex[:8]}" for k in "abc"}
    home = database(conn)
    renderer = renderer_for("mysql")
    for name in names.values():
        run(conn, f"CREATE DATABASE {name} CHARACTER SET {charset}")
    try:
        run(conn, f"USE {names['a']}", *before)
        a = inspect_mysql(conn)
        run(conn, f"USE {names['b']}", *after)
        b = inspect_mysql(conn)
        assert diff(a, a) == [] and diff(b, b) == []
        ops = diff(a, b)
        run(conn, f"USE {names['a']}")
        execute(renderer.render(ops, a))
        a_after = inspect_mysql(conn)
        assert a_after == b
        assert diff(a_after, b) == []
        if reverse:
            execute(renderer.render([op.reverse() for op in reversed(ops)], a_after))
            assert inspect_mysql(conn) == a
        run(conn, f"USE {names['c']}")
        execute(renderer.render(diff(Schema(), b), Schema()))
        assert inspect_mysql(conn) == b
        return ops
    finally:
        run(conn, f"USE {home}", *(f"DROP DATABASE {name}" for name in names.values()))


def test_table_engine_is_relative_to_the_default_and_collation_is_the_tables_own(
    conn: sqlalchemy.Connection,
) -> None:
    schema = inspect(
        conn,
        "CREATE TABLE plain (a int)",
        "CREATE TABLE mine (a varchar(5)) ENGINE=MyISAM COLLATE=latin1_bin",
    )
    defaults = conn.exec_driver_sql("SELECT @@default_storage_engine, @@collation_database").one()
    assert schema.defaults == TableOptions(*defaults)
    # The collation a table took from its database is its own: made again elsewhere, the
    # table must have it whatever that database's default is.
    assert table(schema, "plain").options == TableOptions(collation=defaults[1])
    assert table(schema, "mine").options == TableOptions("MyISAM", "latin1_bin")
    assert table(schema, "mine").columns == (Column("a", "varchar(5)"),)


def test_table_options_change_and_columns_keep_what_was_asked(
    conn: sqlalchemy.Connection,
) -> None:
    ops = converge(
        conn,
        [
            "CREATE TABLE t (id int, s varchar(10), x text COLLATE utf8mb4_bin, n int)",
            "CREATE TABLE m (id int) ENGINE=MyISAM",
            "INSERT INTO t VALUES (1, 'é', 'x', 2)",
        ],
        [
            # s follows the new default, x keeps its own collation, and latin1 text stays
            # text (CONVERT TO CHARACTER SET would have made it mediumtext).
            "CREATE TABLE t (id int, s varchar(10), x text COLLATE utf8mb4_bin, n int) "
            "COLLATE=latin1_swedish_ci",
            "CREATE TABLE m (id int) ENGINE=InnoDB",
        ],
        reverse=True,
    )
    assert [op.describe() for op in ops] == [
        "set table options on m (engine)",
        "set table options on t (collation)",
        "alter column t.s (collation)",
    ]
    assert [named("mysql").safety(op).rewrite for op in ops] == [True, False, True]


def test_invisible_columns(conn: sqlalchemy.Connection) -> None:
    version = (10, 3, 3) if is_mariadb(conn) else (8, 0, 23)
    numbers = str(conn.exec_driver_sql("SELECT VERSION()").scalar()).split("-")[0]
    if tuple(int(n) for n in numbers.split(".")[:3]) < version:
        pytest.skip("INVISIBLE columns: MariaDB 10.3.3+, MySQL 8.0.23+")
    schema = inspect(conn, "CREATE TABLE t (a int, b int INVISIBLE, c int DEFAULT 1 INVISIBLE)")
    assert [(c.name, c.invisible) for c in table(schema, "t").columns] == [
        ("a", False),
        ("b", True),
        ("c", True),
    ]
    ops = converge(
        conn,
        ["CREATE TABLE t (a int, b int INVISIBLE, c int)"],
        ["CREATE TABLE t (a int, b int, c int INVISIBLE, d int DEFAULT 2 INVISIBLE)"],
        reverse=True,
    )
    assert [op.describe() for op in ops] == [
        "alter column t.b (invisible)",
        "alter column t.c (invisible)",
        "add column t.d",
    ]


def test_new_objects_with_hostile_names_converge(conn: sqlalchemy.Connection) -> None:
    mariadb = is_mariadb(conn)
    before, after = [], []
    for i, name in enumerate(HOSTILE):
        t, s = q(name), q(name + "_s")
        before.append(f"CREATE TABLE {t} (a int, {q(name + 'v')} varchar(5))")
        after.append(
            f"CREATE TABLE {t} (a int, {q(name + 'v')} varchar(5) INVISIBLE) "
            "ENGINE=MyISAM COLLATE=latin1_bin"
        )
        if mariadb:
            before.append(f"CREATE SEQUENCE {s}")
            after.append(f"CREATE SEQUENCE {s} INCREMENT BY {i + 2}")
    ops = converge(conn, before, after, reverse=True)
    kinds = {op.kind for op in ops}
    assert kinds >= {"set_table_options", "alter_column"}
    assert ("alter_sequence" in kinds) == mariadb


def test_auto_increment_added_and_dropped_in_place(conn: sqlalchemy.Connection) -> None:
    ops = converge(
        conn,
        ["CREATE TABLE t (id int NOT NULL PRIMARY KEY, n int)", "INSERT INTO t VALUES (5, 1)"],
        ["CREATE TABLE t (id int NOT NULL AUTO_INCREMENT PRIMARY KEY, n int)"],
        reverse=True,
    )
    assert [op.describe() for op in ops] == ["alter column t.id (identity)"]
    assert named("mysql").safety(ops[0]).flags() == ["rewrite", "lock=writes"]


def test_columns_read_as_json_equal_columns_read_row_by_row(conn: sqlalchemy.Connection) -> None:
    """MariaDB 10.5+ sends each table's columns as one JSON array (``COLUMNS_JSON``): the
    values must come out as PyMySQL decodes the plain rows, for every kind of text a column
    can hold (quotes, backslashes, control characters, non-ASCII, NULL against 'NULL'), and
    a table whose array the server cuts at group_concat_max_len must fall back to the rows."""
    if not is_mariadb(conn):
        pytest.skip("JSON_ARRAYAGG ... ORDER BY is MariaDB's")
    run(
        conn,
        "CREATE TABLE `t\"'``\\x` (id int PRIMARY KEY, "
        "`s \\\\ é` varchar(9) CHARACTER SET latin1 DEFAULT 'a''\\\\\\n\\t\"' "
        "COMMENT 'tab\\there é ☃ \\\\', n varchar(5) DEFAULT NULL, nn varchar(5) DEFAULT 'NULL', "
        "g int AS (id * 2) VIRTUAL, ts timestamp(3) NULL DEFAULT current_timestamp(3) "
        "ON UPDATE current_timestamp(3))",
        "CREATE TABLE wide ("
        + ", ".join(f"c{i} int COMMENT '{'x' * 200}'" for i in range(60))
        + ")",
        # Equal to the server's ORDER BY TABLE_NAME: their rows interleave there.
        "CREATE TABLE mixed (a int, b int)",
        "CREATE TABLE MIXED (c int, d int)",
    )
    from dbshift.inspect import mysql, mysql_queries

    catalog = mysql.catalog_of(conn)
    server = mysql._server(catalog)
    plain = {
        table: [tuple(column) for column in columns]
        for table, columns in mysql._by_table(
            mysql._rows(catalog, mysql_queries.COLUMNS, server.params)
        ).items()
    }

    def read() -> dict[str, list[tuple[object, ...]]]:
        found = mysql._column_rows(catalog, server)
        return {table: [tuple(column) for column in columns] for table, columns in found.items()}

    assert read() == plain
    # A session in ONLY_FULL_GROUP_BY mode (common in production configs) reads the same.
    run(conn, "SET SESSION sql_mode = CONCAT(@@sql_mode, ',ONLY_FULL_GROUP_BY')")
    try:
        assert read() == plain
    finally:
        run(conn, "SET SESSION sql_mode = DEFAULT")
    # 60 comments of 200 characters: past a 4 kB limit, so that table's array is cut.
    run(conn, "SET SESSION group_concat_max_len = 4096")
    try:
        assert read() == plain
    finally:
        run(conn, "SET SESSION group_concat_max_len = DEFAULT")
    # Cut just after one of its columns, the server's closing bracket makes the array
    # valid JSON, one column long: only the count tells (the other table's array is whole).
    arrays = {
        table: text for table, _, text in catalog.rows(mysql_queries.COLUMNS_JSON, server.params)
    }
    whole = max(len(text) for table, text in arrays.items() if table != "wide")
    run(conn, f"SET SESSION group_concat_max_len = {arrays['wide'].index('],[', whole)}")
    try:
        assert read() == plain
    finally:
        run(conn, "SET SESSION group_concat_max_len = DEFAULT")


def _per_table(rows: list[tuple[object, ...]], key: int = 1) -> dict[object, list[object]]:
    """Rows by table (by table and constraint: ``key`` 2), each group in the order read."""
    grouped: dict[object, list[object]] = {}
    for row in rows:
        grouped.setdefault(row[:key], []).append(row)
    return grouped


def test_catalog_read_as_json_equals_rows(conn: sqlalchemy.Connection) -> None:
    """MariaDB 10.5+ reads TABLES, STATISTICS, CHECK_CONSTRAINTS and the foreign keys' two
    views as one JSON array each (``mysql_queries.as_json``): the same rows as the plain
    queries, in the order the reader relies on (a table's keys in the server's key order,
    a foreign key's columns in its own), for hostile names and text, under
    ONLY_FULL_GROUP_BY, and read from the plain query where the array is cut: mid-row (it
    fails to load) or just after a row (it loads, and is one row long)."""
    if not is_mariadb(conn):
        pytest.skip("JSON_ARRAYAGG ... ORDER BY and SET STATEMENT are MariaDB's")
    for i, name in enumerate([*HOSTILE, "mixed"]):
        # Foreign key names are the database's, compared case-insensitively: numbered.
        fk = f"CONSTRAINT {q(f'{name}_{i}')} FOREIGN KEY (b, a)"
        ref = f", {fk} REFERENCES {q(HOSTILE[i - 1])} (b, a)" if i else ""
        run(
            conn,
            f"CREATE TABLE {q(name)} (a int NOT NULL, b varchar(20) NOT NULL, c text,"
            f" PRIMARY KEY (b, a), KEY {q('0' + name)} (c(10) DESC, a),"
            f" UNIQUE KEY {q(name)} (a) COMMENT {_literal(name + chr(10) + chr(9))},"
            f" CONSTRAINT {q(name + '_k')} CHECK (b <> {_literal(name)}){ref})"
            f" COMMENT {_literal(name)}",
        )
    from dbshift.inspect import mysql, mysql_queries

    catalog = mysql.catalog_of(conn)
    server = mysql._server(catalog)
    assert server.json_arrays
    queries = [
        (mysql_queries.TABLES_JSON, mysql_queries.TABLES, 1),
        (
            mysql_queries.statistics_mariadb(server.version, as_json_array=True),
            mysql_queries.statistics_mariadb(server.version),
            1,
        ),
        (mysql_queries.CHECKS_MARIADB_JSON, mysql_queries.CHECKS_MARIADB, 1),
        (mysql_queries.CHECKS_MARIADB_LEVEL_JSON, mysql_queries.CHECKS_MARIADB_LEVEL, 1),
        (mysql_queries.FOREIGN_KEY_RULES_JSON, mysql_queries.FOREIGN_KEY_RULES, 1),
        (mysql_queries.FOREIGN_KEY_COLUMNS_JSON, mysql_queries.FOREIGN_KEY_COLUMNS, 2),
    ]
    for json_sql, sql, key in queries:
        plain = _per_table(mysql._rows(catalog, sql, server.params), key)
        assert len(plain) >= len(HOSTILE)
        assert _per_table(mysql._json_rows(catalog, server, json_sql, sql), key) == plain
        run(conn, "SET SESSION sql_mode = CONCAT(@@sql_mode, ',ONLY_FULL_GROUP_BY')")
        try:
            assert _per_table(mysql._json_rows(catalog, server, json_sql, sql), key) == plain
        finally:
            run(conn, "SET SESSION sql_mode = DEFAULT")
        # The limit the query raises for itself, lowered: its array is cut there.
        [(_, text)] = catalog.rows(json_sql, server.params)
        after_first_row = text.index("],[")
        for limit in (after_first_row, after_first_row - 3):
            assert "@@max_allowed_packet" in json_sql
            cut = json_sql.replace("@@max_allowed_packet", str(limit))
            assert _per_table(mysql._json_rows(catalog, server, cut, sql), key) == plain
