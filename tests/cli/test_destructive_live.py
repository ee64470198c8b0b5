"""The destructive gate asks the live database: a drop of something that does not exist
(``IF EXISTS``, or created by an earlier migration of the same run) destroys nothing and
needs no confirmation; a live table under a new name still does."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.clients import pg_dump
from tests.conftest import POSTGRES_URL, Database, Project, sql_migration


def test_drop_if_exists_of_a_missing_table_needs_no_confirmation(
    project: Project, db: Database
) -> None:
    project.write("1_drop.sql", sql_migration("DROP TABLE IF EXISTS ghost;"))
    applied = project.run("migrate")
    assert applied.code == 0, applied.err


def test_a_table_created_earlier_in_the_same_run_is_dropped_without_asking(
    project: Project, db: Database
) -> None:
    project.write("1_create.sql", sql_migration("CREATE TABLE scratch (id integer);"))
    project.write(
        "2_fill.sql", sql_migration("INSERT INTO scratch (id) VALUES (1);\nDELETE FROM scratch;")
    )
    project.write(
        "3_drop.sql",
        sql_migration(
            "ALTER TABLE scratch ADD COLUMN n integer;\nALTER TABLE scratch DROP COLUMN n;"
        ),
    )
    project.write("4_drop.sql", sql_migration("DROP TABLE scratch;"))
    applied = project.run("migrate")
    assert applied.code == 0, applied.err
    assert "scratch" not in db.tables()


def test_a_live_table_renamed_then_dropped_is_still_destructive(
    project: Project, db: Database
) -> None:
    project.write("1_create.sql", sql_migration("CREATE TABLE live (id integer, c integer);"))
    assert project.run("migrate").code == 0
    rename = (
        "RENAME TABLE live TO other;"
        if db.backend == "mysql"
        else "ALTER TABLE live RENAME TO other;"
    )
    project.write("2_rename.sql", sql_migration(rename))
    project.write("3_drop.sql", sql_migration("DROP TABLE IF EXISTS other;"))
    refused = project.run("migrate")
    assert refused.code == 1
    assert "migrations/3_drop.sql:2: DROP TABLE" in refused.err
    assert "live" in db.tables()


def test_a_live_column_is_destructive_an_added_one_is_not(project: Project, db: Database) -> None:
    project.write("1_create.sql", sql_migration("CREATE TABLE t (id integer, old integer);"))
    assert project.run("migrate").code == 0
    project.write(
        "2_cols.sql",
        sql_migration("ALTER TABLE t ADD COLUMN tmp integer;\nALTER TABLE t DROP COLUMN tmp;"),
    )
    assert project.run("migrate").code == 0
    project.write("3_drop.sql", sql_migration("ALTER TABLE t DROP COLUMN old;"))
    refused = project.run("migrate")
    assert refused.code == 1 and "migrations/3_drop.sql:2:" in refused.err


@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump not installed")
def test_a_pg_dump_clean_if_exists_baseline_applies_to_an_empty_database(
    pg_db: Database, tmp_path: Path
) -> None:
    """A schema dump with ``--clean --if-exists`` starts by dropping every object it
    creates; on an empty database none exists. On a database that has them, the same
    file would drop live tables and is refused."""
    (tmp_path / "source").mkdir()
    (tmp_path / "target").mkdir()
    source = Project(tmp_path / "source", pg_db.url)
    source.write(
        "1_schema.sql",
        sql_migration(
            "CREATE SCHEMA app;\n"
            "CREATE TABLE app.customers (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
            "email text UNIQUE NOT NULL);\n"
            "CREATE TABLE orders (id serial PRIMARY KEY, customer_id bigint "
            "REFERENCES app.customers (id), total numeric(10, 2));\n"
            "CREATE INDEX orders_customer ON orders (customer_id);\n"
            "CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 100;\n"
            "CREATE TYPE mood AS ENUM ('a', 'b');\n"
            "CREATE FUNCTION one() RETURNS integer LANGUAGE sql AS 'SELECT 1';"
        ),
    )
    assert source.run("migrate").code == 0
    url = make_url(pg_db.url)
    dump = pg_dump(
        pg_db.url,
        "--schema-only",
        "--clean",
        "--if-exists",
        "--no-owner",
        "--exclude-table=dbshift_history*",
    )
    # psql meta-commands (\restrict, PostgreSQL 15.14+) are not SQL.
    body = "\n".join(line for line in dump.splitlines() if not line.startswith("\\"))
    assert "DROP TABLE IF EXISTS public.orders;" in body

    engine = pg_db.engine()
    with engine.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {url.database}_empty")
    engine.dispose()
    empty = url.set(database=f"{url.database}_empty").render_as_string(hide_password=False)
    try:
        target = Project(tmp_path / "target", empty)
        target.write("1_baseline.sql", "-- dbshift:up\n" + body)
        # The dump empties search_path; the history table is named with its schema.
        applied = target.run("migrate", "--history-schema", "public")
        assert applied.code == 0, applied.err
        # Run again over what it created (as a second file): now it drops live tables.
        target.write("2_again.sql", "-- dbshift:up\n" + body)
        refused = target.run("migrate", "--history-schema", "public")
        assert refused.code == 1 and 'DROP TABLE "orders"' in refused.err
    finally:
        admin = Database("postgresql", POSTGRES_URL).engine()
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {url.database}_empty WITH (FORCE)")
        admin.dispose()


@pytest.mark.mysql
def test_a_namesake_in_another_mysql_database_is_dropped_only_by_a_qualified_name(
    mysql_db: Database, tmp_path: Path
) -> None:
    """An unqualified ``DROP TABLE IF EXISTS`` (every table of a mysqldump) names the
    current database's table: a namesake in another database of the server holds nothing
    it drops. ``DROP TABLE other.t`` names that one, and stays destructive."""
    from tests.conftest import scratch_database

    with scratch_database("mysql", tmp_path / "other") as other:
        with other.connect() as conn:
            conn.exec_driver_sql("CREATE TABLE shared_name (id int)")
        project = Project(tmp_path, mysql_db.url)
        project.write("1_drop.sql", sql_migration("DROP TABLE IF EXISTS shared_name;"))
        applied = project.run("migrate")
        assert applied.code == 0, applied.err
        elsewhere = make_url(other.url).database
        project.write("2_drop.sql", sql_migration(f"DROP TABLE IF EXISTS {elsewhere}.shared_name;"))
        refused = project.run("migrate")
        assert refused.code == 1
        assert "migrations/2_drop.sql:2: DROP TABLE" in refused.err
        assert "shared_name" in other.tables()


@pytest.mark.mysql
def test_dropping_a_live_partition_asks_one_of_a_table_the_run_creates_does_not(
    mysql_db: Database, tmp_path: Path
) -> None:
    create = (
        "CREATE TABLE {} (id int NOT NULL, d date NOT NULL) PARTITION BY RANGE (YEAR(d))"
        " (PARTITION p2024 VALUES LESS THAN (2025), PARTITION pmax VALUES LESS THAN MAXVALUE);"
    )
    project = Project(tmp_path, mysql_db.url)
    project.write("1_create.sql", sql_migration(create.format("logs")))
    assert project.run("migrate").code == 0
    project.write(
        "2_scratch.sql",
        sql_migration(create.format("scratch") + "\nALTER TABLE scratch DROP PARTITION p2024;"),
    )
    project.write("3_expire.sql", sql_migration("ALTER TABLE logs DROP PARTITION p2024;"))
    refused = project.run("migrate")
    assert refused.code == 1
    assert "migrations/3_expire.sql:2: DROP PARTITION p2024 of" in refused.err
    assert "2_scratch.sql" not in refused.err
    assert project.run("migrate", "--allow-destructive").code == 0
    assert (
        mysql_db.scalar(
            "SELECT COUNT(*) FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA = DATABASE()"
            " AND TABLE_NAME = 'logs'"
        )
        == 1
    )
