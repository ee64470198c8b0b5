"""A database's default character set is no property of its tables': a table that took its
database's default (said nothing) must be made again with that collation wherever the
migration runs. Judged by the server (SHOW CREATE TABLE, information_schema)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy

from dbshift.dialects import renderer_for
from dbshift.diff import diff
from dbshift.inspect import Scope, inspect_schema
from dbshift.inspect.mysql import inspect_mysql
from dbshift.model import Schema
from tests.conftest import MYSQL_URL, Database, Project, scratch_database, sql_migration

pytestmark = pytest.mark.mysql

#: A table that says nothing about its character set, columns that follow it, one that
#: does not, and an enum (which carries a collation too).
_TABLE = (
    "CREATE TABLE people (id int PRIMARY KEY, name varchar(40) NOT NULL, note text,"
    " kind enum('a','b') DEFAULT 'a', code char(3) COLLATE utf8mb4_bin)"
)


def _q(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _name(db: Database) -> str:
    return db.url.rsplit("/", 1)[1]


def _server_view(conn: sqlalchemy.Connection, database: str) -> dict[str, object]:
    """Each table's SHOW CREATE TABLE, TABLE_COLLATION and its columns' character sets and
    collations, as the server shows them."""
    out: dict[str, object] = {}
    for (name,) in conn.exec_driver_sql(
        "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s",
        (database,),
    ).all():
        shown = conn.exec_driver_sql(f"SHOW CREATE TABLE {_q(database)}.{_q(name)}").one()
        out[f"{name} create"] = shown[1]
        out[f"{name} collation"] = conn.exec_driver_sql(
            "SELECT TABLE_COLLATION FROM information_schema.TABLES"
            " WHERE TABLE_SCHEMA = %s AND TABLE_NAME = %s",
            (database, name),
        ).scalar()
        out[f"{name} columns"] = conn.exec_driver_sql(
            "SELECT COLUMN_NAME, CHARACTER_SET_NAME, COLLATION_NAME FROM"
            " information_schema.COLUMNS WHERE TABLE_SCHEMA = %s AND TABLE_NAME = %s"
            " ORDER BY ORDINAL_POSITION",
            (database, name),
        ).all()
    return out


@pytest.fixture
def pair(mysql_db: Database, tmp_path: Path) -> Iterator[tuple[Database, Database]]:
    """A latin1 database and a utf8mb4 one (both the test's own)."""
    with scratch_database("mysql", tmp_path) as target:
        with mysql_db.connect() as conn:
            conn.exec_driver_sql(
                f"ALTER DATABASE {_q(_name(mysql_db))} CHARACTER SET latin1"
                " COLLATE latin1_swedish_ci"
            )
            conn.exec_driver_sql(
                f"ALTER DATABASE {_q(_name(target))} CHARACTER SET utf8mb4"
                " COLLATE utf8mb4_general_ci"
            )
        yield mysql_db, target


def test_a_latin1_default_table_is_made_latin1_in_a_utf8mb4_database(
    pair: tuple[Database, Database], tmp_path: Path
) -> None:
    source, target = pair
    renderer = renderer_for("mysql")
    with source.connect() as conn:
        conn.exec_driver_sql(_TABLE)
        model = inspect_mysql(conn)
        before = _server_view(conn, _name(source))
        # A against A: nothing to do, also inspected again.
        assert diff(model, inspect_mysql(conn)) == []
    assert before["people collation"] == "latin1_swedish_ci"

    with target.connect() as conn:
        for sql in renderer.render(diff(Schema(), model), Schema()):
            conn.exec_driver_sql(sql.replace("%", "%%"))
        after = _server_view(conn, _name(target))
        assert after == before
        again = inspect_mysql(conn)
        assert diff(again, model) == [] and diff(model, again) == []

    project = Project(tmp_path, source.url)
    same = project.run("diff", "--from", source.url, "--to", source.url, "--exit-code")
    assert same.code == 0, same.err + same.out
    differing = project.run("diff", "--from", target.url, "--to", source.url, "--format", "sql")
    assert differing.code == 0, differing.err
    assert differing.out == "-- no differences\n"  # the database's own default aside


def test_a_latin1_database_against_a_utf8mb4_one_shows_the_tables_differ(
    pair: tuple[Database, Database],
) -> None:
    """The same statements run in both: the tables really differ, and the plan that turns
    the utf8mb4 one into the latin1 one leaves it as the latin1 one is."""
    source, target = pair
    renderer = renderer_for("mysql")
    with source.connect() as conn:
        conn.exec_driver_sql(_TABLE)
        dev = inspect_mysql(conn)
        wanted = _server_view(conn, _name(source))
    with target.connect() as conn:
        conn.exec_driver_sql(_TABLE)
        production = inspect_mysql(conn)
        ops = diff(production, dev)
        assert ops, "a latin1 table and a utf8mb4 one compared equal"
        shown = renderer.render(ops, production)
        assert "ALTER TABLE `people` COLLATE=`latin1_swedish_ci`" in shown, shown
        for sql in renderer.render(ops, production):
            conn.exec_driver_sql(sql.replace("%", "%%"))
        got = _server_view(conn, _name(target))
        assert got["people collation"] == wanted["people collation"]
        assert got["people columns"] == wanted["people columns"]
        assert diff(inspect_mysql(conn), dev) == []


def test_several_databases_keep_each_ones_default(mysql_db: Database, tmp_path: Path) -> None:
    """A utf8mb4 home database and a latin1 other one, each with a table that says nothing:
    made again from nothing into another utf8mb4 home (the other database dropped, then
    created again by the plan with the server's default), each table keeps its own."""
    home = _name(mysql_db)
    other = f"{home}_legacy"
    renderer = renderer_for("mysql")
    scope = Scope(schemas=(other,))
    with scratch_database("mysql", tmp_path) as target:
        try:
            with mysql_db.connect() as conn:
                conn.exec_driver_sql(f"ALTER DATABASE {_q(home)} CHARACTER SET utf8mb4")
                conn.exec_driver_sql(f"CREATE DATABASE {_q(other)} CHARACTER SET latin1")
                conn.exec_driver_sql("CREATE TABLE accounts (id int PRIMARY KEY, name text)")
                conn.exec_driver_sql(
                    f"CREATE TABLE {_q(other)}.ledger (id int PRIMARY KEY, memo varchar(20))"
                )
                model = inspect_schema(conn, scope=scope)
                assert diff(model, inspect_schema(conn, scope=scope)) == []
                before = {
                    "home": _server_view(conn, home),
                    "other": _server_view(conn, other),
                }
                assert before["other"]["ledger collation"] == "latin1_swedish_ci"
                plan = renderer.render(diff(Schema(), model), Schema())
                conn.exec_driver_sql(f"DROP DATABASE {_q(other)}")
            with target.connect() as conn:
                conn.exec_driver_sql(f"ALTER DATABASE {_q(_name(target))} CHARACTER SET utf8mb4")
                for sql in plan:
                    conn.exec_driver_sql(sql.replace("%", "%%"))
                after = {
                    "home": _server_view(conn, _name(target)),
                    "other": _server_view(conn, other),
                }
                assert after == before
                again = inspect_schema(conn, scope=scope)
                assert diff(again, model) == [] and diff(model, again) == []
        finally:
            with mysql_db.connect() as conn:
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {_q(other)}")


#: A table that says nothing about its character set, and one that states its own.
_FILE_TABLES = (
    "CREATE TABLE people (id int PRIMARY KEY, name varchar(40) NOT NULL, note text);\n"
    "CREATE TABLE codes (code char(3) PRIMARY KEY) COLLATE {codes};\n"
)


@pytest.mark.parametrize("default", ["latin1_swedish_ci", "utf8mb4_unicode_ci"])
def test_a_schema_file_without_collate_means_the_live_databases_default(
    mysql_db: Database, tmp_path: Path, default: str
) -> None:
    """schema.sql is built on a scratch database of the dev server (utf8mb4_general_ci):
    compared with a live database of another default, its tables that name no collation
    take the live one's, as they would there; the one whose COLLATE changes still shows."""
    charset = default.split("_", 1)[0]
    with mysql_db.connect() as conn:
        conn.exec_driver_sql(
            f"ALTER DATABASE {_q(_name(mysql_db))} CHARACTER SET {charset} COLLATE {default}"
        )
        for sql in _FILE_TABLES.format(codes=f"{charset}_general_ci").splitlines():
            conn.exec_driver_sql(sql)
    schema = tmp_path / "schema.sql"
    schema.write_text(_FILE_TABLES.format(codes="utf8mb4_bin"), encoding="utf-8")
    project = Project(tmp_path, mysql_db.url)
    dev = ("--dev-url", MYSQL_URL)
    for sides in (
        ("--from", mysql_db.url, "--to", str(schema)),
        ("--from", str(schema), "--to", mysql_db.url),
    ):
        shown = project.run("diff", *sides, *dev, "--format", "sql")
        assert shown.code == 0, shown.err + shown.out
        assert "`people`" not in shown.out, shown.out
        assert "ALTER TABLE `codes`" in shown.out, shown.out
    # The same from SQLAlchemy models (their scratch database made alike).
    (tmp_path / "models.py").write_text(
        "import sqlalchemy as sa\n"
        "metadata = sa.MetaData()\n"
        "sa.Table('people', metadata,"
        " sa.Column('id', sa.Integer, primary_key=True, autoincrement=False),"
        " sa.Column('name', sa.String(40), nullable=False), sa.Column('note', sa.Text))\n",
        encoding="utf-8",
    )
    models = project.run(
        "diff",
        "--from",
        mysql_db.url,
        "--to",
        "sqlalchemy:models:metadata",
        *dev,
        "--format",
        "sql",
    )
    assert models.code == 0, models.err + models.out
    assert "`people`" not in models.out and "DROP TABLE `codes`" in models.out, models.out
    # What the file says of codes, applied, leaves nothing to do.
    with mysql_db.connect() as conn:
        conn.exec_driver_sql(
            "ALTER TABLE codes CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
        )
    same = project.run("diff", "--from", mysql_db.url, "--to", str(schema), *dev, "--exit-code")
    assert same.code == 0, same.err + same.out


def test_generate_against_a_latin1_database_its_migrations_built_is_no_change(
    mysql_db: Database, tmp_path: Path
) -> None:
    """generate --to the live database: the migrations replayed on the dev server build
    its tables in the live database's default (latin1), so nothing is to do; and a new
    table's migration is verified on a scratch database of that default too."""
    with mysql_db.connect() as conn:
        conn.exec_driver_sql(f"ALTER DATABASE {_q(_name(mysql_db))} CHARACTER SET latin1")
    project = Project(tmp_path, mysql_db.url)
    project.write(
        "1_base.sql",
        sql_migration(
            "CREATE TABLE people (id int PRIMARY KEY, name varchar(40) NOT NULL);",
            "DROP TABLE people;",
        ),
    )
    assert project.run("migrate").code == 0
    dev = ("--dev-url", MYSQL_URL)
    none = project.run("generate", "nothing", "--to", mysql_db.url, *dev)
    assert none.code == 0 and "no changes" in none.out, none.err + none.out
    with mysql_db.connect() as conn:
        conn.exec_driver_sql("CREATE TABLE pets (id int PRIMARY KEY, name varchar(20))")
    made = project.run("generate", "pets", "--to", mysql_db.url, *dev)
    assert made.code == 0, made.err + made.out
    (written,) = project.migrations.glob("*_pets.sql")
    text = written.read_text(encoding="utf-8")
    assert "`people`" not in text and "COLLATE=`latin1_swedish_ci`" in text, text
