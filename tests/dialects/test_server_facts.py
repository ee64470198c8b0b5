"""The facts the runner, the CLI and the file readers ask a Dialect, checked against the
servers: each flag says what the server does, not which server it is."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from dbshift.connection import connect, create_engine, parse_url
from dbshift.dialects import NAMES, Dialect, dialect_for, named
from dbshift.dialects.locks import Step
from dbshift.direct import connect as direct_connect
from dbshift.direct import dialect_of
from dbshift.direct import parse as parse_direct
from dbshift.errors import ConnectError
from dbshift.migrations.splitter import split_sql
from tests.conftest import MYSQL_URL, POSTGRES_URL, Database, scratch_database


def _dialect(db: Database) -> Dialect:
    return dialect_for(parse_url(db.url))


@contextmanager
def _connected(url: str | sa.URL) -> Iterator[sa.Connection]:
    """dbshift's own engine: autocommit, so a refused statement leaves nothing open."""
    engine = create_engine(
        parse_url(url) if isinstance(url, str) else url, connect_timeout=5, busy_timeout=5
    )
    try:
        with connect(engine) as conn:
            yield conn
    finally:
        engine.dispose()


def _fails(conn: sa.Connection, sql: str, params: dict[str, object] | None = None) -> bool:
    """Whether the server refuses ``sql``."""
    try:
        conn.execute(sa.text(sql), params or {})
    except sa.exc.DBAPIError:
        return True
    return False


def _connects(url: sa.URL) -> bool:
    try:
        with _connected(url) as conn:
            conn.exec_driver_sql("SELECT 1")
    except ConnectError:
        return False
    return True


# -- the client's script syntax ---------------------------------------------------------------

#: Per flag of ``ClientSyntax``: a script that only splits right where the flag is set, and
#: how many statements it holds. Every statement must run on the server.
SCRIPTS = {
    "escape_string_prefix": ("SELECT E'a\\';b';\nSELECT 2;", 2),
    "dollar_quoting": ("SELECT $x$ ; $x$;\nSELECT 2;", 2),
    "parentheses_hold_semicolons": ("SELECT 1;\nSELECT 2;", 2),
    "begin_atomic_routines": (
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;\nSELECT f();",
        2,
    ),
    "nested_block_comments": ("SELECT 1 /* a /* b; */ c; */;\nSELECT 2;", 2),
    "psql_meta_commands": ("\\restrict abc\nSELECT 1;\n\\unrestrict abc\n", 1),
    "delimiter_command": (
        "DELIMITER $$\nCREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END$$\n"
        "DELIMITER ;\nCALL p();",
        2,
    ),
    "hash_comments": ("SELECT 1; # two; three\nSELECT 2;", 2),
    "dash_comment_needs_space": ("SELECT 1--1;\nSELECT 2;", 2),
    "executable_comments": ("/*!40101 SELECT 1 */;\nSELECT 2;", 2),
    "backslash_escapes": ("SELECT 'a\\';b';\nSELECT 2;", 2),
    "double_quotes_are_strings": ('SELECT "a;b";\nSELECT 2;', 2),
    "backquoted_identifiers": ("SELECT 1 AS `a;b`;\nSELECT 2;", 2),
    "bracketed_identifiers": ("SELECT 1 AS [a;b];\nSELECT 2;", 2),
    "trigger_bodies": (
        "CREATE TABLE t (a int);\nCREATE TRIGGER tr AFTER INSERT ON t BEGIN "
        "UPDATE t SET a = 1; UPDATE t SET a = 2; END;\nINSERT INTO t VALUES (0);",
        3,
    ),
}


@pytest.mark.parametrize(
    ("backend", "flag"),
    [
        (name, flag)
        for name in NAMES
        for flag in sorted(SCRIPTS)
        if getattr(named(name).client_syntax, flag)
    ],
)
def test_each_client_syntax_flag_splits_scripts_its_server_runs(
    backend: str, flag: str, tmp_path: Path
) -> None:
    script, count = SCRIPTS[flag]
    with scratch_database(backend, tmp_path) as db:
        dialect = _dialect(db)
        statements = split_sql(script, dialect)
        assert len(statements) == count
        with _connected(db.url) as conn:
            raw = conn.execution_options(no_parameters=True)
            for statement in statements:
                raw.exec_driver_sql(statement.sql)


@pytest.mark.parametrize("flag", sorted(SCRIPTS))
def test_each_client_syntax_flag_belongs_to_some_server(flag: str) -> None:
    assert any(getattr(named(name).client_syntax, flag) for name in NAMES)


def test_double_quotes_are_strings_where_the_server_reads_them_as_values(db: Database) -> None:
    dialect = _dialect(db)
    with _connected(db.url) as conn:
        conn.exec_driver_sql("CREATE TABLE quoted (v int)")
        as_string = not _fails(conn, 'SELECT "not a column" FROM quoted')
    assert as_string is dialect.client_syntax.double_quotes_are_strings or (
        dialect.database_is_a_file  # SQLite falls back to a string for an unknown name
    )


# -- schema facts ------------------------------------------------------------------------------


def test_foreign_keys_only_in_create_table_matches_alter_table(db: Database) -> None:
    dialect = _dialect(db)
    with _connected(db.url) as conn:
        conn.exec_driver_sql("CREATE TABLE parent (id int PRIMARY KEY)")
        conn.exec_driver_sql("CREATE TABLE child (p int)")
        refused = _fails(
            conn, "ALTER TABLE child ADD CONSTRAINT fk_p FOREIGN KEY (p) REFERENCES parent (id)"
        )
    assert refused is dialect.foreign_keys_only_in_create_table


def test_text_is_unbounded_matches_what_a_text_column_keeps(db: Database) -> None:
    dialect = _dialect(db)
    value = "x" * 70_000  # more than MySQL's TEXT holds (65,535 bytes)
    with _connected(db.url) as conn:
        conn.exec_driver_sql("CREATE TABLE notes (body text)")
        refused = _fails(conn, "INSERT INTO notes (body) VALUES (:v)", {"v": value})
        kept = not refused and conn.exec_driver_sql("SELECT length(body) FROM notes").scalar()
    assert (kept == 70_000) is dialect.text_is_unbounded


def test_has_namespaces_where_create_schema_makes_one_inside_the_database(db: Database) -> None:
    """A namespace inside the database (PostgreSQL), a database by another name (MySQL),
    or no such statement (SQLite)."""
    dialect = _dialect(db)
    name = f"dbshift_ns_{uuid.uuid4().hex[:8]}"
    with _connected(db.url) as conn:
        made = not _fails(conn, f"CREATE SCHEMA {dialect.quote(name)}")
        try:
            another_database = made and _connects(dialect.url.set(database=name))
        finally:
            if made:
                conn.exec_driver_sql(f"DROP SCHEMA {dialect.quote(name)}")
    assert (made and not another_database) is dialect.has_namespaces
    assert another_database is (made and dialect.databases_are_schemas)


def test_interrupted_index_builds_leave_an_index_behind_only_where_the_flag_says(
    db: Database,
) -> None:
    dialect = _dialect(db)
    # CONCURRENTLY (PostgreSQL) builds outside a transaction, so a failure is not undone.
    concurrently = " CONCURRENTLY" if dialect.interrupted_index_builds_leave_invalid_index else ""
    with _connected(db.url) as conn:
        conn.exec_driver_sql("CREATE TABLE dup (v int)")
        conn.exec_driver_sql("INSERT INTO dup (v) VALUES (1), (1)")
        assert _fails(conn, f"CREATE UNIQUE INDEX{concurrently} dup_v ON dup (v)")
        left_behind = _fails(conn, "CREATE INDEX dup_v ON dup (v)")  # the name is taken
    assert left_behind is dialect.interrupted_index_builds_leave_invalid_index


# -- connections and databases -------------------------------------------------------------------


def test_url_must_name_database_where_a_url_without_one_resolves_no_names() -> None:
    for base in (POSTGRES_URL, MYSQL_URL):
        # URL.set(database=None) keeps the database: cut it from the text instead.
        url = parse_url(parse_url(base).render_as_string(hide_password=False).rsplit("/", 1)[0])
        assert url.database is None
        dialect = dialect_for(url)
        with _connected(url) as conn:
            resolves_to = dialect.history_schema(conn)
        assert (resolves_to is None) is dialect.url_must_name_database
    assert not named("sqlite").url_must_name_database  # no database: one in memory


def test_database_is_a_file_where_connecting_creates_the_file(db: Database) -> None:
    dialect = _dialect(db)
    with _connected(db.url) as conn:
        conn.exec_driver_sql("SELECT 1")
    assert Path(dialect.url.database or "").is_file() is dialect.database_is_a_file


def test_driver_connect_args_name_postgresql_sessions_dbshift(pg_db: Database) -> None:
    with _connected(pg_db.url) as conn:
        name = conn.exec_driver_sql("SELECT current_setting('application_name')").scalar()
    assert name == "dbshift"
    assert named("sqlite").driver_connect_args(connect_timeout=9, busy_timeout=3) == {"timeout": 3}
    assert named("mysql").driver_connect_args(connect_timeout=0.2, busy_timeout=3) == {
        "connect_timeout": 1
    }


@pytest.mark.parametrize("base", [POSTGRES_URL, MYSQL_URL])
def test_drop_database_sql_drops_a_database_a_session_is_still_connected_to(base: str) -> None:
    admin = parse_url(base)
    dialect = dialect_for(admin)
    name = f"dbshift_drop_{uuid.uuid4().hex[:8]}"
    scratch = admin.set(database=name)
    with _connected(admin) as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {dialect.quote(name)}")
    engine = create_engine(scratch, connect_timeout=5, busy_timeout=5)
    try:
        still_connected = connect(engine)
        still_connected.exec_driver_sql("SELECT 1")
        with _connected(admin) as conn:
            conn.exec_driver_sql(dialect.drop_database_sql(name))
            conn.exec_driver_sql(dialect.drop_database_sql(name))  # IF EXISTS: no error
        with contextlib.suppress(sa.exc.DBAPIError):  # PostgreSQL ended that session
            still_connected.close()
    finally:
        engine.dispose()
    assert not _connects(scratch)


def test_planner_version_sql_answers_an_integer_release(pg_db: Database) -> None:
    dialect = _dialect(pg_db)
    assert dialect.planner_version_sql is not None
    with _connected(pg_db.url) as conn:
        version = conn.exec_driver_sql(dialect.planner_version_sql).scalar()
    assert isinstance(version, int) and version >= 120000
    assert named("mysql").planner_version_sql is None
    assert named("sqlite").planner_version_sql is None


# -- lock tracing --------------------------------------------------------------------------------


def test_lock_tracer_traces_a_statement_and_the_legend_says_how(db: Database) -> None:
    dialect = _dialect(db)
    with _connected(db.url) as conn:
        conn.exec_driver_sql("CREATE TABLE traced (id int)")
        tracer = dialect.lock_tracer(conn)
        tracer.start_migration(transactional=False)
        sql = "ALTER TABLE traced ADD COLUMN note int"
        raw = conn.execution_options(no_parameters=True)
        observation = tracer.trace(Step(sql, lambda: raw.exec_driver_sql(sql)))
        columns = {c["name"] for c in sa.inspect(conn).get_columns("traced")}
    assert observation.ms >= 0
    assert columns == {"id", "note"}  # the traced statement ran
    assert dialect.lock_trace_legend.startswith("locks: ")


# -- URLs without SQLAlchemy -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("postgres://u@h/d", "postgresql"),
        ("postgresql+psycopg://u@h/d", "postgresql"),
        ("mariadb://u@h/d", "mysql"),
        ("mysql://u@h/d", "mysql"),
        ("sqlite:///x.db", "sqlite"),
    ],
)
def test_a_bare_url_knows_its_dialect_as_sqlalchemy_would(raw: str, name: str) -> None:
    found = dialect_of(raw)
    assert found is not None and found.name == name
    assert type(found) is type(dialect_for(parse_url(raw)))
    parsed = parse_direct(raw)
    assert parsed is not None and parsed.dialect.name == name


@pytest.mark.parametrize("name", NAMES)
def test_default_driver_is_the_one_a_bare_scheme_gets_and_direct_opens(
    name: str, tmp_path: Path
) -> None:
    dialect = named(name)
    with scratch_database(name, tmp_path) as db:
        bare_scheme = db.url.replace("+pymysql", "").replace("+psycopg", "")
        assert parse_url(bare_scheme).get_driver_name() == dialect.default_driver
        opened = direct_connect(bare_scheme, connect_timeout=5, busy_timeout=5)
        assert opened is not None
        opened.close()
        other = {"postgresql": "psycopg2", "mysql": "mysqldb", "sqlite": "pysqlite"}[name]
        if other != dialect.default_driver:  # another driver: SQLAlchemy's path, not direct's
            scheme, rest = bare_scheme.split("://", 1)
            assert (
                direct_connect(f"{scheme}+{other}://{rest}", connect_timeout=5, busy_timeout=5)
                is None
            )


def test_product_of_tells_the_server_from_its_own_version_text(db: Database) -> None:
    # The test servers are PostgreSQL 15, MariaDB 10.11 and SQLite; MySQL's text is a
    # documented sample ("8.0.36-log"), as no MySQL server is in the test setup.
    from dbshift.dialects.base import Product
    from dbshift.dialects.mysql import MySQLDialect

    version_sql = "SELECT sqlite_version()" if db.backend == "sqlite" else "SELECT VERSION()"
    with db.connect() as conn:
        version = str(conn.exec_driver_sql(version_sql).scalar())
    dialect = _dialect(db)
    expected = {"postgresql": Product.POSTGRESQL, "mysql": Product.MARIADB}
    assert dialect.product_of(version) is expected.get(db.backend, Product.SQLITE)
    assert dialect.product_of(version) in type(dialect).products
    assert MySQLDialect.product_of("8.0.36-log") is Product.MYSQL


@pytest.mark.parametrize(
    ("driver", "installed", "bounded"),
    [
        ("pymysql", None, True),
        ("mysqldb", None, True),
        ("mysqlconnector", "8.4.0", False),
        ("mysqlconnector", "9.1.0", True),
        ("mysqlconnector", None, False),
    ],
)
def test_read_timeouts_go_only_to_mysql_drivers_that_take_them(
    monkeypatch: pytest.MonkeyPatch, driver: str, installed: str | None, bounded: bool
) -> None:
    """mysql-connector-python 8.x refuses to connect at all when given ``read_timeout``
    ("Unsupported argument 'read_timeout'", checked with 8.4.0 against MariaDB 10.11; 9.x
    takes it): a replica probe through it failed on every connection."""
    import importlib.metadata

    def version(name: str) -> str:
        if installed is None:
            raise importlib.metadata.PackageNotFoundError(name)
        return installed

    monkeypatch.setattr(importlib.metadata, "version", version)
    args = named("mysql").driver_connect_args(
        connect_timeout=1, busy_timeout=3, read_timeout=5, driver=driver
    )
    if bounded:
        assert args == {"connect_timeout": 1, "read_timeout": 5, "write_timeout": 5}
    else:
        assert args == {"connect_timeout": 1}
