"""``[throttle] replicas`` from ``dbshift.toml`` through ``dbshift migrate`` (a batched data
migration) against the throwaway MariaDB primary and replica: a stopped replica stops the
run with exit 3 before any batch; replicating again, ``migrate`` finishes. Without
``replicas``, a ``replica_lag`` threshold on a MySQL primary is an error at the first
batch, not a level that is never reached."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Database
from tests.runner.test_batched import SQL_TRANSFORM, adopt, checkpoints, setup_users
from tests.throttle.replication import Replication, mariadb_caught_up, wait_until


def test_a_stopped_replica_stops_a_batched_migration_which_then_resumes(
    mysql_replication: Replication, primary_db: tuple[Database, str], tmp_path: Path
) -> None:
    db, replica_url = primary_db
    setup_users(db, rows=300)
    project = adopt(db, tmp_path)
    (tmp_path / "dbshift.toml").write_text(
        "[throttle]\ncritical_load = { replica_lag = 5 }\ncritical_timeout = 1\n"
        f'replicas = ["{replica_url}"]\n',
        encoding="utf-8",
    )
    project.write("1_lower_email.sql", SQL_TRANSFORM)

    mysql_replication.run("replica", "STOP SLAVE SQL_THREAD")
    stopped = project.run("migrate")
    assert stopped.code == 3, (stopped.code, stopped.err)
    assert "1_lower_email.sql" in stopped.err and "replica_lag inf >= 5" in stopped.err
    assert "Traceback" not in stopped.err
    assert db.scalar("SELECT count(*) FROM users WHERE touched > 0") == 0

    mysql_replication.run("replica", "START SLAVE SQL_THREAD")
    wait_until(lambda: mariadb_caught_up(mysql_replication), "the replica catching up")
    resumed = project.run("migrate")
    assert resumed.code == 0, resumed.err
    [point] = checkpoints(db)
    assert point["finished"]
    assert db.scalar("SELECT count(*) FROM users WHERE touched = 1") == 300


def test_replica_lag_on_a_mysql_primary_without_replicas_is_a_usage_error(
    primary_db: tuple[Database, str], tmp_path: Path
) -> None:
    db, _ = primary_db
    setup_users(db, rows=50)
    project = adopt(db, tmp_path)
    (tmp_path / "dbshift.toml").write_text(
        "[throttle]\nmax_load = { replica_lag = 2 }\n", encoding="utf-8"
    )
    project.write("1_lower_email.sql", SQL_TRANSFORM)
    refused = project.run("migrate")
    # A configuration error keeps its kind through the runner (exit 2, as it is anywhere
    # else), located at the file.
    assert refused.code == 2, (refused.code, refused.err)
    assert "1_lower_email.sql:" in refused.err
    assert "up refused: [throttle]: replica_lag is a threshold" in refused.err
    assert "[throttle] replicas" in refused.err and "Traceback" not in refused.err
    assert db.scalar("SELECT count(*) FROM users WHERE touched > 0") == 0
