"""``online start`` under real load: the backfill (PostgreSQL) and the copy (MariaDB) pause
at the file's critical load, stop after its timeout with exit 3 and a resumable state,
show the thresholds and what stopped them in ``online status``, and resume to the end
once the load is gone."""

from __future__ import annotations

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
