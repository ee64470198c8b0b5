"""MySQL/MariaDB views and routines: their characteristics kept, and dependants dropped and
created in order, each converging on a real server (``converge``)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy

from dbshift.cli.main import main
from dbshift.dialects import renderer_for
from dbshift.errors import Unsupported
from dbshift.inspect.mysql import inspect_mysql
from dbshift.model import Schema
from dbshift.ops import CreateView
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
        r"table options \(ROW_FORMAT, KEY_BLOCK_SIZE, STATS_PERSISTENT, ...\) are not "
        r"supported yet \(c\)",
    ),
    (
        "CREATE TABLE k (id int, KEY k_id (id) COMMENT 'lookup')",
        r"index comments are not supported yet \(k.k_id\)",
    ),
]


@pytest.mark.parametrize(
    ("ddl", "message"),
    MYSQL_REFUSED,
    ids=["event", "subpartitioned", "table-options", "index-comment"],
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
