"""The integrity cases of issue 17 on MariaDB: alter_column keeps the column's unique and
other indexes, default, nullability and comment through the shadow copy; a name an
operation would create that already exists is refused before anything changes; rollback
leaves the table as it was. Judged from information_schema, against the same change made
with plain DDL in a scratch database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pymysql
import pytest

from dbshift.config import Settings
from dbshift.errors import UsageError
from dbshift.online import service
from tests.conftest import Database, scratch_database
from tests.online.harness import Quiet, options, write_migration
from tests.online.test_mysql_online import connector, drop_version_databases

pytestmark = pytest.mark.mysql
NAME = "20261126_change"

USERS = [
    "CREATE TABLE users (id bigint AUTO_INCREMENT PRIMARY KEY, team int, "
    "email varchar(200) NOT NULL DEFAULT 'nobody@example.com' COMMENT 'where we write', "
    "plan varchar(20) NOT NULL DEFAULT 'basic', UNIQUE KEY users_email_key (email), "
    "KEY users_team_email_idx (team, email), "
    "CONSTRAINT users_email_shape CHECK (email LIKE '%@%'))",
    "INSERT INTO users (team, email) SELECT seq % 3, concat('User', seq, '@Example.com') "
    "FROM seq_1_to_500",
]

EMAIL = """safety_period = 0
[[operations]]
type = "alter_column"
table = "users"
column = "email"
data_type = "varchar(255)"
up = "lower(email)"
down = "email"
"""


def _run(url: str, *statements: str) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    with connector(url)() as conn:
        cur = conn.cursor()
        for sql in statements:
            cur.execute(sql)
            out = list(cur.fetchall())
    return out


def snapshot(url: str, table: str) -> dict[str, Any]:
    where = f"TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '{table}'"
    return {
        "columns": sorted(
            _run(
                url,
                "SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA, "
                f"COLUMN_COMMENT FROM information_schema.COLUMNS WHERE {where}",
            )
        ),
        "order": _run(
            url,
            f"SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE {where} "
            "ORDER BY ORDINAL_POSITION",
        ),
        "indexes": sorted(
            _run(
                url,
                "SELECT INDEX_NAME, SEQ_IN_INDEX, COLUMN_NAME, NON_UNIQUE FROM "
                f"information_schema.STATISTICS WHERE {where}",
            )
        ),
        "checks": sorted(
            _run(
                url,
                "SELECT CONSTRAINT_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS "
                f"WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = '{table}'",
            )
        ),
        "triggers": _run(
            url,
            "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS "
            "WHERE TRIGGER_SCHEMA = DATABASE()",
        ),
    }


@pytest.fixture
def db(mysql_db: Database) -> Iterator[Database]:
    _run(mysql_db.url, *USERS)
    yield mysql_db
    drop_version_databases(mysql_db.url)


def _offline(tmp_path: Path, ddl: list[str]) -> dict[str, Any]:
    with scratch_database("mysql", tmp_path / "judge") as judge:
        _run(judge.url, *USERS, *ddl)
        return snapshot(judge.url, "users")


def test_alter_column_keeps_indexes_default_nullability_and_comment(
    db: Database, tmp_path: Path
) -> None:
    settings = Settings(url=db.url, lock_timeout=30)
    path = write_migration(tmp_path, NAME, EMAIL)
    service.start(path, settings, options(), Quiet())
    service.complete(NAME, settings, options(), Quiet(), schema="public", force=True)
    wanted = _offline(
        tmp_path,
        [
            "ALTER TABLE users MODIFY email varchar(255) NOT NULL "
            "DEFAULT 'nobody@example.com' COMMENT 'where we write'"
        ],
    )
    assert snapshot(db.url, "users") == wanted  # MariaDB keeps the column order too
    with pytest.raises(pymysql.err.IntegrityError):
        _run(db.url, "INSERT INTO users (email) VALUES ('user7@example.com')")


def test_rollback_leaves_the_table_as_it_was(db: Database, tmp_path: Path) -> None:
    before = snapshot(db.url, "users")
    settings = Settings(url=db.url, lock_timeout=30)
    body = (
        EMAIL + '\n[[operations]]\ntype = "add_unique"\ntable = "users"\nname = "users_plan_team"\n'
        'columns = ["team", "id"]\n'
    )
    path = write_migration(tmp_path, NAME, body)
    service.start(path, settings, options(), Quiet())
    service.rollback(NAME, settings, options(), Quiet(), schema="public")
    assert snapshot(db.url, "users") == before


@pytest.mark.parametrize("name", ["users_team_email_idx", "users_email_key", "users_email_shape"])
def test_a_taken_name_is_refused_before_anything_changes(
    db: Database, tmp_path: Path, name: str
) -> None:
    before = snapshot(db.url, "users")
    body = (
        'safety_period = 0\n[[operations]]\ntype = "add_unique"\ntable = "users"\n'
        f'name = "{name}"\ncolumns = ["plan"]\n'
    )
    path = write_migration(tmp_path, NAME, body)
    settings = Settings(url=db.url, lock_timeout=30)
    with pytest.raises(UsageError, match=f"named '{name}' already exists on 'users'"):
        service.start(path, settings, options(), Quiet())
    assert snapshot(db.url, "users") == before
    assert _run(db.url, "SELECT count(*) FROM dbshift_online") == [(0,)]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            'column = "plan"\ndefault = "basic"\n',
            "default is not a valid SQL expression here: (1054, \"Unknown column 'basic'",
        ),
        ('column = "plan"\nup = "upper(nope)"\n', "up is not a valid SQL expression here"),
    ],
    ids=["default-identifier", "up-unknown-column"],
)
def test_expressions_are_checked_before_anything_changes(
    db: Database, tmp_path: Path, body: str, message: str
) -> None:
    before = snapshot(db.url, "users")
    text = 'safety_period = 0\n[[operations]]\ntype = "alter_column"\ntable = "users"\n' + body
    path = write_migration(tmp_path, NAME, text)
    settings = Settings(url=db.url, lock_timeout=30)
    with pytest.raises(UsageError, match=message.replace("(", r"\(")):
        service.start(path, settings, options(), Quiet())
    assert snapshot(db.url, "users") == before
    assert _run(db.url, "SELECT count(*) FROM dbshift_online") == [(0,)]
