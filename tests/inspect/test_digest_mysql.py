"""Property: the MySQL/MariaDB digest never calls two schemas equal that the inspector tells
apart, and sees every kind of change the stairway must catch.

``dbshift test`` trusts equal digests without inspecting: a change the digest missed would
make a broken down migration pass the stairway. Random stacks of DDL (each change undone
later, last first) on the real server: every change moves the digest, every undo brings it
back, and across all the states a run visits, any two with the same digest inspect as the
same schema (the differ finds nothing between them).
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy.exc import DBAPIError

from dbshift.dialects import named
from dbshift.inspect import inspect_schema
from dbshift.inspect.digest import schema_digest
from dbshift.inspect.digest_mysql import mysql_digest
from dbshift.runner.stairway import _difference
from tests.conftest import Database

SETUP = [
    "CREATE TABLE orders (id int PRIMARY KEY, customer varchar(50) NOT NULL)",
    "CREATE TABLE items (id int PRIMARY KEY, order_id int, sku varchar(20),"
    " qty int DEFAULT 1, KEY ix_items_order (order_id))",
    "CREATE TABLE dbshift_history (version varchar(64) PRIMARY KEY)",
    "CREATE TABLE events (id int, d date, PRIMARY KEY (id, d)) PARTITION BY RANGE (YEAR(d))"
    " (PARTITION p2024 VALUES LESS THAN (2025), PARTITION p2025 VALUES LESS THAN (2026))",
]

# (change, undo): each undo puts the schema back exactly as the inspector reads it.
CHANGES = [
    # A partition's name and bound are in no TABLES/COLUMNS/STATISTICS row.
    (
        "ALTER TABLE events ADD PARTITION (PARTITION p2026 VALUES LESS THAN (2027))",
        "ALTER TABLE events DROP PARTITION p2026",
    ),
    (
        "ALTER TABLE events REORGANIZE PARTITION p2025 INTO"
        " (PARTITION p2025a VALUES LESS THAN (2026))",
        "ALTER TABLE events REORGANIZE PARTITION p2025a INTO"
        " (PARTITION p2025 VALUES LESS THAN (2026))",
    ),
    # column type, default, nullability, name, position, comment, collation
    ("ALTER TABLE items MODIFY sku varchar(40)", "ALTER TABLE items MODIFY sku varchar(20)"),
    ("ALTER TABLE items MODIFY qty bigint DEFAULT 1", "ALTER TABLE items MODIFY qty int DEFAULT 1"),
    (
        "ALTER TABLE items ALTER COLUMN sku SET DEFAULT 'x'",
        "ALTER TABLE items ALTER COLUMN sku DROP DEFAULT",
    ),
    (
        "ALTER TABLE items ALTER COLUMN qty SET DEFAULT 2",
        "ALTER TABLE items ALTER COLUMN qty SET DEFAULT 1",
    ),
    (
        "ALTER TABLE items MODIFY sku varchar(20) NOT NULL",
        "ALTER TABLE items MODIFY sku varchar(20) NULL",
    ),
    ("ALTER TABLE items RENAME COLUMN sku TO code", "ALTER TABLE items RENAME COLUMN code TO sku"),
    (
        "ALTER TABLE items MODIFY qty int DEFAULT 1 AFTER id",
        "ALTER TABLE items MODIFY qty int DEFAULT 1 AFTER sku",
    ),
    (
        "ALTER TABLE items MODIFY sku varchar(20) COMMENT 'the sku'",
        "ALTER TABLE items MODIFY sku varchar(20)",
    ),
    (
        "ALTER TABLE items MODIFY sku varchar(20) COLLATE utf8mb4_bin",
        "ALTER TABLE items MODIFY sku varchar(20)",
    ),
    ("ALTER TABLE items ADD COLUMN note text", "ALTER TABLE items DROP COLUMN note"),
    # indexes
    ("CREATE INDEX ix_items_sku ON items (sku)", "DROP INDEX ix_items_sku ON items"),
    ("CREATE UNIQUE INDEX ux_items_sku ON items (sku)", "DROP INDEX ux_items_sku ON items"),
    ("CREATE INDEX ix_items_sku5 ON items (sku(5))", "DROP INDEX ix_items_sku5 ON items"),
    (
        "ALTER TABLE items RENAME INDEX ix_items_order TO ix_order",
        "ALTER TABLE items RENAME INDEX ix_order TO ix_items_order",
    ),
    # foreign keys (on an indexed column: no index comes with them)
    (
        "ALTER TABLE items ADD CONSTRAINT fk_order FOREIGN KEY (order_id) REFERENCES orders (id)",
        "ALTER TABLE items DROP FOREIGN KEY fk_order",
    ),
    (
        "ALTER TABLE items ADD CONSTRAINT fk_order FOREIGN KEY (order_id) REFERENCES orders (id)"
        " ON DELETE CASCADE",
        "ALTER TABLE items DROP FOREIGN KEY fk_order",
    ),
    # checks
    (
        "ALTER TABLE items ADD CONSTRAINT ck_qty CHECK (qty > 0)",
        "ALTER TABLE items DROP CONSTRAINT ck_qty",
    ),
    # table options: comment, collation, engine
    ("ALTER TABLE items COMMENT = 'line items'", "ALTER TABLE items COMMENT = ''"),
    (
        "ALTER TABLE orders DEFAULT COLLATE = utf8mb4_bin",
        "ALTER TABLE orders DEFAULT COLLATE = utf8mb4_general_ci",
    ),
    ("ALTER TABLE orders ENGINE = MyISAM", "ALTER TABLE orders ENGINE = InnoDB"),
    # the database's own default: no table's collation changes, the model's defaults do
    (
        "ALTER DATABASE CHARACTER SET latin1 COLLATE latin1_swedish_ci",
        "ALTER DATABASE CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci",
    ),
    ("ALTER TABLE orders RENAME TO purchases", "ALTER TABLE purchases RENAME TO orders"),
    ("CREATE TABLE extra (id int PRIMARY KEY)", "DROP TABLE extra"),
    # views
    ("CREATE VIEW v_items AS SELECT id, sku FROM items", "DROP VIEW v_items"),
    (
        "CREATE OR REPLACE VIEW v_fixed AS SELECT id, sku FROM items WHERE qty > 1",
        "CREATE OR REPLACE VIEW v_fixed AS SELECT id, sku FROM items",
    ),
    # routines
    ("CREATE FUNCTION f_two() RETURNS int DETERMINISTIC RETURN 2", "DROP FUNCTION f_two"),
    (
        "CREATE OR REPLACE FUNCTION f_fixed(a int) RETURNS int DETERMINISTIC RETURN a + 1",
        "CREATE OR REPLACE FUNCTION f_fixed(a int) RETURNS int DETERMINISTIC RETURN a",
    ),
    (
        "CREATE OR REPLACE FUNCTION f_fixed(a bigint) RETURNS int DETERMINISTIC RETURN a",
        "CREATE OR REPLACE FUNCTION f_fixed(a int) RETURNS int DETERMINISTIC RETURN a",
    ),
    ("CREATE PROCEDURE p_one() SELECT 1", "DROP PROCEDURE p_one"),
    # triggers, and their firing order
    (
        "CREATE TRIGGER tr_qty BEFORE INSERT ON items FOR EACH ROW SET NEW.qty = 1",
        "DROP TRIGGER tr_qty",
    ),
    (
        "CREATE TRIGGER tr_first BEFORE UPDATE ON items FOR EACH ROW PRECEDES tr_fixed"
        " SET NEW.qty = 3",
        "DROP TRIGGER tr_first",
    ),
    (
        "CREATE OR REPLACE TRIGGER tr_fixed BEFORE UPDATE ON items FOR EACH ROW"
        " SET NEW.qty = NEW.qty + 1",
        "CREATE OR REPLACE TRIGGER tr_fixed BEFORE UPDATE ON items FOR EACH ROW"
        " SET NEW.qty = NEW.qty",
    ),
    # sequences (MariaDB)
    ("CREATE SEQUENCE seq_x START WITH 5", "DROP SEQUENCE seq_x"),
]

#: Changes the digest sees and the model does not (a column's position): the digest may be
#: stricter than the inspector, never laxer; the differ then decides.
MODEL_BLIND = {
    "ALTER TABLE items MODIFY qty int DEFAULT 1 AFTER id",
    # Tables keep their own collations: the database's default is no table's change.
    "ALTER DATABASE CHARACTER SET latin1 COLLATE latin1_swedish_ci",
}

FIXED = [
    "CREATE VIEW v_fixed AS SELECT id, sku FROM items",
    "CREATE FUNCTION f_fixed(a int) RETURNS int DETERMINISTIC RETURN a",
    "CREATE TRIGGER tr_fixed BEFORE UPDATE ON items FOR EACH ROW SET NEW.qty = NEW.qty",
]

EXCLUDE = ("dbshift_history",)


def _state(conn: Any) -> tuple[str, Any]:
    return mysql_digest(conn, exclude=EXCLUDE), inspect_schema(conn, exclude=EXCLUDE)


def _prepare(conn: Any) -> None:
    """The same start for every example (the fixture's database is shared by them)."""
    name = conn.exec_driver_sql("SELECT DATABASE()").scalar()
    conn.exec_driver_sql(f"DROP DATABASE `{name}`")
    conn.exec_driver_sql(f"CREATE DATABASE `{name}`")
    conn.exec_driver_sql(f"USE `{name}`")
    for sql in [*SETUP, *FIXED]:
        conn.exec_driver_sql(sql)


def _at(change: str) -> int:
    return next(i for i, (sql, _) in enumerate(CHANGES) if sql.startswith(change))


#: Changes to distinct objects, which commute: these may pile up (undone last first at the
#: end); any other change is undone at once (undos of the same column do not commute).
STACKABLE = {
    "CREATE VIEW v_items AS SELECT id, sku FROM items",
    "CREATE TRIGGER tr_qty BEFORE INSERT ON items FOR EACH ROW SET NEW.qty = 1",
    "ALTER TABLE orders RENAME TO purchases",
    "CREATE SEQUENCE seq_x START WITH 5",
    "CREATE PROCEDURE p_one() SELECT 1",
    "CREATE TABLE extra (id int PRIMARY KEY)",
    "ALTER TABLE items COMMENT = 'line items'",
    "CREATE FUNCTION f_two() RETURNS int DETERMINISTIC RETURN 2",
}


def _examples(test: Any) -> Any:
    # Always run: every kind of change alone, then some that meet.
    test = example(steps=[(index, True) for index in range(len(CHANGES))])(test)
    test = example(steps=[(_at(sql), False) for sql in sorted(STACKABLE)])(test)
    return test


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@_examples
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(range(len(CHANGES))), st.booleans()), min_size=1, max_size=8
    )
)
def test_equal_digests_inspect_as_equal_schemas_and_every_change_moves_the_digest(
    mysql_db: Database, steps: list[tuple[int, bool]]
) -> None:
    """``steps``: (change, undo now?): a change applied, undone at once or (when it
    commutes with the others) left to pile up under later ones."""
    dialect = named("mysql")
    with mysql_db.connect() as conn:
        _prepare(conn)
        seen: list[tuple[str, Any]] = [_state(conn)]
        applied: list[tuple[int, str]] = []
        for index, undo_now in steps:
            if any(index == done for done, _ in applied):
                continue
            change, back = CHANGES[index]
            before = seen[-1][0]
            try:
                conn.exec_driver_sql(change)
            except DBAPIError:  # not applicable in this state (renamed away, say)
                continue
            seen.append(_state(conn))
            assert seen[-1][0] != before, f"{change} went unseen by the digest"
            if change not in MODEL_BLIND:
                assert _difference(seen[-1][1], seen[-2][1], dialect), f"{change}: not seen"
            applied.append((index, before))
            if undo_now or change not in STACKABLE:
                applied.pop()
                conn.exec_driver_sql(back)
                seen.append(_state(conn))
                assert seen[-1][0] == before, f"{back} does not digest as before {change}"
        while applied:
            index, before = applied.pop()
            conn.exec_driver_sql(CHANGES[index][1])
            seen.append(_state(conn))
            assert seen[-1][0] == before, f"{CHANGES[index][1]} does not digest as before"
        by_digest: dict[str, Any] = {}
        for digest, schema in seen:
            first = by_digest.setdefault(digest, schema)
            assert not _difference(schema, first, dialect), "equal digests, different schemas"
            assert not _difference(first, schema, dialect), "equal digests, different schemas"


def test_the_stairway_reads_the_digest_for_mysql_and_it_skips_own_tables(
    mysql_db: Database,
) -> None:
    with mysql_db.connect() as conn:
        _prepare(conn)
        digest = schema_digest(conn, exclude=EXCLUDE)
        assert digest == mysql_digest(conn, exclude=EXCLUDE)
        conn.exec_driver_sql("ALTER TABLE dbshift_history ADD COLUMN extra int")
        conn.exec_driver_sql("INSERT INTO dbshift_history (version) VALUES ('1')")
        assert schema_digest(conn, exclude=EXCLUDE) == digest, "own tables are not the schema"
        conn.exec_driver_sql("ALTER TABLE items ADD COLUMN extra int")
        assert schema_digest(conn, exclude=EXCLUDE) != digest


def test_a_cut_concatenation_reads_the_rows_and_still_sees_each_change(
    mysql_db: Database,
) -> None:
    """Past ``group_concat_max_len`` the folded rows are cut (their length tells): the
    digest then reads them one by one, and changes still move it."""
    from dbshift.inspect.catalog import catalog_of
    from dbshift.inspect.digest_mysql import _COLUMN_ROW, _fold

    with mysql_db.connect() as conn:
        _prepare(conn)
        catalog = catalog_of(conn)
        assert _fold(catalog, "COLUMNS", _COLUMN_ROW, "", frozenset()) is not None
        conn.exec_driver_sql("SET SESSION group_concat_max_len = 40")
        assert _fold(catalog, "COLUMNS", _COLUMN_ROW, "", frozenset()) is None
        for index in range(len(CHANGES)):
            change, back = CHANGES[index]
            before = mysql_digest(conn, exclude=EXCLUDE)
            conn.exec_driver_sql(change)
            assert mysql_digest(conn, exclude=EXCLUDE) != before, change
            conn.exec_driver_sql(back)
            assert mysql_digest(conn, exclude=EXCLUDE) == before, back
