"""Real load on the test servers, for the throttle's tests: sessions blocked on a row lock
(PostgreSQL: ``wait_event_type = 'Lock'``; MariaDB: ``Innodb_row_lock_current_waits``) and
sessions sleeping in a statement (MariaDB: ``Threads_running``). Never a mocked probe."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.conftest import Database

# A wait that should end once its cause goes away must end before this, or the throttle
# missed the change. It bounds "never", not speed: a loaded machine (load 17) took past the old
# tight bounds (1-4 s over the release) while the throttle was right. Speed is for bench/.
CEILING = 60.0


class Load:
    """Load that lasts until ``release()`` (or the end of the ``with`` block)."""

    def __init__(self) -> None:
        self.released = threading.Event()
        self.threads: list[threading.Thread] = []

    def release(self) -> None:
        self.released.set()

    def release_after(self, seconds: float) -> None:
        threading.Timer(seconds, self.release).start()


def _wait_until(check: Any, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("the test load did not build up in time")
        time.sleep(0.05)


@contextmanager
def blocked_sessions(db: Database, sessions: int) -> Iterator[Load]:
    """``sessions`` connections each waiting for a row lock one more connection holds,
    until the load is released (the holder commits; the waiters then finish)."""
    engine = db.engine()
    holder = engine.connect()
    holder.exec_driver_sql("CREATE TABLE h_throttle_lock (id int PRIMARY KEY, n int)")
    holder.exec_driver_sql("INSERT INTO h_throttle_lock VALUES (1, 0)")
    holder.exec_driver_sql("BEGIN")
    holder.exec_driver_sql("UPDATE h_throttle_lock SET n = n + 1 WHERE id = 1")
    load = Load()
    started = threading.Barrier(sessions + 1)

    def wait_for_lock() -> None:
        with engine.connect() as conn:
            started.wait()
            conn.exec_driver_sql("UPDATE h_throttle_lock SET n = n + 1 WHERE id = 1")

    load.threads = [threading.Thread(target=wait_for_lock) for _ in range(sessions)]

    def release_when_told() -> None:
        load.released.wait()
        holder.exec_driver_sql("COMMIT")

    releaser = threading.Thread(target=release_when_told)
    releaser.start()
    try:
        for t in load.threads:
            t.start()
        started.wait(timeout=15)
        _wait_until(lambda: _waiting(db, engine) >= sessions)
        yield load
    finally:
        # Released however the test ends: a holder left open would block the fixture's
        # DROP DATABASE for ever.
        load.release()
        releaser.join()
        for t in load.threads:
            t.join()
        holder.close()
        engine.dispose()


def _waiting(db: Database, engine: Any) -> int:
    """Sessions of this database waiting for a lock now."""
    if db.backend == "postgresql":
        sql = (
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND datname = current_database()"
        )
    else:
        sql = "SELECT count(*) FROM information_schema.INNODB_TRX WHERE trx_state = 'LOCK WAIT'"
    with engine.connect() as conn:
        return int(conn.exec_driver_sql(sql).scalar())


@contextmanager
def sleeping_sessions(db: Database, sessions: int, seconds: float) -> Iterator[Load]:
    """``sessions`` MariaDB connections each running ``SELECT SLEEP(seconds)``: each counts
    in ``Threads_running`` for that long (the load releases itself)."""
    engine = db.engine()
    load = Load()
    started = threading.Barrier(sessions + 1)

    def sleep() -> None:
        with engine.connect() as conn:
            started.wait()
            conn.exec_driver_sql(f"SELECT SLEEP({seconds})")

    load.threads = [threading.Thread(target=sleep) for _ in range(sessions)]
    for t in load.threads:
        t.start()
    started.wait()
    with engine.connect() as conn:
        _wait_until(
            lambda: (
                int(
                    conn.exec_driver_sql(
                        "SELECT count(*) FROM information_schema.PROCESSLIST "
                        "WHERE LEFT(INFO, 13) = 'SELECT SLEEP('"
                    ).scalar()
                )
                >= sessions
            )
        )
    try:
        yield load
    finally:
        for t in load.threads:
            t.join()
        engine.dispose()
