"""Each migration starts from the same session, whatever the one before it SET.

A plain ``pg_dump`` (or ``mysqldump``) is the usual baseline migration, and it changes the
session: ``set_config('search_path', '', false)``, ``SET check_function_bodies``, MySQL's
``SET sql_mode`` and ``USE``. The runner writes its history row after them and runs the
next migrations on the same connection.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.clients import mysql_dump, pg_dump
from tests.conftest import Database, Project, fresh_database, sql_migration

# A database no one wrote for dbshift: several schemas, an enum, a domain, identity and
# serial keys, a cross-schema foreign key, a partitioned table, a PL/pgSQL trigger, a view
# and a materialized view, comments.
PG_SOURCE = """
CREATE SCHEMA app;
CREATE SCHEMA audit;
CREATE TYPE app.status AS ENUM ('new', 'paid', 'shipped');
CREATE DOMAIN app.email AS text CHECK (VALUE LIKE '%@%');
CREATE TABLE app.customers (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email app.email NOT NULL UNIQUE,
    created timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE app.customers IS 'who buys';
CREATE TABLE app.orders (
    id serial PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES app.customers(id),
    status app.status NOT NULL DEFAULT 'new',
    total numeric(10,2) CHECK (total >= 0),
    updated timestamptz
);
CREATE INDEX orders_customer_idx ON app.orders (customer_id) WHERE status <> 'shipped';
CREATE TABLE audit.events (id bigserial, at date NOT NULL, what text) PARTITION BY RANGE (at);
CREATE TABLE audit.events_2024 PARTITION OF audit.events
    FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.updated := now(); RETURN NEW; END; $$;
CREATE TRIGGER orders_touch BEFORE UPDATE ON app.orders
    FOR EACH ROW EXECUTE FUNCTION app.touch();
CREATE VIEW app.open_orders AS SELECT id, total FROM app.orders WHERE status <> 'shipped';
CREATE MATERIALIZED VIEW audit.daily AS SELECT at, count(*) AS n FROM audit.events GROUP BY at;
CREATE TABLE public.settings (key text PRIMARY KEY, value jsonb);
"""


def _pg_dump(url: str) -> str:
    return pg_dump(url, "--schema-only", "--no-owner", "--no-privileges", skip_if_missing=True)


def test_pg_dump_baseline_then_more_migrations(
    pg_db: Database, tmp_path_factory: pytest.TempPathFactory
) -> None:
    source_dir = tmp_path_factory.mktemp("source")
    for source in fresh_database("postgresql", source_dir):
        with source.connect() as conn:
            conn.execution_options(no_parameters=True).exec_driver_sql(PG_SOURCE)
        dump = _pg_dump(source.url)
    assert "set_config('search_path', '', false)" in dump

    project = Project(tmp_path_factory.mktemp("project"), pg_db.url)
    project.write("1_baseline.sql", "-- dbshift:up\n" + dump)
    # Each of these leaves the session changed after its COMMIT (SET, not SET LOCAL).
    project.write(
        "2_role.sql",
        sql_migration(
            "CREATE TABLE after_dump (id int PRIMARY KEY, s app.status);\n"
            "SET ROLE pg_read_all_data;\nSET statement_timeout = 1;",
            "DROP TABLE after_dump;",
        ),
    )
    project.write(
        "3_more.sql",
        sql_migration(
            # Unqualified: resolves to public again; pg_read_all_data may not CREATE there;
            # a 1 ms statement_timeout would cancel the sleep.
            "CREATE TABLE more (id int PRIMARY KEY REFERENCES after_dump);\n"
            "SELECT pg_sleep(0.05);\nSET search_path = audit;",
            "DROP TABLE more;",
        ),
    )
    project.write(
        "4_index.sql",
        sql_migration(
            "CREATE INDEX CONCURRENTLY more_id ON more (id);",
            "DROP INDEX CONCURRENTLY more_id;",
            no_transaction=True,
        ),
    )

    result = project.run("migrate")
    assert result.code == 0, result.err
    assert pg_db.scalar("SELECT count(*) FROM public.dbshift_history WHERE state = 'applied'") == 4
    assert pg_db.scalar("SELECT to_regclass('public.more') IS NOT NULL")
    assert pg_db.scalar("SELECT to_regclass('public.more_id') IS NOT NULL")
    assert pg_db.scalar("SELECT count(*) FROM pg_inherits") == 1  # the partition came too

    status = project.run("status", "--format", "json")
    assert status.code == 0, status.err
    assert '"pending": []' in status.out.replace(" ", "").replace('"pending":[]', '"pending": []')

    result = project.run("rollback", "3", "--allow-destructive")
    assert result.code == 0, result.err
    assert pg_db.scalar("SELECT to_regclass('public.after_dump')") is None
    assert pg_db.scalar("SELECT count(*) FROM public.dbshift_history") == 1
    result = project.run("migrate")
    assert result.code == 0, result.err
    assert pg_db.scalar("SELECT count(*) FROM public.dbshift_history") == 4


def test_psql_meta_commands_other_than_restrict_are_refused_by_line(
    pg_db: Database, tmp_path: Path
) -> None:
    project = Project(tmp_path, pg_db.url)
    project.write("1_x.sql", "-- dbshift:up\nCREATE TABLE a (id int);\n\\connect other\n")
    result = project.run("migrate")
    assert result.code != 0
    assert "1_x.sql:3" in result.err
    assert "psql meta-command \\connect is not SQL" in result.err
    assert "Traceback" not in result.err


MYSQL_SOURCE = [
    "CREATE TABLE customers (id bigint AUTO_INCREMENT PRIMARY KEY, "
    "email varchar(190) NOT NULL UNIQUE, created datetime NOT NULL DEFAULT CURRENT_TIMESTAMP)",
    "CREATE TABLE orders (id int AUTO_INCREMENT PRIMARY KEY, customer_id bigint NOT NULL, "
    "total decimal(10,2), status enum('new','paid') NOT NULL DEFAULT 'new', updated datetime, "
    "CONSTRAINT orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id))",
    "CREATE TRIGGER orders_touch BEFORE UPDATE ON orders FOR EACH ROW "
    "BEGIN SET NEW.updated = NOW(); END",
    "CREATE VIEW open_orders AS SELECT id, total FROM orders WHERE status <> 'paid'",
]


def _mysqldump(url: str) -> str:
    return mysql_dump(
        url,
        "--no-data",
        "--skip-add-drop-table",
        "--routines",
        "--triggers",
        skip_if_missing=True,
    )


def test_mysqldump_baseline_then_more_migrations(
    mysql_db: Database, tmp_path_factory: pytest.TempPathFactory
) -> None:
    source_dir = tmp_path_factory.mktemp("source")
    for source in fresh_database("mysql", source_dir):
        with source.connect() as conn:
            for statement in MYSQL_SOURCE:
                conn.exec_driver_sql(statement)
        dump = _mysqldump(source.url)
    assert "SQL_MODE" in dump and "FOREIGN_KEY_CHECKS" in dump

    project = Project(tmp_path_factory.mktemp("project"), mysql_db.url)
    project.write("1_baseline.sql", "-- dbshift:up\n" + dump)
    project.write(
        "2_mode.sql",
        sql_migration(
            "CREATE TABLE notes (id int PRIMARY KEY, body varchar(20));\n"
            "SET SESSION sql_mode = 'ANSI_QUOTES';\nUSE information_schema;",
            "DROP TABLE notes;",
        ),
    )
    # Under ANSI_QUOTES "x" is a column name, not a string; in information_schema the
    # table does not exist.
    project.write(
        "3_more.sql",
        sql_migration('INSERT INTO notes VALUES (1, "x");', "DELETE FROM notes;"),
    )
    result = project.run("migrate")
    assert result.code == 0, result.err
    assert mysql_db.scalar("SELECT body FROM notes") == "x"
    assert mysql_db.scalar("SELECT count(*) FROM dbshift_history WHERE state = 'applied'") == 3
    result = project.run("rollback", "2", "--allow-destructive")
    assert result.code == 0, result.err
    assert "notes" not in mysql_db.tables()


def test_plan_starts_each_migration_from_the_same_session(pg_db: Database, tmp_path: Path) -> None:
    """``plan`` runs the pending migrations on a scratch copy as migrate would: a dump's
    empty search_path does not leak into the next migration there either."""
    from tests.conftest import POSTGRES_URL

    project = Project(tmp_path, pg_db.url)
    project.write("1_t.sql", sql_migration("CREATE TABLE t (id int PRIMARY KEY);"))
    assert project.run("migrate").code == 0
    project.write(
        "2_dump.sql",
        sql_migration(
            "SELECT pg_catalog.set_config('search_path', '', false);\n"
            "CREATE TABLE public.u (id int PRIMARY KEY);"
        ),
    )
    project.write("3_more.sql", sql_migration("ALTER TABLE t ADD COLUMN n int;"))
    result = project.run("plan", "--dev-url", POSTGRES_URL)
    assert result.code == 0, result.err
    assert "3_more.sql" in result.out


def test_sqlite_pragma_foreign_keys_does_not_outlive_its_migration(
    sqlite_db: Database, tmp_path: Path
) -> None:
    project = Project(tmp_path, sqlite_db.url)
    project.write(
        "1_fk.sql",
        sql_migration(
            "PRAGMA foreign_keys = ON;\nCREATE TABLE p (id integer PRIMARY KEY);\n"
            "CREATE TABLE c (id integer PRIMARY KEY, p_id integer REFERENCES p (id));",
            no_transaction=True,
        ),
    )
    # With the first migration's PRAGMA still on, this orphan would be refused.
    project.write("2_orphan.sql", sql_migration("INSERT INTO c VALUES (1, 42);"))
    result = project.run("migrate")
    assert result.code == 0, result.err
    assert sqlite_db.scalar("SELECT p_id FROM c") == 42
