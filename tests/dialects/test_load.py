"""``Dialect.load_sample`` reads what the server reports: sessions running a statement,
sessions waiting for a lock, and replica lag only where there is replication."""

from __future__ import annotations

import threading
import time

import pytest

from dbshift.dialects import named
from tests.conftest import Database
from tests.throttle.load import blocked_sessions, sleeping_sessions


def _pg_sleepers(db: Database, sessions: int, seconds: float) -> list[threading.Thread]:
    engine = db.engine()

    def sleep() -> None:
        with engine.connect() as conn:
            conn.exec_driver_sql(f"SELECT pg_sleep({seconds})")

    threads = [threading.Thread(target=sleep) for _ in range(sessions)]
    for t in threads:
        t.start()
    return threads


def test_postgres_counts_running_and_waiting_sessions(pg_db: Database) -> None:
    dialect = named("postgresql")
    engine = pg_db.engine()
    with engine.connect() as conn:
        threads = _pg_sleepers(pg_db, 3, 2.0)
        try:
            for _ in range(100):
                mine = conn.exec_driver_sql(
                    "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(%%' "
                    "AND state = 'active' AND datname = current_database()"
                ).scalar()
                if mine == 3:
                    break
                time.sleep(0.05)
            sample = dialect.load_sample(conn)
        finally:
            for t in threads:
                t.join()
        assert sample["running"] >= 3
        replicated = conn.exec_driver_sql(
            "SELECT pg_is_in_recovery() OR EXISTS (SELECT 1 FROM pg_stat_replication)"
        ).scalar()
    engine.dispose()
    assert ("replica_lag" in sample) == bool(replicated)
    with blocked_sessions(pg_db, 2), engine.connect() as conn:
        assert dialect.load_sample(conn)["lock_waits"] >= 2
    engine.dispose()


@pytest.mark.mysql
def test_mariadb_counts_threads_running_and_row_lock_waits(mysql_db: Database) -> None:
    dialect = named("mysql")
    engine = mysql_db.engine()
    with engine.connect() as conn:
        with sleeping_sessions(mysql_db, 4, 1.5):
            running = dialect.load_sample(conn)["running"]
        with blocked_sessions(mysql_db, 2):
            waits = dialect.load_sample(conn)["lock_waits"]
        replica = conn.exec_driver_sql("SHOW SLAVE STATUS").first()
        sample = dialect.load_sample(conn)
    engine.dispose()
    assert running >= 4
    assert waits >= 2
    assert ("replica_lag" in sample) == (replica is not None)


def test_sqlite_has_no_server_load_to_report(sqlite_db: Database) -> None:
    engine = sqlite_db.engine()
    with engine.connect() as conn:
        assert named("sqlite").load_sample(conn) == {}
    engine.dispose()
    assert named("sqlite").load_metrics == frozenset()
    assert named("postgresql").load_metrics == named("mysql").load_metrics
