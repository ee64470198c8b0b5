"""The MySQL/MariaDB table and connections the online safety and integrity tests share.
Each operation under load (the new version's writers running through complete, across the
RENAME cut-over), with the catalog judged after complete and after rollback, is
tests/online/harness/."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import Database
from tests.online.harness import ROWS, TABLE
from tests.online.harness.connect import mysql_connect

pytestmark = pytest.mark.mysql

SETUP = [
    f"CREATE TABLE {TABLE} (id bigint AUTO_INCREMENT PRIMARY KEY, code varchar(64) NOT NULL, "
    "note varchar(200), qty int NOT NULL DEFAULT 0)",
    f"INSERT INTO {TABLE} (code, note, qty) SELECT concat('c', seq), concat('n', seq), "
    f"seq % 100 FROM seq_1_to_{ROWS}",
]


def connector(url: str, database: str | None = None) -> Callable[[], Any]:
    return lambda: mysql_connect(url, database)


def drop_version_databases(url: str) -> None:
    """The version databases (``<database>_<migration>``) migrations left behind."""
    with connector(url)() as conn:
        cur = conn.cursor()
        cur.execute(
            "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE %s",
            [url.rsplit("/", 1)[-1] + "\\_%"],
        )
        for (name,) in cur.fetchall():
            cur.execute(f"DROP DATABASE `{name}`")


def query(db: Database, sql: str) -> list[tuple[Any, ...]]:
    with connector(db.url)() as conn:
        cur = conn.cursor()
        cur.execute(sql)
        return list(cur.fetchall())


def setup(db: Database, extra: str = "") -> None:
    with connector(db.url)() as conn:
        cur = conn.cursor()
        for sql in [*SETUP, *[s for s in extra.split(";") if s.strip()]]:
            cur.execute(sql)
