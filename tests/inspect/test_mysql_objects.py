"""MySQL/MariaDB views and routines: their characteristics kept, and dependants dropped and
created in order, each converging on a real server (``converge``)."""

from __future__ import annotations

import re
import uuid

import pytest
import sqlalchemy

from dbshift.cli.main import main
from dbshift.dialects import renderer_for
from dbshift.diff import diff
from dbshift.errors import Unsupported
from dbshift.inspect.mysql import inspect_mysql
from dbshift.model import Schema
from dbshift.ops import CreateIndex, CreateView
from tests.conftest import Database
from tests.inspect.test_mysql import conn, converge, is_mariadb

pytestmark = pytest.mark.mysql
__all__ = ["conn"]


def test_view_security_check_option_and_algorithm_are_kept(conn: sqlalchemy.Connection) -> None:
    ops = converge(
        conn,
        [
            "CREATE TABLE t (id int PRIMARY KEY, v int)",
            "CREATE VIEW plain AS SELECT id, v FROM t",
        ],
        [
            "CREATE TABLE t (id int PRIMARY KEY, v int)",
            "CREATE ALGORITHM = MERGE SQL SECURITY INVOKER VIEW plain AS "
            "SELECT id, v FROM t WHERE v > 0 WITH CASCADED CHECK OPTION",
            "CREATE ALGORITHM = TEMPTABLE VIEW summed AS SELECT sum(v) AS s FROM t",
            "CREATE VIEW local_checked AS SELECT id, v FROM plain WITH LOCAL CHECK OPTION",
        ],
        reverse=True,
    )
    assert ops[0].describe() == "drop view plain"
    created = {op.view.name: op.view for op in ops if isinstance(op, CreateView)}
    assert (created["plain"].algorithm, created["plain"].security_invoker) == ("MERGE", True)
    assert created["plain"].check_option == "CASCADED"
    assert created["local_checked"].check_option == "LOCAL"
    assert created["summed"].algorithm == "TEMPTABLE"
    sql = renderer_for("mysql").statements(ops[-1], Schema())
    assert sql == [
        "CREATE ALGORITHM = TEMPTABLE VIEW `summed` AS select sum(`t`.`v`) AS `s` from `t`"
    ]


def test_a_view_another_view_reads_is_recreated_in_order(conn: sqlalchemy.Connection) -> None:
    ops = converge(
        conn,
        [
            "CREATE TABLE t (id int, v int)",
            "CREATE VIEW base AS SELECT id, v FROM t",
            "CREATE VIEW a_top AS SELECT id FROM base",
            "CREATE FUNCTION twice(x int) RETURNS int DETERMINISTIC RETURN x * 2",
            "CREATE VIEW z_calls AS SELECT twice(v) AS w FROM base",
        ],
        [
            "CREATE TABLE t (id int, v int)",
            "CREATE VIEW base AS SELECT id, v, v + 1 AS w FROM t",
            "CREATE VIEW a_top AS SELECT id FROM base",
            "CREATE FUNCTION twice(x int) RETURNS int DETERMINISTIC NO SQL RETURN x + x",
            "CREATE VIEW z_calls AS SELECT twice(v) AS w FROM base",
        ],
        reverse=True,
    )
    described = [op.describe() for op in ops]
    # Created after what they read (MySQL lets a view be dropped under another, but not
    # created before what it reads).
    assert described.index("create view base") < described.index("create view a_top")
    assert described.index("create function twice") < described.index("create view z_calls")


def test_a_foreign_keys_index_is_dropped_after_its_replacement(
    conn: sqlalchemy.Connection,
) -> None:
    customers = "CREATE TABLE customers (id int PRIMARY KEY)"
    ops = converge(
        conn,
        [
            customers,
            "CREATE TABLE orders (id int PRIMARY KEY, customer_id int, created date,"
            " KEY ix_orders_customer (customer_id),"
            " CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id))",
        ],
        [
            customers,
            "CREATE TABLE orders (id int PRIMARY KEY, customer_id int, created date,"
            " KEY ix_orders_customer_created (customer_id, created),"
            " CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id))",
        ],
        reverse=True,
    )
    described = [op.describe() for op in ops]
    assert described.index("create index ix_orders_customer_created on orders") < (
        described.index("drop index ix_orders_customer on orders")
    )


def test_an_explicit_foreign_key_index_replaced_by_the_implicit_one(
    conn: sqlalchemy.Connection,
) -> None:
    customers = "CREATE TABLE customers (id int PRIMARY KEY)"
    fk = "CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id)"
    converge(
        conn,
        [
            customers,
            f"CREATE TABLE orders (id int PRIMARY KEY, customer_id int,"
            f" KEY ix_orders_customer (customer_id), {fk})",
        ],
        [customers, f"CREATE TABLE orders (id int PRIMARY KEY, customer_id int, {fk})"],
        reverse=True,
    )


def test_index_comments_are_kept(conn: sqlalchemy.Connection) -> None:
    """An index's COMMENT (was refused by name): added, changed and removed by making
    the index again, and created with the table."""
    ops = converge(
        conn,
        [
            "CREATE TABLE k (id int PRIMARY KEY, a int, b varchar(20),"
            " KEY k_a (a) COMMENT 'it''s \\\\ old', KEY k_b (b), KEY k_ab (a, b) COMMENT 'gone')"
        ],
        [
            "CREATE TABLE k (id int PRIMARY KEY, a int, b varchar(20),"
            " KEY k_a (a) COMMENT 'new', KEY k_b (b(10)) COMMENT 'prefix; \"quoted\"',"
            " KEY k_ab (a, b))"
        ],
        reverse=True,
    )
    created = {op.index.name: op.index.comment for op in ops if isinstance(op, CreateIndex)}
    assert created == {"k_a": "new", "k_b": 'prefix; "quoted"', "k_ab": None}


def test_row_format_is_kept(conn: sqlalchemy.Connection) -> None:
    """A declared ROW_FORMAT (was refused by name with the other table options): created
    with the table, changed, and declared no more (``ROW_FORMAT=DEFAULT``)."""
    ops = converge(
        conn,
        [
            "CREATE TABLE f (id int PRIMARY KEY) ROW_FORMAT=COMPACT",
            "CREATE TABLE g (id int PRIMARY KEY) ROW_FORMAT=DYNAMIC",
            "CREATE TABLE h (id int PRIMARY KEY)",
        ],
        [
            "CREATE TABLE f (id int PRIMARY KEY) ROW_FORMAT=REDUNDANT",
            "CREATE TABLE g (id int PRIMARY KEY)",
            "CREATE TABLE h (id int PRIMARY KEY) ROW_FORMAT=DYNAMIC",
            "CREATE TABLE i (id int PRIMARY KEY) ROW_FORMAT=COMPACT",
        ],
        reverse=True,
    )
    described = sorted(op.describe() for op in ops)
    assert described == [
        "create table i",
        "set table options on f (row_format)",
        "set table options on g (row_format)",
        "set table options on h (row_format)",
    ]


MYSQL_REFUSED = [
    (
        "CREATE EVENT nightly ON SCHEDULE EVERY 1 DAY DO SELECT 1",
        r"events are not supported yet \(nightly\)",
    ),
    # Partitioned tables are modelled (tests/diff/test_mysql_partitions.py); subpartitions not.
    (
        "CREATE TABLE p (id int, d date) PARTITION BY RANGE (YEAR(d)) SUBPARTITION BY HASH (id)"
        " SUBPARTITIONS 2 (PARTITION a VALUES LESS THAN (2000), PARTITION b VALUES LESS THAN"
        " MAXVALUE)",
        r"subpartitioned tables are not supported yet \(p\)",
    ),
    # Each of these was silently left out (SHOW CREATE of a generated copy lacked it).
    (
        "CREATE TABLE c (id int) ROW_FORMAT=COMPRESSED KEY_BLOCK_SIZE=8",
        r"table options \(KEY_BLOCK_SIZE\) are not supported yet \(c\)",
    ),
    # As other tools' fixtures and old dumps write them; each named.
    (
        "CREATE TABLE a (id int) ENGINE=Aria PAGE_CHECKSUM=1 TRANSACTIONAL=0",
        r"table options \(PAGE_CHECKSUM, TRANSACTIONAL\) are not supported yet \(a\)",
    ),
    (
        "CREATE TABLE s (id int) STATS_PERSISTENT=0 STATS_AUTO_RECALC=1",
        r"table options \(STATS_AUTO_RECALC, STATS_PERSISTENT\) are not supported yet \(s\)",
    ),
    # A MEMORY table's keys are HASH ones unless declared BTREE; a primary key has no
    # method in the model, so a BTREE one there would come back HASH.
    (
        "CREATE TABLE m (id int, PRIMARY KEY (id) USING BTREE) ENGINE=MEMORY",
        r"BTREE primary keys of MEMORY tables are not supported yet \(m\)",
    ),
    (
        "CREATE TABLE mall (a int) ENGINE=MRG_MyISAM UNION=() INSERT_METHOD=LAST",
        r"MERGE \(MRG_MyISAM\) tables are not supported yet \(mall\)",
    ),
    (
        "CREATE TABLE k (id int, PRIMARY KEY (id) COMMENT 'lookup')",
        r"primary key comments are not supported yet \(k\)",
    ),
]


@pytest.mark.parametrize(
    ("ddl", "message"),
    MYSQL_REFUSED,
    ids=[
        "event",
        "subpartitioned",
        "table-options",
        "aria-options",
        "stats-options",
        "memory-btree-primary-key",
        "merge-table",
        "primary-key-comment",
    ],
)
def test_what_is_not_modelled_is_refused_by_name(
    mysql_db: Database, capsys: pytest.CaptureFixture[str], ddl: str, message: str
) -> None:
    with mysql_db.connect() as connection:
        connection.exec_driver_sql(ddl)
    assert main(["inspect", mysql_db.url]) != 0
    err = capsys.readouterr().err
    assert re.search("dbshift: error: " + message, err), err


def test_system_versioned_tables_are_refused_on_mariadb(
    conn: sqlalchemy.Connection, capsys: pytest.CaptureFixture[str]
) -> None:
    if not is_mariadb(conn):
        pytest.skip("system versioning is MariaDB's")
    conn.exec_driver_sql("CREATE TABLE h (id int) WITH SYSTEM VERSIONING")
    with pytest.raises(Unsupported, match=r"system-versioned tables are not supported yet \(h\)"):
        inspect_mysql(conn)


def test_an_ignored_index_is_refused_by_name(conn: sqlalchemy.Connection) -> None:
    if not is_mariadb(conn):
        pytest.skip("IGNORED is MariaDB's (10.6+)")
    conn.exec_driver_sql("CREATE TABLE g (id int, KEY g_id (id) IGNORED)")
    with pytest.raises(Unsupported, match=r"ignored or invisible indexes .*\(g.g_id\)"):
        inspect_mysql(conn)


def test_triggers_on_one_event_are_made_again_in_their_order(
    conn: sqlalchemy.Connection,
) -> None:
    """Two BEFORE INSERT triggers, the second declared to run first (PRECEDES): read and
    made again, they run in the same order (ACTION_ORDER), not in creation order."""
    table = "CREATE TABLE t (id int, b int)"
    ops = converge(
        conn,
        [table],
        [
            table,
            "CREATE TRIGGER ta BEFORE INSERT ON t FOR EACH ROW SET NEW.b = NEW.b * 10",
            "CREATE TRIGGER tb BEFORE INSERT ON t FOR EACH ROW PRECEDES ta SET NEW.b = 2",
        ],
        reverse=True,
    )
    assert [op.describe() for op in ops] == ["create trigger tb on t", "create trigger ta on t"]
    # converge compared the migrated database with the desired one: equal only if ta still
    # follows tb, as the inspector reads it from ACTION_ORDER.
    for sql in [
        table,
        "CREATE TRIGGER ta BEFORE INSERT ON t FOR EACH ROW SET NEW.b = NEW.b * 10",
        "CREATE TRIGGER tb BEFORE INSERT ON t FOR EACH ROW PRECEDES ta SET NEW.b = 2",
    ]:
        conn.exec_driver_sql(sql)
    triggers = {r.name: r.definition for r in inspect_mysql(conn).routines}
    assert "FOR EACH ROW FOLLOWS `tb` SET" in triggers["ta"]
    assert "FOLLOWS" not in triggers["tb"]
    conn.exec_driver_sql("INSERT INTO t (id, b) VALUES (1, 0)")
    assert conn.exec_driver_sql("SELECT b FROM t").scalar_one() == 20  # tb, then ta


def _firing_order(conn: sqlalchemy.Connection, database: str) -> set[tuple[object, ...]]:
    """Each trigger's place among those of its table, timing and event, as the server keeps
    it (ACTION_ORDER: MariaDB stores no FOLLOWS/PRECEDES, only the resulting order)."""
    rows = conn.exec_driver_sql(
        "SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION,"
        " ACTION_ORDER FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = %s",
        (database,),
    )
    return {tuple(r) for r in rows}


def test_a_schema_using_precedes_round_trips_to_the_same_action_order(
    conn: sqlalchemy.Connection,
) -> None:
    """PRECEDES is not stored: the server keeps ACTION_ORDER only, and dbshift models it as
    a FOLLOWS chain (each trigger after the first names the one before it). Built from a
    schema that places triggers with PRECEDES (at the head of a chain and in its middle),
    inspected, rendered from nothing and run in another database, every trigger has the
    ACTION_ORDER it had; and a database holding only part of the chain is brought to it."""

    def trigger(name: str, clause: str = "", event: str = "INSERT") -> str:
        return (
            f"CREATE TRIGGER {name} BEFORE {event} ON t FOR EACH ROW {clause} "
            f"SET NEW.b = NEW.b * 3 + {len(name)}"
        )

    schema = [
        "CREATE TABLE t (id int, b int)",
        trigger("t_one"),
        trigger("t_two", "FOLLOWS t_one"),
        trigger("t_head", "PRECEDES t_one"),
        trigger("t_mid", "PRECEDES t_two"),
        trigger("u_one", event="UPDATE"),
        trigger("u_first", "PRECEDES u_one", event="UPDATE"),
    ]
    names = [f"dbshift_t_{k}_{uuid.uuid4().hex[:8]}" for k in ("src", "new", "part")]
    renderer = renderer_for("mysql")
    for name in names:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        source, fresh, partial = names
        conn.exec_driver_sql(f"USE {source}")
        for sql in schema:
            conn.exec_driver_sql(sql)
        wanted = _firing_order(conn, source)
        assert ("t_head", "t", "BEFORE", "INSERT", 1) in wanted  # PRECEDES took effect
        assert ("t_mid", "t", "BEFORE", "INSERT", 3) in wanted
        desired = inspect_mysql(conn)

        conn.exec_driver_sql(f"USE {fresh}")
        for sql in renderer.render(diff(Schema(), desired), Schema()):
            conn.exec_driver_sql(sql)
        assert _firing_order(conn, fresh) == wanted

        # Only part of the chain there, created in another order: brought to the same one.
        conn.exec_driver_sql(f"USE {partial}")
        for sql in [
            schema[0],
            trigger("t_two"),
            trigger("t_one"),
            trigger("u_one", event="UPDATE"),
        ]:
            conn.exec_driver_sql(sql)
        current = inspect_mysql(conn)
        for sql in renderer.render(diff(current, desired), current):
            conn.exec_driver_sql(sql)
        assert _firing_order(conn, partial) == wanted
        assert diff(inspect_mysql(conn), desired) == []
    finally:
        for name in names:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")


def _client_charsets(conn: sqlalchemy.Connection, database: str) -> set[tuple[object, ...]]:
    """What the server recorded of the session each view, routine and trigger was made in."""
    return set(
        conn.exec_driver_sql(
            "SELECT 'view', TABLE_NAME, CHARACTER_SET_CLIENT, COLLATION_CONNECTION"
            " FROM information_schema.VIEWS WHERE TABLE_SCHEMA = %s"
            " UNION ALL SELECT ROUTINE_TYPE, ROUTINE_NAME, CHARACTER_SET_CLIENT,"
            " COLLATION_CONNECTION FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = %s"
            " UNION ALL SELECT 'trigger', TRIGGER_NAME, CHARACTER_SET_CLIENT,"
            " COLLATION_CONNECTION FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = %s",
            (database, database, database),
        ).all()
    )


def test_the_client_character_set_of_views_routines_and_triggers_is_kept(
    conn: sqlalchemy.Connection,
) -> None:
    """Made under ``SET NAMES latin1`` (and a latin1 client over a utf8mb4 connection),
    read and made again from nothing in another database: information_schema records the
    same CHARACTER_SET_CLIENT and COLLATION_CONNECTION for each, those made in the
    session's own character set stay as they were, and the session's is put back."""
    names = [f"dbshift_t_{k}_{uuid.uuid4().hex[:8]}" for k in ("src", "new")]
    renderer = renderer_for("mysql")
    for name in names:
        conn.exec_driver_sql(f"CREATE DATABASE {name} CHARACTER SET utf8mb4")
    try:
        source, fresh = names
        session = conn.exec_driver_sql(
            "SELECT @@character_set_client, @@collation_connection"
        ).one()
        conn.exec_driver_sql(f"USE {source}")
        conn.exec_driver_sql("CREATE TABLE t (id int, note varchar(20))")
        conn.exec_driver_sql("CREATE VIEW plain AS SELECT id FROM t")
        conn.exec_driver_sql("SET NAMES latin1")
        conn.exec_driver_sql("CREATE VIEW v_latin AS SELECT id, 'x' AS tag FROM t")
        conn.exec_driver_sql(
            "CREATE FUNCTION f_latin(a varchar(10)) RETURNS varchar(20) DETERMINISTIC"
            " RETURN concat(a, '!')"
        )
        conn.exec_driver_sql(
            "CREATE TRIGGER t_latin BEFORE INSERT ON t FOR EACH ROW SET NEW.note = 'new'"
        )
        conn.exec_driver_sql(
            "SET character_set_client = latin1, collation_connection = utf8mb4_unicode_ci"
        )
        conn.exec_driver_sql("CREATE PROCEDURE p_mixed() SELECT 'y'")
        conn.exec_driver_sql(f"SET NAMES {session[0]} COLLATE {session[1]}")
        wanted = _client_charsets(conn, source)
        assert ("view", "v_latin", "latin1", "latin1_swedish_ci") in wanted
        assert ("PROCEDURE", "p_mixed", "latin1", "utf8mb4_unicode_ci") in wanted
        desired = inspect_mysql(conn)
        plain = next(v for v in desired.views if v.name == "plain")
        assert plain.client is None  # the session's own: nothing to say

        conn.exec_driver_sql(f"USE {fresh}")
        for sql in renderer.render(diff(Schema(), desired), Schema()):
            conn.exec_driver_sql(sql)
        assert _client_charsets(conn, fresh) == wanted
        assert tuple(
            conn.exec_driver_sql("SELECT @@character_set_client, @@collation_connection").one()
        ) == tuple(session)
        assert inspect_mysql(conn) == desired
    finally:
        conn.exec_driver_sql(f"SET NAMES {session[0]} COLLATE {session[1]}")
        for name in names:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")


def test_a_spatial_reference_system_id_is_refused_by_name(
    conn: sqlalchemy.Connection, capsys: pytest.CaptureFixture[str]
) -> None:
    """A spatial column kept to one SRID was silently made without it (MariaDB's SHOW
    CREATE TABLE does not print it; information_schema.GEOMETRY_COLUMNS has it). SRID 0,
    the default (sakila's ``/*!80003 SRID 0 */``), is no restriction."""
    srid = "REF_SYSTEM_ID=4326" if is_mariadb(conn) else "SRID 4326"
    conn.exec_driver_sql(
        f"CREATE TABLE g (id int PRIMARY KEY, spot POINT {srid} NOT NULL,"
        " area GEOMETRY NOT NULL /*!80003 SRID 0 */)"
    )
    url = conn.engine.url.render_as_string(hide_password=False)
    assert main(["inspect", url]) != 0
    err = capsys.readouterr().err
    assert err.startswith(
        "dbshift: error: spatial reference system ids (REF_SYSTEM_ID, SRID) are not "
        "supported yet (g.spot)"
    ), err


def test_an_application_time_period_is_refused_by_name_on_mariadb(
    conn: sqlalchemy.Connection, capsys: pytest.CaptureFixture[str]
) -> None:
    """``PERIOD FOR stay (s, e)`` with a key ``WITHOUT OVERLAPS`` was read as a CHECK
    named ``stay`` and a key over (room, e, s): a copy lost the period silently. A plain
    check of the same shape is no period."""
    if not is_mariadb(conn):
        pytest.skip("application-time periods are MariaDB's")
    conn.exec_driver_sql(
        "CREATE TABLE plain (s date NOT NULL, e date NOT NULL, CONSTRAINT span CHECK (s < e))"
    )
    url = conn.engine.url.render_as_string(hide_password=False)
    assert main(["inspect", url]) == 0
    capsys.readouterr()
    conn.exec_driver_sql(
        "CREATE TABLE booking (id int PRIMARY KEY, room varchar(10) NOT NULL,"
        " s date NOT NULL, e date NOT NULL, PERIOD FOR stay (s, e),"
        " UNIQUE KEY room_stay (room, stay WITHOUT OVERLAPS))"
    )
    assert main(["inspect", url]) != 0
    err = capsys.readouterr().err
    assert err.startswith(
        "dbshift: error: application-time periods (PERIOD FOR) are not supported yet (booking)"
    ), err
