"""A table created in the base database after ``online start`` (by a regular migration, say)
is in the MySQL version database once complete has run (issue 17, sharp edges): the
version database that complete leaves for the instances still pointed at it holds a view of
every table, so they can read and write the new table through it. While the migration is
live, ``dbshift migrate``, ``online status`` and ``online refresh`` bring the version
database up to date: a view for each table made since, none for a table dropped."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Database, Project, sql_migration
from tests.online.harness.connect import mysql_connect
from tests.online.harness.drive import cli, execute, query

pytestmark = pytest.mark.mysql
NAME = "20261206_later"
FILE = """safety_period = 0
[[operations]]
type = "alter_column"
table = "items"
column = "note"
data_type = "varchar(40)"
"""


def _tables(url: str, database: str) -> dict[str, str]:
    """The version database's tables and views but the views of dbshift's history tables
    (a database ``migrate`` manages has them, like every other table)."""
    rows = query(
        "mysql",
        url,
        "SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES "
        f"WHERE TABLE_SCHEMA = '{database}' AND TABLE_NAME NOT LIKE 'dbshift\\_history%'",
    )
    return {str(r[0]): str(r[1]) for r in rows}


def test_a_table_created_after_start_is_in_the_version_database_after_complete(
    mysql_db: Database, tmp_path: Path
) -> None:
    execute(
        "mysql",
        mysql_db.url,
        [
            "CREATE TABLE items (id bigint AUTO_INCREMENT PRIMARY KEY, note varchar(20))",
            "INSERT INTO items (note) SELECT concat('n', seq) FROM seq_1_to_100",
        ],
    )
    (tmp_path / f"{NAME}.toml").write_text(FILE, encoding="utf-8")
    project = Project(tmp_path, mysql_db.url)
    version = cli(project, "start", f"{NAME}.toml")["version_schema"]
    execute(
        "mysql",
        mysql_db.url,
        [
            "CREATE TABLE later (id int PRIMARY KEY, what varchar(10))",
            "INSERT INTO later VALUES (1, 'a')",
        ],
    )
    assert "later" not in _tables(mysql_db.url, version)  # as documented, until complete
    assert cli(project, "complete", NAME)["phase"] == "completed"
    assert _tables(mysql_db.url, version) == {"items": "VIEW", "later": "VIEW"}
    with mysql_connect(mysql_db.url, version) as conn:
        cur = conn.cursor()
        cur.execute("INSERT INTO later (id, what) VALUES (2, 'b')")
        cur.execute("SELECT id, what FROM later ORDER BY id")
        assert cur.fetchall() == ((1, "a"), (2, "b"))
    assert query("mysql", mysql_db.url, "SELECT count(*) FROM later") == [(2,)]


def _setup(url: str, tmp_path: Path) -> tuple[Project, str]:
    project = Project(tmp_path, url)
    project.write(
        "0001_items.sql",
        sql_migration(
            "CREATE TABLE items (id bigint AUTO_INCREMENT PRIMARY KEY, note varchar(20));\n"
            "INSERT INTO items (note) SELECT concat('n', seq) FROM seq_1_to_100;"
        ),
    )
    assert project.run("migrate").code == 0
    (tmp_path / f"{NAME}.toml").write_text(FILE, encoding="utf-8")
    return project, cli(project, "start", f"{NAME}.toml")["version_schema"]


def test_migrate_while_live_gives_its_new_table_a_view_in_the_version_database(
    mysql_db: Database, tmp_path: Path
) -> None:
    project, version = _setup(mysql_db.url, tmp_path)
    project.write(
        "0002_later.sql",
        sql_migration(
            "CREATE TABLE later (id int PRIMARY KEY, what varchar(10));\n"
            "INSERT INTO later VALUES (1, 'a');"
        ),
    )
    done = project.run("migrate")
    assert done.code == 0, done.err
    assert _tables(mysql_db.url, version) == {"items": "BASE TABLE", "later": "VIEW"}
    with mysql_connect(mysql_db.url, version) as conn:
        cur = conn.cursor()
        cur.execute("INSERT INTO later (id, what) VALUES (2, 'b')")
        cur.execute("SELECT id, what FROM later ORDER BY id")
        assert cur.fetchall() == ((1, "a"), (2, "b"))
    project.write("0003_gone.sql", sql_migration("DROP TABLE later;"))
    assert project.run("migrate", "--allow-destructive").code == 0
    assert _tables(mysql_db.url, version) == {"items": "BASE TABLE"}
    assert cli(project, "complete", NAME)["phase"] == "completed"
    assert _tables(mysql_db.url, version) == {"items": "VIEW"}


def test_status_and_refresh_follow_tables_made_dropped_and_altered_by_hand(
    mysql_db: Database, tmp_path: Path
) -> None:
    project, version = _setup(mysql_db.url, tmp_path)
    execute("mysql", mysql_db.url, ["CREATE TABLE later (id int PRIMARY KEY)"])
    assert "later" not in _tables(mysql_db.url, version)
    cli(project, "status")
    assert _tables(mysql_db.url, version)["later"] == "VIEW"
    execute(
        "mysql",
        mysql_db.url,
        ["ALTER TABLE later ADD COLUMN what varchar(10)", "INSERT INTO later VALUES (1, 'a')"],
    )
    assert cli(project, "refresh")["changes"] == [f"{version}: view of later made"]
    assert query("mysql", mysql_db.url, f"SELECT id, what FROM `{version}`.later") == [(1, "a")]
    assert cli(project, "refresh")["changes"] == []
    # a view complete prepares under a temporary name is not the user's: left alone
    base = mysql_db.url.rsplit("/", 1)[-1]
    execute(
        "mysql",
        mysql_db.url,
        [
            "DROP TABLE later",
            f"CREATE VIEW `{version}`._dbshift_next_items AS SELECT id FROM `{base}`.items",
        ],
    )
    assert cli(project, "refresh")["changes"] == [f"{version}: view of later dropped"]
    assert _tables(mysql_db.url, version) == {"items": "BASE TABLE", "_dbshift_next_items": "VIEW"}
    text = project.run("online", "refresh")
    assert (text.code, text.out.strip()) == (0, "nothing to refresh")
