"""Session-wide replication set-ups (``tests/throttle/replication.py``): one PostgreSQL
primary + standby and one MariaDB primary + replica, started once for the session's
``replica_lag`` tests and stopped at its end, however the tests end."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import make_url

from tests.conftest import Database, _unavailable
from tests.throttle.replication import (
    Replication,
    mariadb_binaries,
    mariadb_caught_up,
    mariadb_replication,
    postgres_bindir,
    postgres_replication,
    wait_until,
)


@pytest.fixture(scope="session")
def pg_replication() -> Iterator[Replication]:
    bindir = postgres_bindir()
    if bindir is None:
        _unavailable("postgresql", "no initdb / pg_ctl / pg_basebackup to build a standby")
    assert bindir is not None
    with postgres_replication(bindir) as setup:
        yield setup


@pytest.fixture(scope="session")
def mysql_replication() -> Iterator[Replication]:
    found = mariadb_binaries()
    if found is None:
        _unavailable("mysql", "no mariadbd / mariadb-install-db to build a replica")
    assert found is not None
    with mariadb_replication(*found) as setup:
        yield setup


@pytest.fixture
def primary_db(mysql_replication: Replication) -> Iterator[tuple[Database, str]]:
    """A fresh database on the primary (replicated), and its URL on the replica."""
    name = f"h_replica_{uuid.uuid4().hex[:10]}"
    mysql_replication.run("primary", f"CREATE DATABASE {name}")
    wait_until(lambda: mariadb_caught_up(mysql_replication), "the replica creating the database")

    def on(url: str) -> str:
        return make_url(url).set(database=name).render_as_string(hide_password=False)

    try:
        yield (
            Database("mysql", on(mysql_replication.primary_url)),
            on(mysql_replication.replica_url),
        )
    finally:
        mysql_replication.run("replica", "START SLAVE SQL_THREAD")
        mysql_replication.run("primary", f"DROP DATABASE IF EXISTS {name}")
