"""The PostgreSQL backfill under writers that hold row locks: every row is still
backfilled (the batches wait for the writers' locks, never skip a row), the pacing sees
the writers its batches held up and shows them in ``online status``, and complete's
verification passes. Real sessions on the real server, never a mocked probe."""

from __future__ import annotations

import json
import random
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import Database, Project
from tests.online.test_mysql_online import drop_version_databases

NAME = "20261206000000_qty_bigint"
FILE = """safety_period = 0

[[operations]]
type = "alter_column"
table = "items"
column = "qty"
data_type = "bigint"
not_null = true
"""
ROWS = 20_000


class Lockers:
    """Sessions that each, again and again, lock a random row for 5-25 ms and roll back:
    half with ``SELECT ... FOR UPDATE`` (no write, so no trigger fills the row for the
    backfill), half with an ``UPDATE`` that the rollback undoes, trigger's work included.
    Whatever they touch, the backfill alone must convert."""

    def __init__(self, db: Database, sessions: int) -> None:
        self.engine = db.engine()
        self.stop = threading.Event()
        self.locked = 0
        self.errors: list[BaseException] = []
        self.threads = [threading.Thread(target=self._run, args=(i,)) for i in range(sessions)]

    def _run(self, seed: int) -> None:
        rng = random.Random(seed)
        try:
            with self.engine.connect() as conn:
                while not self.stop.is_set():
                    row = rng.randint(1, ROWS)
                    conn.exec_driver_sql("BEGIN")
                    if seed % 2:
                        conn.exec_driver_sql(f"SELECT 1 FROM items WHERE id = {row} FOR UPDATE")
                    else:
                        conn.exec_driver_sql(f"UPDATE items SET qty = qty + 1 WHERE id = {row}")
                    time.sleep(rng.uniform(0.005, 0.025))
                    conn.exec_driver_sql("ROLLBACK")
                    self.locked += 1
        except BaseException as exc:  # reported by the test, not lost in a thread
            self.errors.append(exc)

    def __enter__(self) -> Lockers:
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for t in self.threads:
            t.join()
        self.engine.dispose()


def test_every_row_is_backfilled_while_writers_hold_row_locks(
    pg_db: Database, tmp_path: Path
) -> None:
    engine = pg_db.engine()
    with engine.connect() as conn:
        conn.exec_driver_sql("CREATE TABLE items (id int PRIMARY KEY, qty int NOT NULL)")
        conn.exec_driver_sql(
            f"INSERT INTO items SELECT g, g %% 1000 FROM generate_series(1, {ROWS}) g"
        )
        conn.exec_driver_sql("ANALYZE items")
    project = Project(tmp_path, pg_db.url)
    path = project.write(f"{NAME}.toml", FILE, rehash=False)

    with Lockers(pg_db, 4) as lockers:
        time.sleep(0.2)
        started = project.run(
            "online", "start", str(path), "--batch-size", "200", "--target-ms", "50"
        )
    assert not lockers.errors, lockers.errors
    assert started.code == 0, started.err
    assert lockers.locked > 20  # the writers really ran beside the backfill

    # Every row's hidden new column holds qty as bigint: none was left out (the lockers
    # rolled back, so qty is what the setup wrote).
    with engine.connect() as conn:
        added = [
            str(r[0])
            for r in conn.exec_driver_sql(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_name = 'items' AND column_name NOT IN ('id', 'qty')"
            ).all()
        ]
        assert len(added) == 1, added
        new = added[0].replace('"', '""')
        left = conn.exec_driver_sql(
            f'SELECT count(*) FROM items WHERE "{new}" IS DISTINCT FROM qty::bigint'
        ).scalar()
        assert left == 0, f"{left} rows were not backfilled"
        assert conn.exec_driver_sql("SELECT count(*) FROM items").scalar() == ROWS

    status = project.run("online", "status", "--format", "json")
    assert status.code == 0, status.err
    (entry,) = json.loads(status.out)
    job = entry["backfill"]["items"]
    assert job["finished"] and job["done"] == ROWS
    pacing = job["pacing"]
    # The batches' commits found writers queued for their rows, and said how long the
    # longest had waited; the target came down from the 50 ms ceiling at least once.
    assert pacing["adaptive"] is True and pacing["ceiling"] == 0.05
    assert pacing["batches"] == job["batches"]
    assert pacing["held_batches"] >= 1 and pacing["held_writers"] >= pacing["held_batches"]
    assert 0 < pacing["longest"] < 30
    text = project.run("online", "status")
    assert "    pacing: batches aim at " in text.out
    assert "(10-50 ms, adaptive)" in text.out

    done = project.run("online", "complete", NAME)
    assert done.code == 0, done.err
    with engine.connect() as conn:
        kind = conn.exec_driver_sql(
            "SELECT data_type FROM information_schema.columns "
            "WHERE table_name = 'items' AND column_name = 'qty'"
        ).scalar()
        assert kind == "bigint"
        wrong = conn.exec_driver_sql("SELECT count(*) FROM items WHERE qty <> id %% 1000").scalar()
        assert wrong == 0
    engine.dispose()


def test_a_long_application_transaction_does_not_queue_writers_behind_a_batch(
    pg_db: Database, tmp_path: Path
) -> None:
    """Once the backfill runs, an application transaction holds row 50000 for 3 s. A
    batch that reached it holding the rows before it would keep them for those 3 s, and
    every writer of them with it; the batch gives up its lock wait instead
    (``lock_timeout``), lets its rows go, and comes again smaller until the row is free. A
    writer of row 49990, meanwhile, is never held up for long; every row is backfilled."""
    rows, held, near = 200_000, 50_000, 49_990
    engine = pg_db.engine()
    with engine.connect() as conn:
        conn.exec_driver_sql("CREATE TABLE items (id int PRIMARY KEY, qty int NOT NULL)")
        conn.exec_driver_sql(
            f"INSERT INTO items SELECT g, g %% 1000 FROM generate_series(1, {rows}) g"
        )
        conn.exec_driver_sql("ANALYZE items")
    project = Project(tmp_path, pg_db.url)
    path = project.write(f"{NAME}.toml", FILE, rehash=False)
    stop = threading.Event()
    slowest: list[float] = [0.0]
    locked_at: list[float] = []

    def hold() -> None:
        """Lock the row as soon as the new column exists (expand is done: its DDL
        would otherwise queue behind this transaction), for 3 s."""
        with engine.connect() as conn:
            while not stop.is_set():
                found = conn.exec_driver_sql(
                    "SELECT count(*) FROM information_schema.columns "
                    "WHERE table_name = 'items' AND column_name NOT IN ('id', 'qty')"
                ).scalar()
                if found:
                    break
                time.sleep(0.005)
            conn.exec_driver_sql("BEGIN")
            conn.exec_driver_sql(f"SELECT 1 FROM items WHERE id = {held} FOR UPDATE")
            locked_at.append(time.monotonic())
            time.sleep(3.0)
            conn.exec_driver_sql("ROLLBACK")

    def write_near() -> None:
        with engine.connect() as conn:
            while not locked_at and not stop.is_set():
                time.sleep(0.005)
            while not stop.is_set():
                # A row lock, as a writer's: an UPDATE would move the row's new version
                # elsewhere in the table, out of the batch's path before the held row.
                began = time.monotonic()
                conn.exec_driver_sql("BEGIN")
                conn.exec_driver_sql(f"SELECT 1 FROM items WHERE id = {near} FOR UPDATE")
                conn.exec_driver_sql("COMMIT")
                slowest[0] = max(slowest[0], time.monotonic() - began)
                time.sleep(0.005)

    threads = [threading.Thread(target=hold), threading.Thread(target=write_near)]
    for t in threads:
        t.start()
    try:
        started = project.run(
            # (--rate: the backfill reaches the held row well after the holder has it.)
            "online",
            "start",
            str(path),
            "--batch-size",
            "1000",
            "--target-ms",
            "100",
            "--rate",
            "50000",
        )
        finished = time.monotonic()
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert started.code == 0, started.err
    # The backfill did meet the held row: it ended after the holder let go.
    assert locked_at and finished >= locked_at[0] + 3.0
    # Without the batch's own lock wait limit this writer waits about 3 s (measured:
    # 2.9 s); with it, at most about one limit (100 ms) per try of the batch.
    assert slowest[0] < 1.0, f"a writer of row {near} waited {slowest[0]:.2f}s"
    with engine.connect() as conn:
        wrong = conn.exec_driver_sql("SELECT count(*) FROM items WHERE qty <> id %% 1000")
        assert wrong.scalar() == 0
    status = project.run("online", "status", "--format", "json")
    (entry,) = json.loads(status.out)
    assert entry["backfill"]["items"]["pacing"]["gave_way"] >= 1
    assert " gave way to a row lock" in project.run("online", "status").out
    done = project.run("online", "complete", NAME)
    assert done.code == 0, done.err
    engine.dispose()


@pytest.mark.mysql
def test_mariadb_pacing_sees_the_writers_its_batches_held_up(
    mysql_db: Database, tmp_path: Path
) -> None:
    """The same pacing on MariaDB, from INNODB_LOCK_WAITS: before it had a probe, the
    target stayed fixed ("adaptive": false) however many writers its copies held up."""
    engine = mysql_db.engine()
    with engine.connect() as conn:
        if not getattr(conn.dialect, "is_mariadb", False):
            pytest.skip("MySQL 8: its pacing has no probe yet (dialects/mysql/load.py)")
        conn.exec_driver_sql("CREATE TABLE items (id int PRIMARY KEY, qty int NOT NULL)")
        conn.exec_driver_sql(f"INSERT INTO items SELECT seq, seq %% 1000 FROM seq_1_to_{ROWS}")
        conn.exec_driver_sql("ANALYZE TABLE items")
    project = Project(tmp_path, mysql_db.url)
    path = project.write(f"{NAME}.toml", FILE, rehash=False)
    try:
        with Lockers(mysql_db, 4) as lockers:
            time.sleep(0.2)
            started = project.run(
                "online", "start", str(path), "--batch-size", "200", "--target-ms", "50"
            )
        assert not lockers.errors, lockers.errors
        assert started.code == 0, started.err
        assert lockers.locked > 20

        status = project.run("online", "status", "--format", "json")
        assert status.code == 0, status.err
        (entry,) = json.loads(status.out)
        job = entry["backfill"]["items"]
        assert job["finished"] and job["done"] == ROWS
        pacing = job["pacing"]
        assert pacing["adaptive"] is True and pacing["ceiling"] == 0.05
        assert pacing["held_batches"] >= 1 and pacing["held_writers"] >= pacing["held_batches"]
        assert "(10-50 ms, adaptive)" in project.run("online", "status").out

        done = project.run("online", "complete", NAME)
        assert done.code == 0, done.err
        with engine.connect() as conn:
            kind = conn.exec_driver_sql(
                "SELECT data_type FROM information_schema.columns "
                "WHERE table_schema = DATABASE() AND table_name = 'items' "
                "AND column_name = 'qty'"
            ).scalar()
            assert kind == "bigint"
            wrong = conn.exec_driver_sql(
                "SELECT count(*) FROM items WHERE qty <> id %% 1000"
            ).scalar()
            assert wrong == 0
    finally:
        drop_version_databases(mysql_db.url)
        engine.dispose()
