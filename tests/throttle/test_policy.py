"""The throttle waits, pauses and stops under real load on the real servers: sessions
blocked on a row lock, sessions sleeping in a statement. Never a mocked probe."""

from __future__ import annotations

import time

import pytest

from dbshift.dialects import named
from dbshift.errors import ServerOverloaded
from dbshift.throttle import Thresholds, Throttle, ThrottleStatus
from tests.conftest import Database
from tests.throttle.load import CEILING, blocked_sessions, sleeping_sessions

#: Far above anything the shared test servers reach: only the metric under test decides.
HIGH = {"running": 10_000.0, "lock_waits": 10_000.0}


def _throttle(
    db: Database, conn: object, seen: list[tuple[str, str]], **levels: object
) -> Throttle:
    def report(status: ThrottleStatus) -> None:
        seen.append((status.state, status.reason))

    return Throttle(
        named(db.backend),
        conn,  # type: ignore[arg-type]
        Thresholds(**levels),  # type: ignore[arg-type]
        report=report,
    )


@pytest.mark.parametrize("backend", ["postgresql", "mysql"])
def test_below_every_threshold_a_batch_goes_at_once(
    backend: str, request: pytest.FixtureRequest
) -> None:
    db: Database = request.getfixturevalue("pg_db" if backend == "postgresql" else "mysql_db")
    seen: list[tuple[str, str]] = []
    engine = db.engine()
    with engine.connect() as conn:
        throttle = _throttle(db, conn, seen, max_load=HIGH, critical_load=HIGH)
        assert throttle.wait() == 0.0
        # It did ask the server: the sample has the server's metrics.
        assert {"running", "lock_waits"} <= set(throttle.status().sample)
    engine.dispose()
    assert seen == []


@pytest.mark.parametrize("backend", ["postgresql", "mysql"])
def test_lock_waiters_hold_batches_back_until_they_are_gone(
    backend: str, request: pytest.FixtureRequest
) -> None:
    db: Database = request.getfixturevalue("pg_db" if backend == "postgresql" else "mysql_db")
    seen: list[tuple[str, str]] = []
    engine = db.engine()
    with blocked_sessions(db, 4) as load, engine.connect() as conn:
        throttle = _throttle(db, conn, seen, max_load={**HIGH, "lock_waits": 4})
        load.release_after(1.5)
        began = time.monotonic()
        waited = throttle.wait()
        elapsed = time.monotonic() - began
    engine.dispose()
    # It waited for the release (not less), and noticed the end of it within one probe
    # interval (2 s at most) plus the waiters' own finishing.
    assert 1.2 <= waited <= elapsed < CEILING
    assert seen[0][0] == "throttled"
    assert seen[0][1].startswith("lock_waits ") and seen[0][1].endswith(" >= 4")
    assert seen[-1] == ("running", "")
    status = throttle.status()
    assert status.waits == 1 and status.waited == pytest.approx(waited)


@pytest.mark.parametrize("backend", ["postgresql", "mysql"])
def test_critical_load_pauses_then_stops_after_the_timeout(
    backend: str, request: pytest.FixtureRequest
) -> None:
    db: Database = request.getfixturevalue("pg_db" if backend == "postgresql" else "mysql_db")
    seen: list[tuple[str, str]] = []
    engine = db.engine()
    with blocked_sessions(db, 3), engine.connect() as conn:
        throttle = _throttle(
            db, conn, seen, critical_load={**HIGH, "lock_waits": 3}, critical_timeout=1.0
        )
        began = time.monotonic()
        with pytest.raises(ServerOverloaded, match=r"critical load: lock_waits \d+ >= 3"):
            throttle.wait()
        elapsed = time.monotonic() - began
    engine.dispose()
    assert 1.0 <= elapsed < CEILING
    assert [state for state, _ in seen][:1] == ["paused"]
    assert seen[-1][0] == "stopped"
    assert ServerOverloaded.exit_code == 3


def test_a_critical_spike_shorter_than_the_timeout_only_pauses(pg_db: Database) -> None:
    seen: list[tuple[str, str]] = []
    engine = pg_db.engine()
    with blocked_sessions(pg_db, 3) as load, engine.connect() as conn:
        throttle = _throttle(
            pg_db, conn, seen, critical_load={**HIGH, "lock_waits": 3}, critical_timeout=30.0
        )
        load.release_after(1.0)
        waited = throttle.wait()
    engine.dispose()
    assert 0.8 <= waited < CEILING
    assert seen[0][0] == "paused" and seen[-1] == ("running", "")


def test_threads_running_throttles_on_mariadb(mysql_db: Database) -> None:
    """gh-ost's own example: Threads_running, raised by sessions inside SELECT SLEEP()."""
    seen: list[tuple[str, str]] = []
    engine = mysql_db.engine()
    with engine.connect() as conn, sleeping_sessions(mysql_db, 6, 2.0):
        throttle = _throttle(mysql_db, conn, seen, max_load={**HIGH, "running": 6})
        began = time.monotonic()
        waited = throttle.wait()
        elapsed = time.monotonic() - began
        sample = throttle.status().sample
    engine.dispose()
    assert waited > 0.5 and elapsed < CEILING
    assert seen[0][0] == "throttled" and seen[0][1].startswith("running ")
    assert sample["running"] < 6  # what let the batch go: the sleepers were done


def test_stop_ends_a_wait_early(pg_db: Database) -> None:
    """``online pause`` must not wait for the load to drop: the backfill asks ``stop``."""
    seen: list[tuple[str, str]] = []
    engine = pg_db.engine()
    with blocked_sessions(pg_db, 2), engine.connect() as conn:
        throttle = _throttle(pg_db, conn, seen, max_load={**HIGH, "lock_waits": 2})
        asked: list[float] = []

        def stop() -> bool:
            asked.append(time.monotonic())
            return len(asked) >= 3

        waited = throttle.wait(stop=stop)
    engine.dispose()
    assert len(asked) == 3 and 0.0 < waited < CEILING
    assert throttle.status().state == "throttled"


@pytest.mark.parametrize("backend", ["postgresql", "mysql"])
def test_nice_ratio_sleeps_after_each_batch(backend: str, request: pytest.FixtureRequest) -> None:
    db: Database = request.getfixturevalue("pg_db" if backend == "postgresql" else "mysql_db")
    engine = db.engine()
    with engine.connect() as conn:
        throttle = _throttle(db, conn, [], nice_ratio=2.0)
        began = time.monotonic()
        assert throttle.pace(0.2) == pytest.approx(0.4)
        assert time.monotonic() - began >= 0.4
    engine.dispose()
