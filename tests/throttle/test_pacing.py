"""The pacing: a batch that held writers up halves the latency target and yields; clean
batches grow it back to the ceiling. The signal itself (``Dialect.blocked_writers``) is
measured on the real servers: a writer really queued on a row lock the batch holds."""

from __future__ import annotations

import threading
import time

import pytest

from dbshift.dialects import named
from dbshift.throttle import Pacing, PacingStatus
from dbshift.throttle.pacing import FLOOR
from tests.conftest import Database


def test_a_batch_that_held_writers_up_halves_the_target_and_yields() -> None:
    pacing = Pacing(0.1)
    assert pacing.target() == 0.1
    # Nobody held up: nothing changes at the ceiling, nothing to yield.
    assert pacing.learn(0.1, (0, 0.0)) == 0.0
    assert pacing.target() == 0.1
    # Two writers queued, the longest for 30 ms of a 90 ms batch: yield those 30 ms.
    assert pacing.learn(0.09, (2, 0.03)) == pytest.approx(0.03)
    assert pacing.target() == pytest.approx(0.05)
    # A writer that waited longer than the batch took (it queued behind an earlier
    # holder too) is yielded at most the batch's own time.
    assert pacing.learn(0.02, (1, 0.5)) == pytest.approx(0.02)
    assert pacing.target() == pytest.approx(0.025)
    for _ in range(10):
        pacing.learn(0.02, (1, 0.01))
    assert pacing.target() == FLOOR  # never below the floor
    status = pacing.status()
    assert (status.batches, status.held_batches, status.held_writers) == (13, 12, 13)
    assert status.longest == pytest.approx(0.5)
    assert status.yielded == pytest.approx(0.03 + 0.02 + 10 * 0.01)


def test_clean_batches_grow_the_target_back_to_the_ceiling_and_no_further() -> None:
    pacing = Pacing(0.05)
    pacing.learn(0.05, (3, 0.02))
    pacing.learn(0.025, (1, 0.01))
    assert pacing.target() == pytest.approx(0.0125)
    grown = []
    for _ in range(12):
        pacing.learn(0.01, (0, 0.0))
        grown.append(pacing.target())
    assert grown == sorted(grown)  # a steady climb ...
    assert grown[0] == pytest.approx(0.0125 * 1.2)
    assert grown[-1] == 0.05  # ... that stops at the ceiling


def test_without_a_signal_the_target_stays_fixed() -> None:
    """Where the server cannot say who waits (MySQL 8 here), the target is the ceiling."""
    pacing = Pacing(0.025, adaptive=False)
    assert pacing.learn(0.03, (5, 0.02)) == 0.0
    assert pacing.learn(0.03, None) == 0.0
    assert pacing.target() == 0.025
    assert pacing.status().describe() == "pacing: batches aim at 25 ms (fixed)"


def test_a_resumed_backfill_keeps_what_it_learned_within_todays_bounds() -> None:
    first = Pacing(0.1)
    for _ in range(3):
        first.learn(0.05, (1, 0.04))
    saved = first.status().as_dict()
    assert saved["target"] == pytest.approx(0.0125)
    again = Pacing(0.1, before=PacingStatus.from_dict(saved))
    assert again.target() == pytest.approx(0.0125)
    assert again.status().held_writers == 3 and again.status().batches == 3
    # A lower ceiling today caps what was learned with a higher one.
    lower = Pacing(0.1, before=PacingStatus.from_dict({**saved, "target": 0.08}))
    assert Pacing(0.02, before=lower.status()).target() == 0.02
    text = again.status().describe()
    assert text == (
        "pacing: batches aim at 12 ms (10-100 ms, adaptive); 3 of 3 held 3 writers up, "
        "longest 40 ms; yielded 0.1s"
    )


def test_postgres_counts_the_writers_queued_on_this_transactions_row_locks(
    pg_db: Database,
) -> None:
    engine = pg_db.engine()
    dialect = named("postgresql")
    with engine.connect() as setup:
        setup.exec_driver_sql("CREATE TABLE items (id int PRIMARY KEY, n int NOT NULL)")
        setup.exec_driver_sql("INSERT INTO items SELECT g, 0 FROM generate_series(1, 10) g")
    batch, other = engine.connect(), engine.connect()
    waiters: list[threading.Thread] = []
    try:
        batch.exec_driver_sql("BEGIN")
        batch.exec_driver_sql("UPDATE items SET n = 1 WHERE id <= 5")
        assert dialect.blocked_writers(batch) == (0, 0.0)
        # A lock held by another transaction is not this batch's doing.
        other.exec_driver_sql("BEGIN")
        other.exec_driver_sql("UPDATE items SET n = 2 WHERE id = 9")

        def write(row: int) -> None:
            with engine.connect() as conn:
                conn.exec_driver_sql(f"UPDATE items SET n = n + 10 WHERE id = {row}")

        waiters = [threading.Thread(target=write, args=(row,)) for row in (2, 4, 9)]
        for t in waiters:
            t.start()
        deadline = time.monotonic() + 15
        with engine.connect() as watch:
            while (
                watch.exec_driver_sql(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND datname = current_database()"
                ).scalar()
                < 3
            ):
                assert time.monotonic() < deadline, "the writers never queued"
                time.sleep(0.02)
        time.sleep(0.2)
        writers, longest = dialect.blocked_writers(batch)  # type: ignore[misc]
        # Rows 2 and 4 wait for the batch; row 9 waits for the other transaction.
        assert writers == 2
        assert 0.2 <= longest < 15
    finally:
        batch.exec_driver_sql("COMMIT")
        other.exec_driver_sql("COMMIT")
        for t in waiters:
            t.join()
        batch.close()
        other.close()
        engine.dispose()


def test_mariadb_counts_the_writers_queued_on_this_transactions_row_locks(
    mysql_db: Database,
) -> None:
    """The same on MariaDB (information_schema.INNODB_LOCK_WAITS): without the probe the
    dialect said None and the pacing stayed fixed. InnoDB serves those tables from a copy
    it refreshes only when nobody read it for 0.1 s (``dialects/mysql/load.py``): the
    test waits for its writers reading no more often than that."""
    engine = mysql_db.engine()
    dialect = named("mysql")
    with engine.connect() as setup:
        if not getattr(setup.dialect, "is_mariadb", False):
            # MySQL 8: no INNODB_LOCK_WAITS; performance_schema's is not asked (yet).
            assert dialect.blocked_writers(setup) is None
            engine.dispose()
            return
        setup.exec_driver_sql("CREATE TABLE items (id int PRIMARY KEY, n int NOT NULL)")
        setup.exec_driver_sql("INSERT INTO items SELECT seq, 0 FROM seq_1_to_10")
    batch, other = engine.connect(), engine.connect()
    waiters: list[threading.Thread] = []
    try:
        batch.exec_driver_sql("BEGIN")
        batch.exec_driver_sql("UPDATE items SET n = 1 WHERE id <= 5")
        assert dialect.blocked_writers(batch) == (0, 0.0)
        # A lock held by another transaction is not this batch's doing.
        other.exec_driver_sql("BEGIN")
        other.exec_driver_sql("UPDATE items SET n = 2 WHERE id = 9")

        def write(row: int) -> None:
            with engine.connect() as conn:
                conn.exec_driver_sql(f"UPDATE items SET n = n + 10 WHERE id = {row}")

        waiters = [threading.Thread(target=write, args=(row,)) for row in (2, 4, 9)]
        for t in waiters:
            t.start()
        deadline = time.monotonic() + 15
        with engine.connect() as watch:
            # Read no more often than every 0.1 s, so InnoDB refreshes its copy each time.
            while (
                watch.exec_driver_sql(
                    "SELECT count(*) FROM information_schema.INNODB_TRX t "
                    "JOIN information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id "
                    "WHERE t.trx_state = 'LOCK WAIT' AND p.DB = DATABASE()"
                ).scalar()
                < 3
            ):
                assert time.monotonic() < deadline, "the writers never queued"
                time.sleep(0.15)
        time.sleep(0.2)
        writers, longest = dialect.blocked_writers(batch)  # type: ignore[misc]
        # Rows 2 and 4 wait for the batch; row 9 waits for the other transaction.
        assert writers == 2
        assert 0.2 <= longest < 15
    finally:
        batch.exec_driver_sql("ROLLBACK")
        other.exec_driver_sql("ROLLBACK")
        for t in waiters:
            t.join()
        batch.close()
        other.close()
        engine.dispose()


def test_mariadb_without_the_process_privilege_counts_every_wait_as_the_batchs(
    mysql_db: Database,
) -> None:
    """Without PROCESS, INNODB_LOCK_WAITS is refused (error 1227): the probe said None
    once writers queued, after it had said 0 for the first batches, so ``online status``
    showed the pacing adaptive while the target never shrank. Every current wait now
    counts as the batch's (the cautious side), its length unknown."""
    import uuid

    from sqlalchemy.engine import make_url

    engine = mysql_db.engine()
    dialect = named("mysql")
    with engine.connect() as setup:
        if not getattr(setup.dialect, "is_mariadb", False):
            engine.dispose()
            pytest.skip("MySQL 8 has no INNODB_LOCK_WAITS: its probe says None")
        setup.exec_driver_sql("CREATE TABLE items (id int PRIMARY KEY, n int NOT NULL)")
        setup.exec_driver_sql("INSERT INTO items SELECT seq, 0 FROM seq_1_to_10")
        database = setup.exec_driver_sql("SELECT DATABASE()").scalar_one()
        user = f"dbshift_np_{uuid.uuid4().hex[:8]}"
        setup.exec_driver_sql(f"CREATE USER '{user}'@'%%' IDENTIFIED BY 'np'")
        setup.exec_driver_sql(f"GRANT ALL ON `{database}`.* TO '{user}'@'%%'")
    url = make_url(mysql_db.url).set(username=user, password="np")
    limited = Database("mysql", url.render_as_string(hide_password=False)).engine()
    batch = limited.connect()
    waiter: threading.Thread | None = None
    try:
        batch.exec_driver_sql("BEGIN")
        batch.exec_driver_sql("UPDATE items SET n = 1 WHERE id <= 5")
        assert dialect.blocked_writers(batch) == (0, 0.0)

        def write() -> None:
            with engine.connect() as conn:
                conn.exec_driver_sql("UPDATE items SET n = n + 10 WHERE id = 3")

        waiter = threading.Thread(target=write)
        waiter.start()
        deadline = time.monotonic() + 15
        while True:
            found = dialect.blocked_writers(batch)
            assert found is not None, "the probe gave up: the pacing would stay fixed"
            if found[0] >= 1:
                break
            assert time.monotonic() < deadline, "the writer never queued"
            time.sleep(0.05)
    finally:
        batch.exec_driver_sql("ROLLBACK")
        if waiter is not None:
            waiter.join()
        batch.close()
        limited.dispose()
        with engine.connect() as conn:
            conn.exec_driver_sql(f"DROP USER '{user}'@'%%'")
        engine.dispose()
