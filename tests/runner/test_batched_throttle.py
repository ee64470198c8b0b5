"""Batched data migrations obey the config's ``[throttle]`` as the online backfill does
(issue 17, item 7: "the load-aware throttle"): real sessions blocked on a row lock push
``lock_waits`` over the critical level, and ``migrate`` stops with exit 3 between batches,
every committed batch kept; once the load is gone, ``migrate`` resumes where it stopped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Database
from tests.runner.test_batched import SQL_TRANSFORM, adopt, checkpoints, setup_users
from tests.throttle.load import blocked_sessions

CONFIG = """
[throttle]
critical_load = { lock_waits = 2 }
critical_timeout = 1
"""


@pytest.mark.parametrize("backend", ["postgresql", "mysql"])
def test_a_batched_migration_stops_at_critical_load_and_resumes(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    db: Database = request.getfixturevalue("pg_db" if backend == "postgresql" else "mysql_db")
    setup_users(db, rows=500)
    project = adopt(db, tmp_path)
    (tmp_path / "dbshift.toml").write_text(CONFIG, encoding="utf-8")
    project.write("1_lower_email.sql", SQL_TRANSFORM)

    with blocked_sessions(db, 3):
        stopped = project.run("migrate")
    assert stopped.code == 3, (stopped.code, stopped.err)
    assert "1_lower_email.sql" in stopped.err and "lock_waits" in stopped.err
    assert "Traceback" not in stopped.err
    # Nothing of the batched statement ran past the stop, and nothing is recorded applied.
    assert db.scalar("SELECT count(*) FROM users WHERE touched > 1") == 0
    status = json.loads(project.run("status", "--format", "json").out)
    assert status["current"] != "1"

    resumed = project.run("migrate")
    assert resumed.code == 0, resumed.err
    [point] = checkpoints(db)
    assert point["finished"]
    assert db.scalar("SELECT count(*) FROM users WHERE touched = 1") == 500
    assert db.scalar("SELECT count(*) FROM users WHERE email_lower IS NULL") == 0
