"""The ``definer`` config key on MariaDB: views, functions, procedures and triggers that
``dbshift diff`` writes carry ``DEFINER = …`` as configured, the server records exactly
that account (``information_schema``), and the schema converges all the same (the model
leaves definers out: they name logins, not the schema's shape)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from dbshift.config import Settings
from dbshift.diff import diff
from dbshift.inspect import inspect_schema
from dbshift.model import Schema
from dbshift.runner.sources import own_tables
from tests.conftest import Database, Project, scratch_database

pytestmark = pytest.mark.mysql

SOURCE = """
CREATE TABLE orders (id int PRIMARY KEY, total int NOT NULL DEFAULT 0);
CREATE SQL SECURITY INVOKER VIEW big_orders AS SELECT id FROM orders WHERE total > 100;
CREATE FUNCTION doubled(x int) RETURNS int DETERMINISTIC RETURN x * 2;
CREATE PROCEDURE wipe() MODIFIES SQL DATA BEGIN DELETE FROM orders; END;
CREATE TRIGGER orders_bi BEFORE INSERT ON orders FOR EACH ROW SET NEW.total = NEW.total + 0;
"""


def run_all(database: Database, script: str) -> None:
    with database.connect() as conn:
        for statement in script.strip().split(";\n"):
            conn.exec_driver_sql(statement.strip().rstrip(";") + ";")


def inspected(database: Database) -> Schema:
    with database.connect() as conn:
        # The runner's own tables are not the schema's.
        return inspect_schema(conn, exclude=own_tables(Settings()))


def definers(database: Database) -> set[tuple[str, str]]:
    with database.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT TABLE_NAME, DEFINER FROM information_schema.VIEWS "
            "WHERE TABLE_SCHEMA = DATABASE() UNION ALL "
            "SELECT ROUTINE_NAME, DEFINER FROM information_schema.ROUTINES "
            "WHERE ROUTINE_SCHEMA = DATABASE() UNION ALL "
            "SELECT TRIGGER_NAME, DEFINER FROM information_schema.TRIGGERS "
            "WHERE TRIGGER_SCHEMA = DATABASE()"
        )
        return {(r[0], r[1]) for r in rows}


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[Database, Database]]:
    with (
        scratch_database("mysql", tmp_path / "s") as source,
        scratch_database("mysql", tmp_path / "t") as target,
    ):
        yield source, target


@pytest.fixture
def account(pair: tuple[Database, Database]) -> Iterator[str]:
    """A login of its own (with a quote in its name), dropped afterwards."""
    name = f"dbshift_o'def_{uuid.uuid4().hex[:6]}"
    quoted = "'" + name.replace("'", "''") + "'@'localhost'"
    engine = pair[0].engine()
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(f"CREATE USER {quoted}")
        yield name
        with engine.connect() as conn:
            conn.exec_driver_sql(f"DROP USER {quoted}")
    finally:
        engine.dispose()


def migrate_by_diff(tmp_path: Path, source: Database, target: Database, config: str) -> str:
    """``dbshift diff`` from the target to the source, with ``config``, run by migrate."""
    (tmp_path / "p").mkdir()
    project = Project(tmp_path / "p", target.url)
    (project.root / "dbshift.toml").write_text(config, encoding="utf-8")
    done = project.run("diff", "--from", target.url, "--to", source.url, "--format", "sql")
    assert done.code == 0, done.err
    project.write("0001_all.sql", f"-- dbshift:up\n{done.out}\n")
    migrated = project.run("migrate")
    assert migrated.code == 0, migrated.err
    return done.out


def test_a_configured_account_is_every_objects_definer(
    tmp_path: Path, pair: tuple[Database, Database], account: str
) -> None:
    source, target = pair
    run_all(source, SOURCE)
    toml_account = "'" + account.replace("'", "''") + "'@localhost"
    sql = migrate_by_diff(tmp_path, source, target, f"definer = {toml_string(toml_account)}\n")
    assert sql.count("DEFINER = 'dbshift_o''def_") == 4  # the quote doubled
    expected = f"{account}@localhost"
    assert definers(target) == {
        ("big_orders", expected),
        ("doubled", expected),
        ("wipe", expected),
        ("orders_bi", expected),
    }
    assert diff(inspected(target), inspected(source)) == []


def test_current_user_is_who_runs_the_migration(
    tmp_path: Path, pair: tuple[Database, Database]
) -> None:
    source, target = pair
    run_all(source, SOURCE)
    sql = migrate_by_diff(tmp_path, source, target, 'definer = "current_user()"\n')
    assert sql.count("DEFINER = CURRENT_USER") == 4
    me = target.scalar("SELECT CURRENT_USER()")
    assert {d for _, d in definers(target)} == {me}


@pytest.mark.parametrize(
    "bad", ["root", "'root'@", "root@'local'host'", "x@y; DROP TABLE t", "'a'@'b' OR 1"]
)
def test_a_definer_that_is_not_an_account_is_refused_in_one_line(tmp_path: Path, bad: str) -> None:
    project = Project(tmp_path, "sqlite:///x.db")
    (project.root / "dbshift.toml").write_text(f"definer = {toml_string(bad)}\n")
    done = project.run("status")
    assert done.code == 2
    assert done.err.strip().count("\n") == 0
    assert "expected CURRENT_USER or an account 'user'@'host'" in done.err


def toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
