"""``--format json`` on every command that reports, before or after the command name."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import Database, Project, Result, sql_migration


def doc(result: Result) -> Any:
    return json.loads(result.out)


def _files(project: Project) -> None:
    project.write("1_a.sql", sql_migration("CREATE TABLE a (id INTEGER);", "DROP TABLE a;"))
    project.write("2_b.sql", sql_migration("CREATE TABLE b (id INTEGER);", "DROP TABLE b;"))


def test_migrate_reports_what_ran_with_timings(project: Project, db: Database) -> None:
    _files(project)
    dry = doc(project.run("--format", "json", "migrate", "--dry-run"))
    assert dry["dry_run"] is True and dry["count"] == 2
    assert [p["file"] for p in dry["planned"]] == ["1_a.sql", "2_b.sql"]
    assert dry["planned"][0]["statements"][0]["sql"].startswith("CREATE TABLE a")
    result = project.run("--format", "json", "migrate")
    assert result.code == 0, result.err
    out = doc(result)
    assert out["count"] == 2 and out["dry_run"] is False
    assert [(m["version"], m["direction"]) for m in out["applied"]] == [("1", "up"), ("2", "up")]
    assert all(isinstance(m["ms"], int) and m["ms"] >= 0 for m in out["applied"])
    rolled = doc(project.run("rollback", "--allow-destructive", "--format", "json"))
    assert [m["file"] for m in rolled["reverted"]] == ["2_b.sql"] and rolled["count"] == 1


def test_failed_migrate_is_still_one_json_document(project: Project) -> None:
    project.write("1_a.sql", sql_migration("CREATE TABLE a (id INTEGER);"))
    project.write("2_bad.sql", sql_migration("SELECT * FROM no_such_table;"))
    result = project.run("migrate", "--format=json")
    assert result.code == 1
    out = doc(result)
    assert [m["file"] for m in out["applied"]] == ["1_a.sql"]
    assert out["failed_migration"]["file"] == "2_bad.sql"
    assert "2_bad.sql:2" in out["error"] and out["exit_code"] == 1
    assert result.err.startswith("dbshift: error: ")


def test_validate_lists_problems(tmp_path: Path) -> None:
    project = Project(tmp_path, f"sqlite:///{tmp_path / 'app.db'}")
    path = project.write("1_a.sql", sql_migration("CREATE TABLE a (id INTEGER);"))
    assert doc(project.run("validate", "--format", "json")) == {"valid": True, "problems": []}
    assert project.run("migrate").code == 0
    path.write_text(sql_migration("CREATE TABLE a (id INTEGER, b INTEGER);"))
    result = project.run("--format", "json", "validate")
    assert result.code == 1
    out = doc(result)
    assert out["valid"] is False and any(
        "edited after it was applied" in p for p in out["problems"]
    )


def test_every_reporting_command_speaks_json(tmp_path: Path) -> None:
    project = Project(tmp_path, f"sqlite:///{tmp_path / 'app.db'}")
    assert "file" in doc(project.run("--format", "json", "new", "first", url=False))
    assert doc(project.run("hash", "--format", "json", url=False))["files"] == 1
    assert doc(project.run("--format", "json", "baseline", "5"))["baseline"] == "5"
    assert doc(project.run("--format", "json", "repair"))["repaired"] == []
    assert doc(project.run("--format", "json", "history"))[0]["version"] == "5"
    assert doc(project.run("--format", "json", "status"))["current"] == "5"


def test_format_before_the_command_is_checked_by_the_command(tmp_path: Path) -> None:
    project = Project(tmp_path, f"sqlite:///{tmp_path / 'app.db'}")
    bad = project.run("--format", "yaml", "status")
    assert bad.code == 2 and "invalid choice: 'yaml'" in bad.err
    lint = project.run("--format", "sarif", "lint", "--dialect", "sqlite", url=False)
    assert lint.code == 0, lint.err
    assert json.loads(lint.out)["version"] == "2.1.0"


def test_generate_speaks_json_and_leaves_a_stale_sum_alone(tmp_path: Path) -> None:
    import sqlite3

    target = tmp_path / "target.db"
    with sqlite3.connect(target) as conn:
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)")
    conn.close()
    project = Project(tmp_path, f"sqlite:///{tmp_path / 'app.db'}")
    project.rehash()
    result = project.run("generate", "add_t", "--to", f"sqlite:///{target}", "--format", "json")
    assert result.code == 0, result.err
    out = doc(result)
    assert out["operations"] >= 1 and Path(out["file"]).is_file()
    assert project.run("validate", env={"CI": "true"}).code == 0
    Path(out["file"]).write_text(sql_migration("CREATE TABLE t (id INTEGER PRIMARY KEY);"))
    before = (project.migrations / "dbshift.sum").read_text()
    with sqlite3.connect(target) as conn:
        conn.execute("CREATE TABLE u (id INTEGER PRIMARY KEY)")
    conn.close()
    # A local run (CI unset): there a stale sum is warned about, not refused (strict_sum).
    again = project.run("generate", "add_u", "--to", f"sqlite:///{target}", env={"CI": ""})
    assert again.code == 0, again.err
    assert "was already out of date" in again.err
    assert (project.migrations / "dbshift.sum").read_text() == before
