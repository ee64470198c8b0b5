"""The SQLite inspector against hand-written DDL."""

from __future__ import annotations

import sqlalchemy

from dbshift.inspect.sqlite import inspect_sqlite
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
    Schema,
    UniqueConstraint,
)
from tests.conftest import Database

DDL = [
    """CREATE TABLE "p q" (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT COLLATE NOCASE NOT NULL DEFAULT 'x', -- a comment, with a CHECK (word)
        CONSTRAINT "ck 1" CHECK (length(name) > 0),
        UNIQUE (name)
    )""",
    """CREATE TABLE c (
        id INTEGER,
        pid INTEGER CONSTRAINT fk1 REFERENCES "p q" (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
        g INT AS (id * 2) STORED,
        v INT GENERATED ALWAYS AS (id + 1) VIRTUAL,
        CONSTRAINT c_pk PRIMARY KEY (id)
    )""",
    "CREATE INDEX ix ON c (pid DESC, (id + 1)) WHERE pid > 0",
    "CREATE VIEW v AS SELECT id FROM c",
    "CREATE TRIGGER tr AFTER INSERT ON c BEGIN SELECT 1; END",
    "CREATE TABLE dbshift_history (version INTEGER)",
]


def inspect(db: Database, *, exclude: tuple[str, ...] = ()) -> Schema:
    engine = sqlalchemy.create_engine(db.url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            for sql in DDL:
                if not conn.exec_driver_sql(
                    "SELECT 1 FROM sqlite_schema WHERE sql = ?", (sql,)
                ).first():
                    conn.exec_driver_sql(sql)
            return inspect_sqlite(conn, exclude=exclude)
    finally:
        engine.dispose()


def test_columns_keys_and_checks(sqlite_db: Database) -> None:
    schema = inspect(sqlite_db)
    pq = schema.table("p q")
    assert pq is not None
    assert pq.columns == (
        Column("id", "INTEGER", identity=Identity()),
        Column("name", "TEXT", nullable=False, default="'x'", collation="NOCASE"),
    )
    assert pq.primary_key == PrimaryKey(("id",))
    assert pq.checks == (CheckConstraint("ck 1", "length(name) > 0"),)
    assert pq.uniques == (UniqueConstraint("", ("name",)),)


def test_generated_columns_foreign_keys_and_indexes(sqlite_db: Database) -> None:
    c = inspect(sqlite_db).table("c")
    assert c is not None
    assert c.column("g") == Column("g", "INT", generated=Generated("id * 2", stored=True))
    assert c.column("v") == Column("v", "INT", generated=Generated("id + 1", stored=False))
    assert c.primary_key == PrimaryKey(("id",), name="c_pk")
    assert c.foreign_keys == (
        ForeignKey(
            "fk1",
            ("pid",),
            "p q",
            ("id",),
            on_delete=ReferentialAction.CASCADE,
            deferrable=True,
            initially_deferred=True,
        ),
    )
    assert c.indexes == (
        Index(
            "ix",
            (IndexElement("pid", descending=True), IndexElement("(id + 1)", is_expression=True)),
            where="pid > 0",
        ),
    )


def test_views_triggers_and_exclusions(sqlite_db: Database) -> None:
    schema = inspect(sqlite_db, exclude=("dbshift_history",))
    assert [v.definition for v in schema.views] == ["SELECT id FROM c"]
    assert [(r.kind, r.name, r.table) for r in schema.routines] == [("trigger", "tr", "c")]
    assert schema.table("dbshift_history") is None
    assert inspect(sqlite_db).table("dbshift_history") is not None


def test_query_count_does_not_grow_with_tables(sqlite_db: Database) -> None:
    engine = sqlalchemy.create_engine(sqlite_db.url, isolation_level="AUTOCOMMIT")
    seen: list[str] = []

    def count(*args: object) -> None:
        seen.append(str(args[2]))

    counts = []
    try:
        with engine.connect() as conn:
            for n in (5, 50):
                for i in range(n):
                    conn.exec_driver_sql(
                        f'CREATE TABLE IF NOT EXISTS "t{i}" (id INTEGER PRIMARY KEY)'
                    )
                seen.clear()
                sqlalchemy.event.listen(engine, "before_cursor_execute", count)
                schema = inspect_sqlite(conn)
                sqlalchemy.event.remove(engine, "before_cursor_execute", count)
                assert len(schema.tables) == n
                counts.append(len(seen))
    finally:
        engine.dispose()
    assert counts[0] == counts[1]


def test_autoincrement_added_and_dropped_by_rebuild(sqlite_db: Database) -> None:
    from dataclasses import replace

    from dbshift.dialects import renderer_for
    from dbshift.diff import DiffOptions, diff

    options = DiffOptions(inline_foreign_keys=True)
    engine = sqlalchemy.create_engine(sqlite_db.url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, n INT)")
            conn.exec_driver_sql("CREATE TABLE w (id INTEGER PRIMARY KEY AUTOINCREMENT, n INT)")
            conn.exec_driver_sql("INSERT INTO t VALUES (5, 1)")
            before = inspect_sqlite(conn)
            t, w = before.table("t"), before.table("w")
            assert t is not None and w is not None
            swapped = before.with_table(
                replace(t, columns=(w.columns[0], t.columns[1]))
            ).with_table(replace(w, columns=(t.columns[0], w.columns[1])))
            ops = diff(before, swapped, options)
            assert [op.describe() for op in ops] == [
                "alter column t.id (identity)",
                "alter column w.id (identity)",
            ]  # the columns and their rows stay
            for sql in renderer_for("sqlite").render(ops, before):
                conn.exec_driver_sql(sql)
            assert diff(inspect_sqlite(conn), swapped, options) == []
            conn.exec_driver_sql("INSERT INTO t (n) VALUES (2)")
            assert conn.exec_driver_sql("SELECT id, n FROM t").all() == [(5, 1), (6, 2)]
    finally:
        engine.dispose()
