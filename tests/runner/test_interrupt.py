"""Ctrl-C during a long statement: one line saying ``interrupted``, exit 130, the statement
cancelled on the server (not left running after dbshift has gone), and a status that
says what really happened."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

import pytest

from tests.conftest import Database, Project, sql_migration

SLEEP = {"postgresql": "SELECT pg_sleep(20);", "mysql": "SELECT SLEEP(20);"}
RUNNING = {
    "postgresql": "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%%pg_sleep(20)%%' "
    "AND pid <> pg_backend_pid()",
    "mysql": "SELECT COUNT(*) FROM information_schema.PROCESSLIST "
    "WHERE INFO LIKE '%%SLEEP(20)%%' AND ID <> CONNECTION_ID()",
}


def _until(condition, timeout: float = 20.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("server", ["postgresql", "mysql"])
def test_ctrl_c_cancels_the_statement_on_the_server_and_exits_130(
    server: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    db: Database = request.getfixturevalue("pg_db" if server == "postgresql" else "mysql_db")
    project = Project(tmp_path, db.url)
    project.write("1_slow.sql", sql_migration(f"CREATE TABLE t (id integer);\n{SLEEP[server]}"))
    running = RUNNING[server]  # %% : the drivers format even without parameters

    proc = project.popen("migrate")
    assert _until(lambda: db.scalar(running) == 1), "the long statement never started"
    started = time.monotonic()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)

    assert proc.returncode == 130, err
    assert err.startswith("dbshift: error: interrupted"), err
    assert "Traceback" not in err and "internal error" not in err
    assert len(err.strip().splitlines()) == 1
    # Cancelled, not run to its end: 20 s of sleep would still be running.
    assert _until(lambda: db.scalar(running) == 0, timeout=5), "still running on the server"
    assert time.monotonic() - started < 10

    status = project.run("status", "--format", "json")
    assert status.code == 0, status.err
    doc = json.loads(status.out)
    assert doc["applied"] == [] and doc["running"] is None
    if server == "postgresql":
        # One transaction: nothing happened, the migration is simply pending.
        assert [p["version"] for p in doc["pending"]] == ["1"] and doc["failed"] == []
        assert "t" not in db.tables()
    else:
        # MySQL journals each statement: the CREATE ran, the SLEEP did not complete.
        [stopped] = doc["failed"]
        assert stopped["state"] == "running" and stopped["in_progress"] is False
        assert stopped["statements_done"] == 1 and "INTERRUPTED" in stopped["explanation"]
        assert "t" in db.tables()
