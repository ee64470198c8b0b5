"""``online start`` under real load: the backfill (PostgreSQL) and the copy (MariaDB) pause
at the file's critical load, stop after its timeout with exit 3 and a resumable state,
show the thresholds and what stopped them in ``online status``, and resume to the end
once the load is gone."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.conftest import Database, Project
from tests.throttle.load import blocked_sessions

NAME = "20261206000000_qty_bigint"
FILE = """safety_period = 0

[throttle]
critical_load = { lock_waits = 3 }
critical_timeout = 1

[[operations]]
type = "alter_column"
table = "items"
column = "qty"
data_type = "bigint"
not_null = true
"""
ROWS = 3000


@pytest.mark.parametrize("backend", ["postgresql", "mysql"])
def test_critical_load_stops_the_backfill_resumably(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    db: Database = request.getfixturevalue("pg_db" if backend == "postgresql" else "mysql_db")
    engine = db.engine()
    with engine.connect() as conn:
        conn.exec_driver_sql("CREATE TABLE items (id int PRIMARY KEY, qty int NOT NULL)")
        values = ", ".join(f"({i}, {i % 7})" for i in range(1, ROWS + 1))
        conn.exec_driver_sql(f"INSERT INTO items VALUES {values}")
    engine.dispose()
    project = Project(tmp_path, db.url)
    path = project.write(f"{NAME}.toml", FILE, rehash=False)

    with blocked_sessions(db, 3):
        stopped = project.run("online", "start", str(path), "--batch-size", "500")
        status = project.run("online", "status")
    assert stopped.code == 3, stopped.err
    error = stopped.err.strip().splitlines()[-1]
    assert "critical load: lock_waits" in error and ">= 3 for" in error
    assert "checkpoint saved; run 'dbshift online start' again to resume" in error
    assert "Traceback" not in stopped.err
    assert status.code == 0, status.err
    assert f"{NAME}: expanding on items" in status.out
    assert "throttle: stopped (lock_waits " in status.out
    assert "critical lock_waits>=3, running>=50 (pause up to 1s)" in status.out
    assert "max running>=25" in status.out

    resumed = project.run("online", "start", str(path))
    assert resumed.code == 0, resumed.err
    status = project.run("online", "status")
    assert f"{NAME}: active on items" in status.out
    assert f"backfill items: {ROWS} rows (done" in status.out
    assert "throttle: done, waited " in status.out


def test_a_throttled_backfill_waits_and_online_pause_still_stops_it(
    pg_db: Database, tmp_path: Path
) -> None:
    """Over max_load the backfill waits for as long as the load lasts (no timeout: that is
    critical_load's), visibly in status; ``online pause`` ends the wait at once."""
    engine = pg_db.engine()
    with engine.connect() as conn:
        conn.exec_driver_sql("CREATE TABLE items (id int PRIMARY KEY, qty int NOT NULL)")
        conn.exec_driver_sql("INSERT INTO items SELECT g, g %% 7 FROM generate_series(1, 3000) g")
    engine.dispose()
    project = Project(tmp_path, pg_db.url)
    text = FILE.replace("critical_load = { lock_waits = 3 }", "max_load = { lock_waits = 3 }")
    path = project.write(f"{NAME}.toml", text, rehash=False)
    with blocked_sessions(pg_db, 3):
        start = project.popen("online", "start", str(path))
        deadline = time.monotonic() + 30
        status = project.run("online", "status")
        while "throttle: throttled (lock_waits" not in status.out:
            assert time.monotonic() < deadline, status.out + status.err
            assert start.poll() is None, start.communicate()
            time.sleep(0.5)
            status = project.run("online", "status")
        assert "backfill items: 0 rows (in progress" in status.out
        assert project.run("online", "pause", NAME).code == 0
        out, err = start.communicate(timeout=30)
    assert start.returncode == 0, err
    assert "paused: run 'dbshift online start' again to resume" in out
    resumed = project.run("online", "start", str(path))
    assert resumed.code == 0, resumed.err
    assert "throttle: done, waited " in project.run("online", "status").out
