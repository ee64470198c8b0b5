"""Property: ``dbshift test``'s incremental fingerprint never disagrees with a fresh one.

The fingerprint reuses the text of relations whose catalog rows it has seen; a change it
missed would make a broken down migration pass the stairway. Random sequences of DDL (each
step a change and, sometimes, its undo) on a real PostgreSQL: after every step the
remembering fingerprint equals one that starts empty, and a change undone digests as
before it.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dbshift.inspect.digest import Fingerprint
from tests.conftest import Database

SETUP = """
CREATE SCHEMA app;
CREATE TABLE app.orders (id integer PRIMARY KEY, customer text NOT NULL, total numeric(10, 2));
CREATE TABLE items (id integer PRIMARY KEY, order_id integer, sku text);
CREATE INDEX ix_items_sku ON items (sku);
CREATE TYPE mood AS ENUM ('ok', 'sad');
"""

# (change, undo): each undo puts the catalog text back exactly as it was.
CHANGES = [
    ("ALTER TABLE items ADD COLUMN note text", "ALTER TABLE items DROP COLUMN note"),
    (
        "ALTER TABLE items ALTER COLUMN sku SET DEFAULT 'x'",
        "ALTER TABLE items ALTER COLUMN sku DROP DEFAULT",
    ),
    (
        "ALTER TABLE items ALTER COLUMN sku SET NOT NULL",
        "ALTER TABLE items ALTER COLUMN sku DROP NOT NULL",
    ),
    ("ALTER TABLE items RENAME COLUMN sku TO code", "ALTER TABLE items RENAME COLUMN code TO sku"),
    (
        "ALTER TABLE items ALTER COLUMN sku TYPE varchar(40)",
        "ALTER TABLE items ALTER COLUMN sku TYPE text",
    ),
    ("COMMENT ON TABLE items IS 'i'", "COMMENT ON TABLE items IS NULL"),
    ("COMMENT ON COLUMN items.sku IS 's'", "COMMENT ON COLUMN items.sku IS NULL"),
    ("COMMENT ON INDEX ix_items_sku IS 'x'", "COMMENT ON INDEX ix_items_sku IS NULL"),
    ("ALTER INDEX ix_items_sku RENAME TO ix_other", "ALTER INDEX ix_other RENAME TO ix_items_sku"),
    (
        "ALTER TABLE items ADD CONSTRAINT ck_id CHECK (id > 0)",
        "ALTER TABLE items DROP CONSTRAINT ck_id",
    ),
    (
        "ALTER TABLE items ADD CONSTRAINT fk_o FOREIGN KEY (order_id) REFERENCES app.orders (id)",
        "ALTER TABLE items DROP CONSTRAINT fk_o",
    ),
    ("ALTER TABLE app.orders RENAME TO purchases", "ALTER TABLE app.purchases RENAME TO orders"),
    ("ALTER TABLE items SET SCHEMA app", "ALTER TABLE app.items SET SCHEMA public"),
    ("ALTER SCHEMA app RENAME TO shop", "ALTER SCHEMA shop RENAME TO app"),
    ("CREATE VIEW v_items AS SELECT id, sku FROM items", "DROP VIEW v_items"),
    ("CREATE SEQUENCE seq_x START 5", "DROP SEQUENCE seq_x"),
    ("ALTER TYPE mood RENAME TO feeling", "ALTER TYPE feeling RENAME TO mood"),
    (
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'",
        "DROP FUNCTION f()",
    ),
    ("ALTER TABLE items ENABLE ROW LEVEL SECURITY", "ALTER TABLE items DISABLE ROW LEVEL SECURITY"),
    ("CREATE INDEX ix_items_order ON items (order_id)", "DROP INDEX ix_items_order"),
    (
        "ALTER TABLE app.orders ALTER COLUMN total SET DEFAULT 0",
        "ALTER TABLE app.orders ALTER COLUMN total DROP DEFAULT",
    ),
]


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=st.lists(st.tuples(st.sampled_from(range(len(CHANGES))), st.booleans()), max_size=8))
def test_the_remembering_fingerprint_equals_a_fresh_one(
    pg_db: Database, steps: list[tuple[int, bool]]
) -> None:
    with pg_db.connect() as conn:
        conn.exec_driver_sql("DROP SCHEMA IF EXISTS app, shop CASCADE")
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
        conn.exec_driver_sql(SETUP)
        remembering = Fingerprint()
        start = remembering.read(conn)
        assert start == Fingerprint().read(conn)
        for index, seen in steps:
            # ``seen``: the remembering fingerprint reads the changed state too, as
            # the stairway does after an up; otherwise only a fresh one does.
            change, back = CHANGES[index]
            before = remembering.read(conn)
            conn.exec_driver_sql(change)
            changed = (remembering if seen else Fingerprint()).read(conn)
            assert changed == Fingerprint().read(conn), change
            assert changed != before, f"{change} went unseen"
            conn.exec_driver_sql(back)
            again = remembering.read(conn)
            assert again == before, f"{back} does not digest as before {change}"
            assert again == Fingerprint().read(conn)
