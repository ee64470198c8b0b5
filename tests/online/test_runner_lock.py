"""One online command at a time per schema, on every server with a second version: the
lock is the dialect's migration lock, taken by ``phases`` for every engine, and a second
command waits ``--lock-timeout`` seconds, then stops with nothing done (exit 3)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbshift.connection import parse_url
from dbshift.dialects import dialect_for
from tests.conftest import Database, Project


@pytest.mark.parametrize("backend", ["pg_db", "mysql_db"])
def test_a_second_online_command_waits_then_stops(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    db: Database = request.getfixturevalue(backend)
    project = Project(tmp_path, db.url)
    assert project.run("online", "status").code == 0  # the journal exists
    dialect = dialect_for(parse_url(db.url))
    engine = db.engine()
    with engine.connect() as holder:
        schema = (
            "public" if backend == "pg_db" else holder.exec_driver_sql("SELECT DATABASE()").scalar()
        )
        dialect.acquire_lock(holder, f"dbshift-online:{schema}", 5)
        try:
            waited = project.run("online", "rollback", "1_x", "--lock-timeout", "1")
        finally:
            dialect.release_lock(holder, f"dbshift-online:{schema}")
    engine.dispose()
    where = "schema" if backend == "pg_db" else "database"
    assert waited.code == 3, waited.err
    assert (
        f"another dbshift online command has been running on {where} '{schema}' for more "
        "than 1s (--lock-timeout); nothing was done"
    ) in waited.err
    # Free again: the same command now gets past the lock (and finds no such migration).
    free = project.run("online", "rollback", "1_x", "--lock-timeout", "1")
    assert free.code == 2 and "no online migration '1_x'" in free.err, free.err
