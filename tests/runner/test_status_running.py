"""``status`` while another run migrates, and ``plan`` when a stopped migration waits to
be resumed: both say what ``migrate`` is doing or would do next."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from tests.conftest import MYSQL_URL, POSTGRES_URL, Database, Project, sql_migration


def test_postgres_status_shows_the_migration_in_progress(pg_db: Database, tmp_path: Path) -> None:
    """One transaction: its history row is invisible until COMMIT, yet status must not
    call the migration pending while it runs."""
    project = Project(tmp_path, pg_db.url)
    project.write("1_users.sql", sql_migration("CREATE TABLE users (id integer);"))
    project.write("2_slow.sql", sql_migration("SELECT pg_sleep(6);"))
    assert project.run("migrate", "--to", "1").code == 0

    proc = project.popen("migrate")
    try:
        doc: dict[str, Any] = {}
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            result = project.run("status", "--format", "json")
            assert result.code == 0, result.err
            doc = json.loads(result.out)
            if doc["running"] and doc["running"]["version"] == "2":
                break
            time.sleep(0.2)
        running = doc["running"]
        assert running["direction"] == "up" and running["pid"] > 0 and running["since"]
        assert [(p["version"], p["in_progress"]) for p in doc["pending"]] == [("2", True)]
        text = project.run("status", env={"COLUMNS": "200"})
        assert f"in progress (pid {running['pid']}, since " in text.out
    finally:
        proc.communicate(timeout=30)
    assert proc.returncode == 0
    doc = json.loads(project.run("status", "--format", "json").out)
    assert doc["running"] is None and [a["version"] for a in doc["applied"]] == ["1", "2"]


def _dev_url(db: Database) -> list[str]:
    return {
        "postgresql": ["--dev-url", POSTGRES_URL],
        "mysql": ["--dev-url", MYSQL_URL],
        "sqlite": [],
    }[db.backend]


def test_plan_plans_a_failed_migration_from_where_it_stopped(
    project: Project, db: Database
) -> None:
    project.write(
        "1_two.sql",
        sql_migration(
            "CREATE TABLE a (id integer);\nINSERT INTO missing (id) VALUES (1);",
            no_transaction=True,
        ),
    )
    failed = project.run("migrate")
    assert failed.code == 1
    # Fixed after the failure: migrate would resume with the second statement.
    project.write(
        "1_two.sql",
        sql_migration(
            "CREATE TABLE a (id integer);\nCREATE TABLE b (id integer);", no_transaction=True
        ),
    )
    result = project.run("plan", "--format", "json", *_dev_url(db))
    assert result.code == 0, result.err
    [planned] = json.loads(result.out)["migrations"]
    assert planned["version"] == "1" and planned["resumed_at"] == 1
    assert [s["sql"] for s in planned["statements"]] == ["CREATE TABLE b (id integer)"]
    text = project.run("plan", *_dev_url(db), env={"COLUMNS": "200"})
    assert text.code == 0 and "stopped after 1 statement(s)" in text.out

    replayed = project.run("plan", "--replay", "--format", "json", *_dev_url(db))
    assert replayed.code == 0, replayed.err
    assert json.loads(replayed.out)["migrations"][0]["resumed_at"] == 1

    assert project.run("migrate").code == 0
    nothing = project.run("plan", *_dev_url(db))
    assert nothing.code == 0 and "nothing to plan" in nothing.out
