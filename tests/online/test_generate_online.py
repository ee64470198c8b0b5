"""``dbshift generate --online``: the breaking part of a schema change written as an online
migration, which ``dbshift online`` then runs to exactly the desired schema."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tests.conftest import MYSQL_URL, POSTGRES_URL, Database, Project, Result, sql_migration

#: users.name is renamed, not dropped and added.
RENAME = "users.name:full_name"

BEFORE = """
CREATE TABLE users (id bigint PRIMARY KEY, email varchar(100) NOT NULL, name text);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, total integer NOT NULL);
"""
AFTER = """
CREATE TABLE users (
    id bigint PRIMARY KEY,
    email text NOT NULL,
    full_name text,
    nickname text DEFAULT 'none' NOT NULL
);
CREATE TABLE orders (
    id bigint PRIMARY KEY,
    user_id bigint REFERENCES users (id),
    total bigint NOT NULL
);
CREATE INDEX orders_user_idx ON orders (user_id);
CREATE TABLE coupons (code text PRIMARY KEY);
"""


def _generate(
    p: Project, before: str, after: str, dev_url: str, *args: str
) -> tuple[Result, list[Path]]:
    """``before`` migrated, then ``generate --online`` towards ``after`` (``args``: the
    description and any flags): the command's result and the files it wrote."""
    p.write("1_base.sql", sql_migration(before))
    assert p.run("migrate").code == 0
    (p.root / "schema.sql").write_text(after)
    r = p.run("generate", *args, "--online", "--to", "schema.sql", "--dev-url", dev_url)
    return r, sorted(p.migrations.glob("*.toml"))


def _complete(p: Project, path: Path) -> None:
    started = p.run("online", "start", str(path))
    assert started.code == 0, started.err
    done = p.run("online", "complete", path.stem, "--force")
    assert done.code == 0, done.err


def _reaches(p: Project, url: str, dev_url: str) -> None:
    """The database at ``url`` is schema.sql."""
    args = ["--from", url, "--to", "schema.sql", "--dev-url", dev_url, "--exit-code"]
    diff = p.run("diff", *args, url=False)
    assert diff.code == 0, diff.out + diff.err


@pytest.mark.postgres
def test_generated_online_migration_reaches_the_desired_schema(
    pg_db: Database, tmp_path: Path
) -> None:
    p = Project(tmp_path, pg_db.url)
    r, (path,) = _generate(p, BEFORE, AFTER, POSTGRES_URL, "users v2", "--rename", RENAME)
    assert r.code == 0, r.err
    spec = tomllib.loads(path.read_text())
    kinds = sorted(op["type"] for op in spec["operations"])
    assert kinds == sorted(
        [
            "raw_sql",  # coupons: additive, runs as is
            "rename_column",
            "alter_column",  # users.email varchar -> text
            "alter_column",  # orders.total integer -> bigint
            "add_column",
            "add_foreign_key",
            "create_index",
        ]
    ), kinds
    _complete(p, path)
    _reaches(p, pg_db.url, POSTGRES_URL)


@pytest.mark.postgres
def test_online_refuses_what_has_no_online_form(pg_db: Database, tmp_path: Path) -> None:
    p = Project(tmp_path, pg_db.url)
    after = BEFORE + "ALTER TABLE users ADD COLUMN age int NOT NULL;"
    r, written = _generate(p, BEFORE, after, POSTGRES_URL, "age")
    assert r.code == 2 and "without a default" in r.err and r.err.count("\n") == 1
    assert not written


FK_BEFORE = """
CREATE TABLE users (id bigint PRIMARY KEY);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);
"""
FK_AFTER = """
CREATE TABLE users (id bigint PRIMARY KEY);
CREATE TABLE orders (
    id bigint PRIMARY KEY,
    user_id bigint CONSTRAINT orders_user_fk REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX orders_user_hash ON orders USING hash (user_id);
"""


@pytest.mark.postgres
def test_generated_online_migration_keeps_on_delete_and_index_method(
    pg_db: Database, tmp_path: Path
) -> None:
    p = Project(tmp_path, pg_db.url)
    r, (path,) = _generate(p, FK_BEFORE, FK_AFTER, POSTGRES_URL, "fk")
    assert r.code == 0, r.err
    _complete(p, path)
    rule = pg_db.scalar("SELECT confdeltype FROM pg_constraint WHERE conname = 'orders_user_fk'")
    assert rule == "c"  # CASCADE
    method = pg_db.scalar(
        "SELECT am.amname FROM pg_class c JOIN pg_am am ON am.oid = c.relam "
        "WHERE c.relname = 'orders_user_hash'"
    )
    assert method == "hash"


@pytest.mark.postgres
def test_an_index_ordering_the_file_cannot_say_is_refused(pg_db: Database, tmp_path: Path) -> None:
    p = Project(tmp_path, pg_db.url)
    after = FK_BEFORE + "CREATE INDEX o_desc ON orders (id DESC);"
    r, written = _generate(p, FK_BEFORE, after, POSTGRES_URL, "desc")
    assert r.code == 2 and "no online form" in r.err, r.err
    assert not written


MY_BEFORE = """
CREATE TABLE users (id bigint PRIMARY KEY, email varchar(100) NOT NULL, name varchar(50));
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, total int NOT NULL);
"""
MY_AFTER = """
CREATE TABLE users (
    id bigint PRIMARY KEY,
    email varchar(200) NOT NULL,
    full_name varchar(50),
    nickname varchar(20) NOT NULL DEFAULT 'none'
);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, total bigint NOT NULL);
CREATE INDEX orders_user_idx ON orders (user_id);
CREATE TABLE coupons (code varchar(20) PRIMARY KEY);
"""


@pytest.mark.mysql
def test_generated_online_migration_reaches_the_desired_schema_on_mysql(
    mysql_db: Database, tmp_path: Path
) -> None:
    p = Project(tmp_path, mysql_db.url)
    r, (path,) = _generate(p, MY_BEFORE, MY_AFTER, MYSQL_URL, "users v2", "--rename", RENAME)
    assert r.code == 0, r.err
    spec = tomllib.loads(path.read_text())
    assert "schema" not in spec  # the URL's database
    assert "LAST_INSERT_ID()" in path.read_text()  # the documented limit, in the comment
    assert sorted(op["type"] for op in spec["operations"]) == sorted(
        ["raw_sql", "rename_column", "alter_column", "alter_column", "add_column", "create_index"]
    )
    try:
        _complete(p, path)
        _reaches(p, mysql_db.url, MYSQL_URL)
    finally:
        from tests.online.test_mysql_online import connector

        version = f"{mysql_db.url.rsplit('/', 1)[-1]}_{path.stem}"
        with connector(mysql_db.url)() as conn:  # goes with the scratch database
            conn.cursor().execute(f"DROP DATABASE IF EXISTS `{version}`")
