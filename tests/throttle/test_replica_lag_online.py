"""``[throttle] replicas`` in an online file, through ``dbshift online start`` on the
throwaway MariaDB primary: a replica whose SQL thread is stopped stops the copy with exit 3
(a resumable state), ``online status`` names the replica and shows the list (no password);
replicating again, ``online start`` copies to the end."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Database, Project
from tests.throttle.replication import Replication, mariadb_caught_up, wait_until

NAME = "20261206000000_qty_bigint"
FILE = """safety_period = 0

[throttle]
critical_load = {{ replica_lag = 5 }}
critical_timeout = 1
replicas = ["{replica}"]

[[operations]]
type = "alter_column"
table = "items"
column = "qty"
data_type = "bigint"
not_null = true
"""
ROWS = 2000


def test_a_stopped_replica_stops_the_copy_resumably(
    mysql_replication: Replication, primary_db: tuple[Database, str], tmp_path: Path
) -> None:
    db, replica_url = primary_db
    with db.connect() as conn:
        conn.exec_driver_sql("CREATE TABLE items (id int PRIMARY KEY, qty int NOT NULL)")
        values = ", ".join(f"({i}, {i % 7})" for i in range(1, ROWS + 1))
        conn.exec_driver_sql(f"INSERT INTO items VALUES {values}")
    project = Project(tmp_path, db.url)
    path = project.write(f"{NAME}.toml", FILE.format(replica=replica_url), rehash=False)
    port = replica_url.split(":")[-1].split("/")[0]

    mysql_replication.run("replica", "STOP SLAVE SQL_THREAD")
    stopped = project.run("online", "start", str(path), "--batch-size", "500")
    status = project.run("online", "status")
    assert stopped.code == 3, stopped.err
    error = stopped.err.strip().splitlines()[-1]
    assert f"critical load: replica_lag inf >= 5 (127.0.0.1:{port}) for" in error
    assert "checkpoint saved; run 'dbshift online start' again to resume" in error
    assert status.code == 0, status.err
    assert f"throttle: stopped (replica_lag inf >= 5 (127.0.0.1:{port}))" in status.out
    assert f"replicas {replica_url}" in status.out

    mysql_replication.run("replica", "START SLAVE SQL_THREAD")
    wait_until(lambda: mariadb_caught_up(mysql_replication), "the replica catching up")
    resumed = project.run("online", "start", str(path))
    assert resumed.code == 0, resumed.err
    status = project.run("online", "status")
    assert f"{NAME}: active on items" in status.out
    assert f"backfill items: {ROWS} rows (done" in status.out
