"""Every corpus migration runs on the real server of its dialect, so the corpus is made of
migrations the servers accept, not of text that merely looks like SQL.

Each file runs on a fresh schema holding the tables the corpus alters (``SETUP``), plus the
file's own ``-- setup: SQL`` header lines; its up section runs as dbshift would run it (in one
transaction on PostgreSQL and SQLite unless ``no-transaction``; MySQL commits DDL as it goes).
A file whose hazard is that the server refuses it says so with ``-- fails: text of the
error``, and must then fail with that error.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from dbshift.dialects import named
from dbshift.migrations.splitter import split_sql
from dbshift.migrations.sqlfile import parse_sql_migration
from tests.conftest import Database, fresh_database
from tests.lint.test_corpus import CORPUS, corpus_files

SETUP = {
    "postgresql": """
        CREATE TYPE order_status AS ENUM ('new', 'paid', 'shipped');
        CREATE DOMAIN currency_code AS text;
        CREATE TABLE users (id bigint PRIMARY KEY, email text, legacy_flag boolean);
        CREATE TABLE orders (
            id bigint PRIMARY KEY, user_id bigint, status text, amount numeric(12, 2),
            note text, legacy_note text, created_at timestamptz);
        CREATE INDEX orders_legacy_idx ON orders (legacy_note);
        CREATE TABLE accounts (id bigint PRIMARY KEY);
        CREATE TABLE customers (id bigint PRIMARY KEY, email text);
        CREATE TABLE events (id integer PRIMARY KEY);
        CREATE TABLE invoices (id bigint PRIMARY KEY, due_date date);
        CREATE TABLE payments (id bigint PRIMARY KEY, created_at timestamptz);
        CREATE TABLE measurements (taken_at timestamptz NOT NULL, value double precision)
            PARTITION BY RANGE (taken_at);
        CREATE TABLE measurements_2022 PARTITION OF measurements
            FOR VALUES FROM ('2022-01-01') TO ('2023-01-01');
        CREATE TABLE measurements_2023 PARTITION OF measurements
            FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
        CREATE TABLE sessions (id bigint PRIMARY KEY);
        CREATE TABLE line_items (order_id bigint NOT NULL, position integer NOT NULL);
        CREATE TABLE audit_log (id bigint CONSTRAINT audit_log_pkey PRIMARY KEY);
        CREATE TABLE carts (id bigint PRIMARY KEY);
        CREATE TABLE profiles (id bigint PRIMARY KEY, display_name text NOT NULL);
        CREATE TABLE order_archive_2019 (id bigint PRIMARY KEY);
        CREATE TABLE products (id bigint PRIMARY KEY, price numeric(12, 2), currency text);
        CREATE TABLE core_recipe (id bigint PRIMARY KEY);
    """,
    "mysql": """
        CREATE TABLE orders (
            id bigint PRIMARY KEY, status varchar(20), created_at datetime,
            reference varchar(100), KEY orders_reference (reference)
        ) DEFAULT CHARSET=latin1;
        CREATE TABLE events (id int NOT NULL AUTO_INCREMENT PRIMARY KEY);
        CREATE TABLE products (id bigint PRIMARY KEY, name text, description text);
        CREATE TABLE users (id bigint PRIMARY KEY, email varchar(200), legacy_flag tinyint);
        CREATE TABLE order_notes (id bigint PRIMARY KEY);
        CREATE TABLE order_archive_2019 (id bigint PRIMARY KEY);
        CREATE TABLE carts (id bigint PRIMARY KEY);
        CREATE TABLE sessions (id bigint PRIMARY KEY);
    """,
    "sqlite": """
        CREATE TABLE users (id integer PRIMARY KEY, email text, name text, legacy_flag integer);
        CREATE TABLE accounts (id integer PRIMARY KEY);
        CREATE TABLE orders (id integer PRIMARY KEY);
        CREATE TABLE sessions (id integer PRIMARY KEY);
        CREATE TABLE carts (id integer PRIMARY KEY);
    """,
}
_HEADER = re.compile(r"^--[ \t]*(setup|fails):[ \t]*(.*)$", re.M)
#: Runs (setup statements, up statements, in one transaction?) on a fresh schema.
Runner = Callable[[list[str], list[str], bool], None]


def _headers(text: str, key: str) -> list[str]:
    head = text.split("-- dbshift:up", 1)[0]
    return [value.strip() for name, value in _HEADER.findall(head) if name == key]


def _up(path: Path, dialect: str) -> tuple[list[str], bool]:
    text = path.read_text(encoding="utf-8")
    if "-- dbshift:up" not in text:  # a plain file runs as written
        return [s.sql for s in split_sql(text, named(dialect))], False
    parsed = parse_sql_migration(path, text, named(dialect))
    return [s.sql for s in parsed.up.statements], parsed.transactional


def _statements(path: Path, dialect: str) -> tuple[list[str], list[str], bool]:
    text = path.read_text(encoding="utf-8")
    up, transactional = _up(path, dialect)
    return _headers(text, "setup"), up, transactional and dialect != "mysql"


def _check(path: Path, run: Runner) -> None:
    """Run the file through ``run`` (setup, up, in one transaction?) and compare the
    outcome with its ``-- fails:`` header."""
    dialect = path.parent.parent.name
    setup, up, transactional = _statements(path, dialect)
    fails = _headers(path.read_text(encoding="utf-8"), "fails")
    try:
        run(setup, up, transactional)
    except Exception as exc:
        if not fails:
            raise
        assert fails[0].lower() in str(exc).lower(), f"{path.name}: {exc}"
        return
    assert not fails, f"{path.name} was expected to fail with {fails[0]!r}"


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Database]]:
    stacks = {}
    out = {}
    for dialect in ("postgresql", "mysql"):
        gen = fresh_database(dialect, tmp_path_factory.mktemp(dialect))
        out[dialect] = next(gen)
        stacks[dialect] = gen
    yield out
    for gen in stacks.values():
        with pytest.raises(StopIteration):
            next(gen)


def _split(sql: str, dialect: str) -> list[str]:
    return [s.sql for s in split_sql(sql, named(dialect))]


def _server_runner(db: Database, dialect: str) -> Runner:
    def run(setup: list[str], up: list[str], transactional: bool) -> None:
        with db.connect() as conn:
            if dialect == "postgresql":
                conn.exec_driver_sql("DROP SCHEMA public CASCADE")
                conn.exec_driver_sql("CREATE SCHEMA public")
            else:
                name = conn.exec_driver_sql("SELECT DATABASE()").scalar()
                conn.exec_driver_sql(f"DROP DATABASE `{name}`")
                conn.exec_driver_sql(f"CREATE DATABASE `{name}`")
                conn.exec_driver_sql(f"USE `{name}`")
            for sql in _split(SETUP[dialect], dialect) + setup:
                conn.exec_driver_sql(sql)
            if transactional:
                conn.exec_driver_sql("BEGIN")
            try:
                for sql in up:
                    conn.exec_driver_sql(sql)
            finally:
                if transactional:
                    conn.exec_driver_sql("ROLLBACK")

    return run


def _sqlite_run(setup: list[str], up: list[str], transactional: bool) -> None:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        for sql in _split(SETUP["sqlite"], "sqlite") + setup:
            conn.execute(sql)
        if transactional:
            conn.execute("BEGIN")
        for sql in up:
            conn.execute(sql)
        if transactional:
            conn.execute("COMMIT")
    finally:
        conn.close()


def _ids(path: Path) -> str:
    return str(path.relative_to(CORPUS))


@pytest.mark.postgres
@pytest.mark.parametrize("path", corpus_files("postgresql"), ids=_ids)
def test_postgresql_corpus_file_runs(path: Path, scratch: dict[str, Database]) -> None:
    _check(path, _server_runner(scratch["postgresql"], "postgresql"))


@pytest.mark.mysql
@pytest.mark.parametrize("path", corpus_files("mysql"), ids=_ids)
def test_mysql_corpus_file_runs(path: Path, scratch: dict[str, Database]) -> None:
    _check(path, _server_runner(scratch["mysql"], "mysql"))


@pytest.mark.parametrize("path", corpus_files("sqlite"), ids=_ids)
def test_sqlite_corpus_file_runs(path: Path) -> None:
    _check(path, _sqlite_run)
