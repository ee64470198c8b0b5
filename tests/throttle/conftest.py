"""Session-wide replication set-ups (``tests/throttle/replication.py``): one PostgreSQL
primary + standby and one MariaDB primary + replica, started once for the session's
``replica_lag`` tests and stopped at its end, however the tests end."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import _unavailable
from tests.throttle.replication import (
    Replication,
    mariadb_binaries,
    mariadb_replication,
    postgres_bindir,
    postgres_replication,
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
