"""The runner's ddl_lock_timeout: a statement never queues behind a long transaction for long.

A test session reads the table in an open transaction, so the migration's ALTER waits for
its lock (PostgreSQL ACCESS EXCLUSIVE, MySQL/MariaDB the metadata lock). The runner gives
up after the timeout, retries with backoff, and when the retries run out names the
session holding the lock.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from tests.conftest import Database, Project, sql_migration
from tests.runner.test_crash import status, wait_for

ALTER = "ALTER TABLE t ADD COLUMN b INTEGER;"


def prepared(db: Database, root: Path, config: str = "") -> Project:
    project = Project(root, db.url)
    if config:
        (root / "dbshift.toml").write_text(config, encoding="utf-8")
    project.write("1_t.sql", sql_migration("CREATE TABLE t (a INTEGER);"))
    assert project.run("migrate").code == 0
    return project


class Holder:
    """A session with an open transaction that read ``t``: it holds a lock DDL waits for."""

    def __init__(self, db: Database) -> None:
        self.engine = db.engine(autocommit=False)
        self.conn = self.engine.connect()
        self.conn.exec_driver_sql("SELECT * FROM t")
        sql = "SELECT pg_backend_pid()" if db.backend == "postgresql" else "SELECT CONNECTION_ID()"
        self.session = self.conn.exec_driver_sql(sql).scalar()
        self._done = False

    def release(self) -> None:
        if not self._done:
            self._done = True
            self.conn.rollback()
            self.conn.close()
            self.engine.dispose()

    def release_after_wait(self, db: Database, seconds: float) -> threading.Thread:
        """Release ``seconds`` after the migration's ALTER is first seen waiting."""

        def run() -> None:
            wait_for(lambda: _alter_running(db), "the ALTER to wait for its lock")
            time.sleep(seconds)
            self.release()

        thread = threading.Thread(target=run)
        thread.start()
        return thread


def _alter_running(db: Database) -> bool:
    if db.backend == "postgresql":
        sql = (
            "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'ALTER TABLE t%%' "
            "AND datname = current_database()"
        )
    else:
        sql = (
            "SELECT count(*) FROM information_schema.processlist "
            "WHERE info LIKE 'ALTER TABLE t%%' AND db = DATABASE()"
        )
    return bool(db.scalar(sql))


@pytest.fixture(params=["postgresql", "mysql"])
def server_db(request: pytest.FixtureRequest) -> Database:
    return request.getfixturevalue("pg_db" if request.param == "postgresql" else "mysql_db")


def test_gives_up_after_the_retries_and_names_the_session_holding_the_lock(
    server_db: Database, tmp_path: Path
) -> None:
    config = "[environments.ci]\nddl_lock_timeout = 1\nddl_lock_retries = 1\n"
    project = prepared(server_db, tmp_path, config)
    project.write("2_alter.sql", sql_migration(ALTER))
    holder = Holder(server_db)
    try:
        result = project.run("--env", "ci", "migrate")
    finally:
        holder.release()
    assert result.code == 1
    assert "2_alter.sql:2" in result.err and "gave up after 2 attempt(s)" in result.err
    who = "pid" if server_db.backend == "postgresql" else "connection"
    assert f"sessions holding locks: {who} {holder.session} (" in result.err
    assert "attempt 2 of 2" in result.err  # notices go to stderr
    assert "Traceback" not in result.err
    doc = status(project)
    assert doc["current"] == "1"
    # Nothing half-applied: PostgreSQL rolled the migration back; MySQL stopped before it.
    assert "b" not in {c for c in _columns(server_db)}


def test_a_lock_released_during_the_backoff_lets_the_retry_succeed(
    server_db: Database, tmp_path: Path
) -> None:
    project = prepared(server_db, tmp_path)
    project.write("2_alter.sql", sql_migration(ALTER))
    holder = Holder(server_db)
    timer = holder.release_after_wait(server_db, 1.3)  # past the first 1 s attempt
    try:
        result = project.run("migrate", "--ddl-lock-timeout", "1")
    finally:
        timer.join()
    assert result.code == 0, result.err
    assert "timed out waiting for a lock; attempt 2" in result.err  # notices go to stderr
    assert "b" in _columns(server_db)


def test_a_file_can_turn_the_timeout_off_and_wait(server_db: Database, tmp_path: Path) -> None:
    project = prepared(server_db, tmp_path)
    project.write("2_alter.sql", "-- dbshift:lock-timeout off\n" + sql_migration(ALTER))
    holder = Holder(server_db)
    timer = holder.release_after_wait(server_db, 2.5)  # past the configured 1 s
    try:
        result = project.run("migrate", "--ddl-lock-timeout", "1")
    finally:
        timer.join()
    assert result.code == 0, result.err
    assert "timed out" not in result.out
    assert "b" in _columns(server_db)


def test_a_file_can_set_its_own_timeout(server_db: Database, tmp_path: Path) -> None:
    config = "ddl_lock_timeout = 30\nddl_lock_retries = 0\n"
    project = prepared(server_db, tmp_path, config)
    project.write("2_alter.sql", "-- dbshift:lock-timeout 1s\n" + sql_migration(ALTER))
    holder = Holder(server_db)
    try:
        result = project.run("migrate")
    finally:
        holder.release()
    assert result.code == 1 and "gave up after 1 attempt(s)" in result.err


def test_a_malformed_lock_timeout_directive_is_a_file_line_error(
    sqlite_db: Database, tmp_path: Path
) -> None:
    project = Project(tmp_path, sqlite_db.url)
    project.write(
        "1_t.sql", "-- dbshift:up\n-- dbshift:lock-timeout soon\nCREATE TABLE t (a int);\n"
    )
    result = project.run("migrate")
    assert result.code == 2
    assert "1_t.sql:2" in result.err and "lock-timeout" in result.err
    assert "Traceback" not in result.err


def _columns(db: Database) -> set[str]:
    import sqlalchemy as sa

    with db.connect() as conn:
        return {c["name"] for c in sa.inspect(conn).get_columns("t")}
