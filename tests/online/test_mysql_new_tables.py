"""A table created in the base database after ``online start`` (by a regular migration, say)
is in the MySQL version database once complete has run (issue 17, sharp edges): the
version database that complete leaves for the instances still pointed at it holds a view of
every table, so they can read and write the new table through it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Database, Project
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
    rows = query(
        "mysql",
        url,
        "SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES "
        f"WHERE TABLE_SCHEMA = '{database}'",
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
