"""Property: ``dbshift test``'s incremental fingerprint never disagrees with a fresh one.

The fingerprint reuses the text of relations whose catalog rows it has seen; a change it
missed would make a broken down migration pass the stairway. Random sequences of DDL (each
step a change and, sometimes, its undo) on a real PostgreSQL: after every step the
remembering fingerprint equals one that starts empty, and a change undone digests as
before it.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy.exc import DBAPIError

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
    ("CREATE STATISTICS st_items ON id, sku FROM items", "DROP STATISTICS st_items"),
    ("ALTER TABLE items SET UNLOGGED", "ALTER TABLE items SET LOGGED"),
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
    engine = pg_db.engine()
    try:
        with engine.connect() as conn:
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
    finally:
        engine.dispose()


# Changes left in place, so that they meet: a foreign key, a view, a default, a column
# type, a check and a trigger print the names of objects other changes rename, and drops
# remove catalog rows without a new version (the probe's count check, then a full one).
# Each entry: (change, undo); a change that does not apply in the current state is skipped.
STACKED = [
    *CHANGES,
    (
        "ALTER TABLE app.orders RENAME COLUMN id TO ident",
        "ALTER TABLE app.orders RENAME COLUMN ident TO id",
    ),
    ("ALTER TABLE items ADD COLUMN m mood", "ALTER TABLE items DROP COLUMN m"),
    ("CREATE TYPE app.level AS ENUM ('a')", "DROP TYPE app.level"),
    ("ALTER TABLE items ADD COLUMN lv app.level", "ALTER TABLE items DROP COLUMN lv"),
    ("ALTER SEQUENCE seq_x RENAME TO seq_y", "ALTER SEQUENCE seq_y RENAME TO seq_x"),
    (
        "ALTER TABLE items ALTER COLUMN order_id SET DEFAULT nextval('seq_x')",
        "ALTER TABLE items ALTER COLUMN order_id DROP DEFAULT",
    ),
    ("ALTER FUNCTION f() RENAME TO g", "ALTER FUNCTION g() RENAME TO f"),
    (
        "ALTER TABLE items ADD CONSTRAINT ck_f CHECK (id > f() - 10)",
        "ALTER TABLE items DROP CONSTRAINT ck_f",
    ),
    ("DROP INDEX ix_items_sku", "CREATE INDEX ix_items_sku ON items (sku)"),
    (
        "CREATE FUNCTION trg() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END'",
        "DROP FUNCTION trg()",
    ),
    (
        "CREATE TRIGGER tr BEFORE INSERT ON items FOR EACH ROW EXECUTE FUNCTION trg()",
        "DROP TRIGGER tr ON items",
    ),
    ("CREATE POLICY pol ON items USING (id > 0)", "DROP POLICY pol ON items"),
    ("COMMENT ON COLUMN app.orders.total IS 't'", "COMMENT ON COLUMN app.orders.total IS NULL"),
    ("CREATE TABLE extra (id integer PRIMARY KEY)", "DROP TABLE extra"),
]


def _batched(fingerprint: Fingerprint, conn: Any) -> str:
    """A digest through the stairway's path: the prepared probe in a batch of statements
    (in full, as ``read`` does, when the count check cannot tell)."""
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.execute(fingerprint.batch_sql())
        while cursor.description is None:
            cursor.nextset()
        found = fingerprint.digest(cursor.fetchall())
    finally:
        cursor.close()
    return found if found is not None else fingerprint.read(conn)


def _at(change: str) -> int:
    return next(i for i, (sql, _) in enumerate(STACKED) if sql.startswith(change))


# Always run, whatever hypothesis draws: each one fails when a part of the probe is missing
# (dependents by pg_depend, the count check, not keeping a state probed in a transaction).
EXAMPLES = [
    [
        (_at("ALTER TABLE items ADD CONSTRAINT fk_o"), "apply"),
        (_at("ALTER TABLE app.orders RENAME COLUMN id"), "apply"),
        (0, "undo"),
        (0, "undo"),
    ],
    [(_at("CREATE VIEW"), "apply"), (_at("ALTER TABLE items RENAME COLUMN sku"), "apply")],
    [(_at("ALTER TABLE items ADD COLUMN m mood"), "apply"), (_at("ALTER TYPE mood"), "apply")],
    [
        (_at("CREATE TYPE app.level"), "apply"),
        (_at("ALTER TABLE items ADD COLUMN lv"), "apply"),
        (_at("ALTER SCHEMA app RENAME"), "apply"),
    ],
    [
        (_at("ALTER TABLE items ALTER COLUMN order_id SET DEFAULT"), "apply"),
        (_at("ALTER SEQUENCE seq_x RENAME"), "apply"),
    ],
    [
        (_at("ALTER TABLE items ADD CONSTRAINT ck_f"), "apply"),
        (_at("ALTER FUNCTION f() RENAME"), "apply"),
    ],
    [
        (_at("DROP INDEX"), "apply"),
        (_at("CREATE FUNCTION trg"), "apply"),
        (_at("CREATE TRIGGER"), "apply"),
        (_at("CREATE POLICY"), "apply"),
        (_at("COMMENT ON COLUMN app.orders"), "apply"),
        *[(0, "undo")] * 5,
    ],
    [
        (_at("ALTER TABLE items ALTER COLUMN sku SET NOT NULL"), "rolled back"),
        (_at("ALTER TABLE items ADD COLUMN note"), "apply"),
    ],
    [
        (_at("DROP INDEX"), "rolled back"),
        (_at("CREATE TABLE extra"), "rolled back"),
        (_at("CREATE TABLE extra"), "apply"),
        (0, "undo"),
    ],
]


def _examples(test: Any) -> Any:
    for steps in EXAMPLES:
        test = example(steps=steps)(test)
    return test


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@_examples
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(range(len(STACKED))),
            st.sampled_from(["apply", "undo", "rolled back"]),
        ),
        max_size=12,
    )
)
def test_stacked_changes_renames_and_drops_digest_as_a_fresh_fingerprint(
    pg_db: Database, steps: list[tuple[int, str]]
) -> None:
    """Changes pile up (undone last first), some inside a transaction that is rolled
    back: after each step the remembering fingerprint (read, and batched through a
    prepared statement) equals a fresh one, and an undo digests as before its change."""
    engine = pg_db.engine()
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("DROP SCHEMA IF EXISTS app, shop CASCADE")
            conn.exec_driver_sql("DROP SCHEMA public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
            conn.exec_driver_sql(SETUP)
            conn.exec_driver_sql("CREATE SEQUENCE seq_x")
            conn.exec_driver_sql("CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'")
            remembering, batching = Fingerprint(), Fingerprint()
            batching.keep_prepared_on(conn.connection.dbapi_connection)  # as the stairway
            remembering.read(conn)
            batching.read(conn)
            applied: list[tuple[int, str]] = []  # (change, digest before it)
            for index, how in steps:
                if how == "undo":
                    if not applied:
                        continue
                    undone, before = applied.pop()
                    conn.exec_driver_sql(STACKED[undone][1])
                    fresh = Fingerprint().read(conn)
                    assert fresh == before, f"{STACKED[undone][1]} does not digest as before"
                elif any(index == done for done, _ in applied):
                    continue
                else:
                    change = STACKED[index][0]
                    before = Fingerprint().read(conn)
                    if how == "rolled back":
                        conn.exec_driver_sql("BEGIN")
                    try:
                        conn.exec_driver_sql(change)
                    except DBAPIError:  # not applicable here (renamed away, say)
                        conn.exec_driver_sql("ROLLBACK")
                        continue
                    if how == "rolled back":
                        inside = remembering.read(conn, keep=False)
                        assert inside == Fingerprint().read(conn), f"in a transaction: {change}"
                        assert inside != before, f"{change} went unseen"
                        conn.exec_driver_sql("ROLLBACK")
                    else:
                        applied.append((index, before))
                    fresh = Fingerprint().read(conn)
                    assert fresh != before or how == "rolled back", f"{change} went unseen"
                assert remembering.read(conn) == fresh, f"after {steps}"
                assert _batched(batching, conn) == fresh, f"batched, after {steps}"
    finally:
        engine.dispose()
