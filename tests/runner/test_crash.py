"""SIGKILL the runner at every statement boundary: status tells the truth, migrate finishes.

A boundary is made deterministic with a gate: between two statements the migration runs
``UPDATE gate ... WHERE id = g``, and the test holds that row's lock, so the runner is
provably between statement 2g-1 and 2g+1 when it is killed. Each gate row is updated by a
data statement journaled in the same transaction, so after the resume every gate must
read exactly 1: nothing lost, nothing applied twice.
"""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

import pytest

from tests.conftest import Database, Project, sql_migration

GATES = 3
STATEMENTS = [
    "CREATE TABLE k1 (id INTEGER)",
    "INSERT INTO k1 (id) VALUES (1)",
    "CREATE TABLE k2 (id INTEGER)",
    "INSERT INTO k2 (id) VALUES (1)",
]


def gated_body() -> str:
    lines = []
    for index, statement in enumerate(STATEMENTS, start=1):
        lines.append(statement + ";")
        if index <= GATES:
            lines.append(f"UPDATE gate SET n = n + 1 WHERE id = {index};")
    return "\n".join(lines)


def wait_for(predicate, what: str, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def blocked_at_gate(db: Database, gate: int) -> bool:
    """The runner is running gate ``gate``'s UPDATE (which the test's held row lock blocks).

    The gate's id is part of the match: on a loaded machine the processlist can show the
    runner in the middle of an earlier gate's UPDATE, which is not blocked and is not the
    boundary the test means to kill at.
    """
    update = f"UPDATE gate SET n = n + 1 WHERE id = {gate}"
    if db.backend == "postgresql":
        sql = (
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            f"AND query LIKE '{update}%%' AND datname = current_database()"
        )
    else:
        sql = (
            "SELECT count(*) FROM information_schema.processlist "
            f"WHERE info LIKE '{update}%%' AND db = DATABASE()"
        )
    return bool(db.scalar(sql))  # %% survives either driver's paramstyle as a LIKE wildcard


def status(project: Project) -> dict:
    result = project.run("status", "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def setup_gate(db: Database) -> None:
    with db.connect() as conn:
        conn.exec_driver_sql("CREATE TABLE gate (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
        for g in range(1, GATES + 1):
            conn.exec_driver_sql(f"INSERT INTO gate (id, n) VALUES ({g}, 0)")
        conn.commit()


def crash_at_gate(project: Project, db: Database, gate: int) -> None:
    """Run migrate with gate ``gate`` held, SIGKILL it while it waits, release the gate."""
    engine = db.engine(autocommit=False)
    holder = engine.connect()
    holder.exec_driver_sql(f"UPDATE gate SET n = n WHERE id = {gate}")  # autobegun: lock held
    # The gate table predates the history: the database is adopted as it is.
    runner = project.popen("migrate", "--init-existing")
    try:
        wait_for(lambda: blocked_at_gate(db, gate), f"the runner to block at gate {gate}")
        runner.send_signal(signal.SIGKILL)
        runner.wait(timeout=30)
    finally:
        holder.rollback()
        holder.close()
        engine.dispose()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("backend", "journaled"),
    # MySQL has no transactional DDL, so every MySQL migration is journaled.
    [("postgresql", True), ("postgresql", False), ("mysql", True)],
    ids=["postgresql-no-transaction", "postgresql-transactional", "mysql"],
)
@pytest.mark.parametrize("gate", range(1, GATES + 1))
def test_sigkill_at_each_statement_boundary_then_resume(
    backend: str, journaled: bool, gate: int, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    db: Database = request.getfixturevalue("pg_db" if backend == "postgresql" else "mysql_db")
    setup_gate(db)
    project = Project(tmp_path, db.url)
    project.write("1_gated.sql", sql_migration(gated_body(), no_transaction=journaled))

    crash_at_gate(project, db, gate)

    def runner_gone() -> bool:
        doc = status(project)
        return not any(f["in_progress"] for f in doc["failed"])

    wait_for(runner_gone, "the server to notice the dead runner")
    doc = status(project)
    if journaled or backend == "mysql":
        [stopped] = doc["failed"]
        # Statements before the gate are done and recorded; the gate itself is not.
        assert stopped["state"] == "running"
        assert stopped["statements_done"] == 2 * gate - 1
        assert stopped["statement"].endswith(f"1_gated.sql:{2 * gate + 2}")  # the gate itself
        assert "INTERRUPTED" in stopped["explanation"]
        assert doc["current"] is None
    else:
        assert doc["failed"] == [] and [p["version"] for p in doc["pending"]] == ["1"]
        assert "k1" not in db.tables()

    resumed = project.run("migrate")
    assert resumed.code == 0, resumed.err
    final = status(project)
    assert final["current"] == "1" and final["failed"] == [] and final["pending"] == []
    assert db.scalar("SELECT count(*) FROM k1") == 1
    assert db.scalar("SELECT count(*) FROM k2") == 1
    for g in range(1, GATES + 1):
        assert db.scalar(f"SELECT n FROM gate WHERE id = {g}") == 1, f"gate {g}"


PY_SLEEPER = """
import os, time

MARKER = {marker!r}


def up(ctx):
    ctx.execute("CREATE TABLE s1 (id INTEGER)")
    ctx.execute("INSERT INTO s1 (id) VALUES (1)")
    if not os.path.exists(MARKER):
        open(MARKER, "w").close()
        time.sleep(120)
    ctx.execute("CREATE TABLE s2 (id INTEGER)")
"""


@pytest.mark.slow
def test_sigkill_mid_migration_on_sqlite_leaves_nothing_half_applied(
    sqlite_db: Database, tmp_path: Path
) -> None:
    project = Project(tmp_path, sqlite_db.url)
    project.write(
        "1_a.sql", sql_migration("CREATE TABLE a (id INTEGER);\nINSERT INTO a VALUES (1);")
    )
    marker = tmp_path / "reached"
    project.write("2_sleeper.py", PY_SLEEPER.format(marker=str(marker)))
    runner = project.popen("migrate")
    wait_for(marker.exists, "the migration to reach its sleep")
    runner.send_signal(signal.SIGKILL)
    runner.wait(timeout=30)

    doc = status(project)
    assert doc["current"] == "1" and doc["failed"] == []
    assert [p["version"] for p in doc["pending"]] == ["2"]
    assert "s1" not in sqlite_db.tables()
    resumed = project.run("migrate")
    assert resumed.code == 0, resumed.err
    assert {"s1", "s2"} <= sqlite_db.tables()
    assert sqlite_db.scalar("SELECT count(*) FROM s1") == 1
