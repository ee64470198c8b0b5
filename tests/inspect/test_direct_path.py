"""The bare-driver path (``dbshift.direct``, used by ``diff``/``inspect`` on URLs) reads
exactly what the SQLAlchemy path reads, object for object, on every server."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbshift import direct
from dbshift.errors import DbshiftError
from dbshift.inspect import inspect_schema
from dbshift.model import Schema
from tests.conftest import Database
from tests.inspect.test_sqlite import DDL as SQLITE_DDL

POSTGRES_DDL = [
    "CREATE SCHEMA other",
    "CREATE TABLE other.parent (id int PRIMARY KEY, k int UNIQUE)",
    "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
    "CREATE SEQUENCE counter INCREMENT 5 MINVALUE 0 MAXVALUE 1000 CYCLE",
    """CREATE TABLE "odd % name" (
        id bigint GENERATED ALWAYS AS IDENTITY (START WITH 7 INCREMENT BY 2) PRIMARY KEY,
        m mood DEFAULT 'ok',
        code text COLLATE "C" NOT NULL DEFAULT 'x%y',
        price numeric(10, 2),
        doubled numeric GENERATED ALWAYS AS (price * 2) STORED,
        n int DEFAULT nextval('counter'),
        p int REFERENCES other.parent (k) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED,
        CONSTRAINT positive CHECK (price > 0) NOT VALID,
        CONSTRAINT u UNIQUE (code, n)
    )""",
    "COMMENT ON TABLE \"odd % name\" IS 'a table'",
    "COMMENT ON COLUMN \"odd % name\".code IS 'a column'",
    'CREATE INDEX ix_expr ON "odd % name" (lower(code) DESC NULLS LAST, n) '
    "INCLUDE (price) WHERE n > 0",
    'CREATE INDEX ix_ops ON "odd % name" (code text_pattern_ops)',
    'CREATE TABLE child (id serial PRIMARY KEY, o bigint REFERENCES "odd % name" (id))',
    "CREATE VIEW v AS SELECT id, code FROM \"odd % name\" WHERE code LIKE 'a%'",
    "CREATE MATERIALIZED VIEW mv AS SELECT id FROM child",
    "CREATE INDEX mv_ix ON mv (id)",
    "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
    "CREATE TRIGGER t BEFORE UPDATE ON child FOR EACH ROW EXECUTE FUNCTION touch()",
    "CREATE TABLE dbshift_history (version text)",
]
MYSQL_DDL = [
    "CREATE TABLE parent (id int PRIMARY KEY, k int UNIQUE)",
    """CREATE TABLE `odd % name` (
        id bigint AUTO_INCREMENT PRIMARY KEY,
        code varchar(20) COLLATE utf8mb4_bin NOT NULL DEFAULT 'x%y' COMMENT 'a column',
        price decimal(10, 2) CHECK (price > 0),
        doubled decimal(12, 2) AS (price * 2) STORED,
        updated timestamp NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
        p int,
        CONSTRAINT fk FOREIGN KEY (p) REFERENCES parent (k) ON DELETE SET NULL,
        UNIQUE KEY u (code, p),
        KEY ix (code(5), price DESC)
    ) COMMENT 'a table'""",
    "CREATE VIEW v AS SELECT id, code FROM `odd % name` WHERE code LIKE 'a%'",
    "CREATE TRIGGER t BEFORE UPDATE ON `odd % name` FOR EACH ROW SET NEW.price = NEW.price",
    "CREATE FUNCTION twice(x int) RETURNS int DETERMINISTIC RETURN x * 2",
    "CREATE TABLE dbshift_history (version text)",
]
DDL = {"postgresql": POSTGRES_DDL, "mysql": MYSQL_DDL, "sqlite": SQLITE_DDL}


def _both_paths(db: Database) -> tuple[Schema, Schema]:
    with db.connect() as conn:
        raw = conn.execution_options(no_parameters=True)
        for statement in DDL[db.backend]:
            raw.exec_driver_sql(statement)
        if db.backend == "sqlite":
            conn.commit()
        through_sqlalchemy = inspect_schema(conn, exclude=["dbshift_history"])
    bare = direct.connect(db.url, connect_timeout=5, busy_timeout=5)
    assert bare is not None, f"{db.url} should take the bare-driver path"
    with bare:
        return through_sqlalchemy, inspect_schema(bare, exclude=["dbshift_history"])


def test_bare_driver_path_reads_what_sqlalchemy_reads(db: Database) -> None:
    through_sqlalchemy, bare = _both_paths(db)
    assert through_sqlalchemy.tables, "the DDL made tables"
    assert "dbshift_history" not in [t.name for t in bare.tables]
    assert bare == through_sqlalchemy


def test_query_errors_read_as_sqlalchemy_errors_do(
    db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    """What the CLI prints, and its exit code, for a failing catalog query on either path."""
    from dbshift.cli import main

    engine = db.engine()
    try:
        with engine.connect() as conn, pytest.raises(Exception) as sqlalchemy_error:
            conn.exec_driver_sql("SELECT * FROM no_such_table")
    finally:
        engine.dispose()
    expected = main._unexpected(sqlalchemy_error.value), capsys.readouterr().err
    bare = direct.connect(db.url, connect_timeout=5, busy_timeout=5)
    assert bare is not None
    with bare, pytest.raises(DbshiftError) as caught, bare.errors():
        bare.dbapi.cursor().execute("SELECT * FROM no_such_table")
    error = caught.value
    assert (main._fail(error.message, error.exit_code), capsys.readouterr().err) == expected


def test_diff_of_two_urls_never_imports_sqlalchemy_nor_the_linters(tmp_path: Path) -> None:
    """The bare-driver path exists to skip SQLAlchemy's import (0.13-0.16 s of a
    1,000-table diff); a module-level import anywhere on the way (the snapshot table's
    name, once) silently brings it back. So do the linters' parsers (sqlglot, pglast) and
    rich: a diff without --lint prints plain text, and needs none of them."""
    import sqlite3
    import subprocess
    import sys

    a, b = tmp_path / "a.db", tmp_path / "b.db"
    with sqlite3.connect(a) as conn:
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
    with sqlite3.connect(b) as conn:
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)")
    script = (
        "import sys\n"
        "from dbshift.cli.main import main\n"
        f"code = main(['diff', '--from', 'sqlite:///{a}', '--to', 'sqlite:///{b}'])\n"
        "assert code == 0, code\n"
        "heavy = {'sqlalchemy', 'sqlglot', 'pglast', 'rich'}\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    assert "ADD COLUMN" in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "[]"
