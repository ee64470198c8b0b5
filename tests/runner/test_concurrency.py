"""Sixteen ``dbshift migrate`` processes at once: every migration applied exactly once."""

from __future__ import annotations

import json

import pytest

from tests.conftest import Database, Project, sql_migration

RUNNERS = 16
MIGRATIONS = 6


@pytest.mark.slow
def test_sixteen_concurrent_runners_apply_each_migration_once(
    project: Project, db: Database
) -> None:
    project.write("1_log.sql", sql_migration("CREATE TABLE applied_log (v INTEGER NOT NULL);"))
    for v in range(2, MIGRATIONS + 1):
        project.write(
            f"{v}_m{v}.sql",
            sql_migration(
                f"CREATE TABLE t{v} (id INTEGER);\nINSERT INTO applied_log (v) VALUES ({v});"
            ),
        )
    runners = [project.popen("migrate", "--lock-timeout", "120") for _ in range(RUNNERS)]
    results = [
        (
            r.wait(timeout=300),
            r.stdout.read() if r.stdout else "",
            r.stderr.read() if r.stderr else "",
        )
        for r in runners
    ]
    for r in runners:
        for stream in (r.stdout, r.stderr):
            if stream:
                stream.close()
    assert all(code == 0 for code, _, _ in results), [err for code, _, err in results if code]
    applied_counts = [out.count("applying ") for _, out, _ in results]
    assert sum(applied_counts) == MIGRATIONS, applied_counts
    assert db.scalar("SELECT count(*) FROM applied_log") == MIGRATIONS - 1
    assert db.scalar("SELECT count(DISTINCT v) FROM applied_log") == MIGRATIONS - 1
    doc = json.loads(project.run("status", "--format", "json").out)
    assert len(doc["applied"]) == MIGRATIONS and doc["pending"] == [] and doc["failed"] == []
