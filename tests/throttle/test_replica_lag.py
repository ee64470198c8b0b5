"""``replica_lag`` against real replicas: a PostgreSQL standby whose replay is paused, a
MariaDB replica whose SQL thread is stopped or blocked on a row lock. The metric reads 0
while the replica keeps up, rises past the thresholds while it is stalled, and falls back
when it replays again; the throttle waits, pauses and stops (``ServerOverloaded``)
accordingly. Set-ups: ``tests/throttle/replication.py``."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from dbshift.dialects import named
from dbshift.errors import ServerOverloaded, UsageError
from dbshift.throttle import Thresholds, Throttle, ThrottleStatus
from tests.conftest import Database
from tests.throttle.load import CEILING
from tests.throttle.replication import Replication, _free_port, mariadb_caught_up, wait_until

#: Far above anything the throwaway servers reach: only replica_lag decides.
HIGH = {"running": 10_000.0, "lock_waits": 10_000.0}


@contextmanager
def _throttle(
    setup: Replication, seen: list[ThrottleStatus] | None = None, **levels: Any
) -> Iterator[Throttle]:
    """A throttle probing the primary (as the backfill's does), told about its replicas
    when ``levels`` has ``replicas``."""

    def report(status: ThrottleStatus) -> None:
        if seen is not None:
            seen.append(ThrottleStatus.from_dict(status.as_dict()))

    with setup.engine("primary").connect() as conn:
        throttle = Throttle(named(setup.backend), conn, Thresholds(**levels), report=report)
        try:
            yield throttle
        finally:
            throttle.close()


# -- PostgreSQL ---------------------------------------------------------------------------


def _pg_write(setup: Replication) -> None:
    setup.run("primary", "CREATE TABLE IF NOT EXISTS h_lag (n int)", "INSERT INTO h_lag VALUES (1)")


def _pg_replayed(setup: Replication) -> bool:
    """The primary has heard from the standby that all it was sent is replayed."""
    return bool(
        setup.run(
            "primary",
            "SELECT bool_and(replay_lsn >= pg_current_wal_lsn()) FROM pg_stat_replication",
        )[0]
    )


@contextmanager
def _pg_paused(setup: Replication) -> Iterator[None]:
    """Replay paused on the standby (WAL still arrives), resumed however the test ends."""
    setup.run("replica", "SELECT pg_wal_replay_pause()")
    try:
        yield
    finally:
        setup.run("replica", "SELECT pg_wal_replay_resume()")
        wait_until(lambda: _pg_replayed(setup), "the standby catching up")


def _lag(setup: Replication, which: str) -> float | None:
    with setup.engine(which).connect() as conn:
        return named("postgresql").load_sample(conn).get("replica_lag")


def test_pg_a_standby_that_keeps_up_reads_no_lag(pg_replication: Replication) -> None:
    _pg_write(pg_replication)
    wait_until(lambda: _pg_replayed(pg_replication), "the standby replaying the write")
    # Seconds, on both sides: the primary's view of its standby, the standby's own.
    assert _lag(pg_replication, "primary") == 0.0
    assert _lag(pg_replication, "replica") == 0.0
    with _throttle(
        pg_replication,
        max_load={**HIGH, "replica_lag": 1.0},
        replicas=(pg_replication.replica_url,),
    ) as throttle:
        assert throttle.wait() == 0.0
        assert throttle.status().replicas == {pg_replication.replica_url: 0.0}


def test_pg_a_paused_standby_throttles_the_primary_until_it_replays(
    pg_replication: Replication,
) -> None:
    """Seen from the primary alone (pg_stat_replication), as a backfill sees it: the
    primary hears of the stall with the standby's next status message (every second
    here), so the probe that throttles is one a batch or so after the write."""
    seen: list[ThrottleStatus] = []
    with _pg_paused(pg_replication):
        _pg_write(pg_replication)
        wait_until(lambda: (_lag(pg_replication, "primary") or 0.0) >= 1.0, "the lag building up")
        with _throttle(pg_replication, seen, max_load={**HIGH, "replica_lag": 1.0}) as throttle:
            resume = threading.Timer(
                2.0, lambda: pg_replication.run("replica", "SELECT pg_wal_replay_resume()")
            )
            resume.start()
            began = time.monotonic()
            try:
                waited = throttle.wait()
            finally:
                resume.cancel()
            elapsed = time.monotonic() - began
    # It waited for the standby, and went on once the standby said it had replayed
    # everything (its next status message after the resume, within a second here).
    assert 1.5 <= waited <= elapsed < CEILING
    assert seen[0].state == "throttled" and seen[0].reason.startswith("replica_lag ")
    assert seen[0].sample["replica_lag"] >= 1.0
    assert seen[-1].state == "running" and seen[-1].sample["replica_lag"] == 0.0


def test_pg_a_standby_that_replayed_everything_reads_zero_on_the_primary(
    pg_replication: Replication,
) -> None:
    """After a stall, the standby's first status message saying "all replayed" still
    carries the stall as replay_lag (PostgreSQL clears it one message later, 2 x
    wal_receiver_status_interval after the resume: 20 s by default). Caught up is 0."""
    with _pg_paused(pg_replication):
        _pg_write(pg_replication)
        wait_until(lambda: (_lag(pg_replication, "primary") or 0.0) >= 1.5, "the lag building up")
        pg_replication.run("replica", "SELECT pg_wal_replay_resume()")
        wait_until(lambda: _pg_replayed(pg_replication), "the standby reporting it replayed all")
        assert _lag(pg_replication, "primary") == 0.0


def test_pg_a_listed_standby_stops_a_critical_run_with_server_overloaded(
    pg_replication: Replication,
) -> None:
    """Listed in ``replicas``, the standby's own delay counts at once (no status message
    to wait for), and a critical level held past critical_timeout stops the run."""
    seen: list[ThrottleStatus] = []
    with _pg_paused(pg_replication):
        _pg_write(pg_replication)
        # The premise: the standby holds the write unreplayed. Until its WAL arrives it
        # is caught up by its own account (CI once probed it first, and nothing stopped).
        wait_until(
            lambda: (_lag(pg_replication, "replica") or 0.0) >= 0.5, "the standby falling behind"
        )
        with _throttle(
            pg_replication,
            seen,
            critical_load={**HIGH, "replica_lag": 0.5},
            critical_timeout=1.0,
            replicas=(pg_replication.replica_url,),
        ) as throttle:
            began = time.monotonic()
            with pytest.raises(ServerOverloaded, match=r"critical load: replica_lag \S+ >= 0.5"):
                throttle.wait()
            elapsed = time.monotonic() - began
    assert 1.0 <= elapsed < CEILING
    assert seen[0].state == "paused" and seen[-1].state == "stopped"
    assert f"127.0.0.1:{pg_replication.replica_url.split(':')[-1].split('/')[0]}" in seen[-1].reason
    assert seen[-1].replicas[pg_replication.replica_url] >= 0.5


def test_pg_a_restarted_standby_behind_before_any_replayed_commit_is_infinitely_behind(
    pg_replication: Replication,
) -> None:
    """A standby restarted from a restartpoint has replayed no transaction yet: its
    pg_last_xact_replay_timestamp() is NULL. Caught up, it reads 0 (its receive position
    restarts at a segment boundary, below the replay position); behind, the delay is
    unknown and reads infinite, never a missing metric that no threshold can reach."""
    _pg_write(pg_replication)
    pg_replication.run("primary", "CHECKPOINT")
    wait_until(lambda: _pg_replayed(pg_replication), "the standby replaying the checkpoint")
    pg_replication.run("replica", "CHECKPOINT")
    pg_replication.restart_replica()
    assert pg_replication.run("replica", "SELECT pg_last_xact_replay_timestamp()") == [None]
    wait_until(lambda: _pg_replayed(pg_replication), "the standby streaming again")
    assert _lag(pg_replication, "replica") == 0.0
    with _pg_paused(pg_replication):
        _pg_write(pg_replication)
        wait_until(
            lambda: bool(
                pg_replication.run(
                    "replica", "SELECT pg_last_wal_receive_lsn() > pg_last_wal_replay_lsn()"
                )[0]
            ),
            "the standby receiving the write",
        )
        assert _lag(pg_replication, "replica") == float("inf")
    assert _lag(pg_replication, "replica") == 0.0


def test_pg_a_primary_without_standbys_has_no_lag_and_does_not_wait(
    pg_db: Database,
) -> None:
    """The shared test server has no standby: no replica_lag in the sample, and a
    replica_lag threshold lets batches go (a standby connecting later would count)."""
    with pg_db.connect() as conn:
        throttle = Throttle(
            named("postgresql"), conn, Thresholds(max_load={**HIGH, "replica_lag": 1.0})
        )
        assert throttle.wait() == 0.0
        assert "replica_lag" not in throttle.status().sample


# -- MariaDB ------------------------------------------------------------------------------


def _my_table(setup: Replication) -> None:
    setup.run("primary", "CREATE TABLE IF NOT EXISTS h_lag (id int PRIMARY KEY AUTO_INCREMENT)")
    wait_until(lambda: mariadb_caught_up(setup), "the replica creating the table")


def _my_lag(setup: Replication) -> float:
    with setup.engine("replica").connect() as conn:
        return named("mysql").load_sample(conn)["replica_lag"]


def test_mysql_a_primary_cannot_see_its_replicas_lag(mysql_replication: Replication) -> None:
    """Connected to a primary, SHOW REPLICA STATUS says nothing: a replica_lag threshold
    would never be reached. Without replicas listed, that is said at the first probe."""
    with (
        _throttle(mysql_replication, max_load={**HIGH, "replica_lag": 1.0}) as throttle,
        pytest.raises(UsageError, match=r"replica_lag .* \[throttle\] replicas"),
    ):
        throttle.wait()


def test_mysql_a_replica_that_keeps_up_reads_no_lag(mysql_replication: Replication) -> None:
    _my_table(mysql_replication)
    replica = mysql_replication.replica_url
    with _throttle(
        mysql_replication, max_load={**HIGH, "replica_lag": 1.0}, replicas=(replica,)
    ) as throttle:
        assert throttle.wait() == 0.0
        assert throttle.status().sample["replica_lag"] == 0.0
        assert throttle.status().replicas == {replica: 0.0}


def test_mysql_a_blocked_replica_throttles_until_it_applies(
    mysql_replication: Replication,
) -> None:
    """The replica's SQL thread waits for a row lock a session on the replica holds:
    Seconds_Behind_Master grows second by second; the throttle waits until the lock goes
    and the replica has applied the write."""
    _my_table(mysql_replication)
    seen: list[ThrottleStatus] = []
    with mysql_replication.engine("replica").connect() as blocker:
        blocker.exec_driver_sql("BEGIN")
        blocker.exec_driver_sql("SELECT * FROM h_lag FOR UPDATE")  # locks the gaps too
        release = threading.Timer(2.0, lambda: blocker.exec_driver_sql("COMMIT"))
        try:
            mysql_replication.run("primary", "INSERT INTO h_lag VALUES ()")
            wait_until(lambda: _my_lag(mysql_replication) >= 2.0, "the lag building up")
            with _throttle(
                mysql_replication,
                seen,
                max_load={**HIGH, "replica_lag": 2.0},
                replicas=(mysql_replication.replica_url,),
            ) as throttle:
                release.start()
                began = time.monotonic()
                waited = throttle.wait()
                elapsed = time.monotonic() - began
        finally:
            release.cancel()
            release.join()
            blocker.exec_driver_sql("ROLLBACK")
    assert 1.5 <= waited <= elapsed < CEILING
    throttled = [s for s in seen if s.state == "throttled"]
    assert throttled and throttled[0].reason.startswith("replica_lag ")
    port = mysql_replication.replica_url.split(":")[-1].split("/")[0]
    assert throttled[0].reason.endswith(f">= 2 (127.0.0.1:{port})")
    # A finite lag, counted in seconds, that grew while the replica was blocked.
    lags = [s.sample["replica_lag"] for s in throttled]
    assert all(2.0 <= lag < 60.0 for lag in lags) and lags[-1] > lags[0]
    assert seen[-1].state == "running" and seen[-1].sample["replica_lag"] < 2.0


def test_mysql_a_stopped_replica_is_infinitely_behind_and_stops_a_critical_run(
    mysql_replication: Replication,
) -> None:
    _my_table(mysql_replication)
    seen: list[ThrottleStatus] = []
    mysql_replication.run("replica", "STOP SLAVE SQL_THREAD")
    try:
        mysql_replication.run("primary", "INSERT INTO h_lag VALUES ()")
        with (
            _throttle(
                mysql_replication,
                seen,
                critical_load={**HIGH, "replica_lag": 5.0},
                critical_timeout=1.0,
                replicas=(mysql_replication.replica_url,),
            ) as throttle,
            pytest.raises(ServerOverloaded, match=r"critical load: replica_lag inf >= 5"),
        ):
            throttle.wait()
    finally:
        mysql_replication.run("replica", "START SLAVE SQL_THREAD")
    assert seen[0].state == "paused" and seen[-1].state == "stopped"
    # Replication running again: the same thresholds let the batch go.
    wait_until(lambda: mariadb_caught_up(mysql_replication), "the replica catching up")
    with _throttle(
        mysql_replication,
        critical_load={**HIGH, "replica_lag": 5.0},
        critical_timeout=1.0,
        replicas=(mysql_replication.replica_url,),
    ) as throttle:
        assert throttle.wait() == 0.0


def test_an_unreachable_replica_counts_as_infinitely_behind(
    mysql_replication: Replication,
) -> None:
    gone = f"mysql://root@127.0.0.1:{_free_port(34306)}/dbshift_replicated"
    with _throttle(
        mysql_replication,
        max_load={**HIGH, "replica_lag": 1.0},
        # The primary listed by mistake: it has no replica status of its own.
        replicas=(mysql_replication.replica_url, gone, mysql_replication.primary_url),
    ) as throttle:
        probes: list[float] = []
        throttle.wait(stop=lambda: len(probes) >= 1 or bool(probes.append(0.0)))
        status = throttle.status()
    assert status.state == "throttled"
    assert status.reason.startswith("replica_lag inf >= 1 (127.0.0.1:")
    assert "unreachable" in status.reason
    assert status.replicas[gone] == float("inf")
    assert status.replicas[mysql_replication.primary_url] == float("inf")
    assert status.replicas[mysql_replication.replica_url] < 1.0
