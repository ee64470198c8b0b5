"""Output read by another program: a reader that leaves early, no wrapping, FAILED lines."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import Project, dbshift_executable, sql_migration

LONG = "a description long enough that an eighty column terminal would have to wrap it " * 2


@pytest.fixture
def proj(tmp_path: Path) -> Project:
    project = Project(tmp_path, f"sqlite:///{tmp_path / 'app.db'}")
    for n in range(1, 41):
        slug = LONG.strip().replace(" ", "_")[:150]
        project.write(
            f"{n}_{slug}.sql", sql_migration(f"CREATE TABLE t{n} (id INTEGER);"), rehash=False
        )
    project.rehash()
    return project


def _closed_reader(project: Project, *args: str) -> tuple[int, str]:
    """Run with stdout a pipe whose reader has already gone, as ``| head -0`` leaves it."""
    env = {k: v for k, v in os.environ.items() if k not in ("DBSHIFT_URL", "DATABASE_URL")}
    proc = subprocess.Popen(
        [*dbshift_executable(), *args, "--url", project.url],
        cwd=project.root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read()
    return proc.wait(timeout=60), err


@pytest.mark.parametrize("command", [["status"], ["history"], ["status", "--format", "json"]])
def test_reader_leaving_early_is_not_an_error(proj: Project, command: list[str]) -> None:
    assert proj.run("migrate", "--to", "20").code == 0
    code, err = _closed_reader(proj, *command)
    assert code == 0, err
    assert err == ""


def test_migrate_finishes_when_nobody_reads_its_progress(proj: Project) -> None:
    code, err = _closed_reader(proj, "migrate")
    assert (code, err) == (0, "")
    status = proj.run("status", "--format", "json")
    assert '"pending": []' in status.out


def test_head_of_status_through_a_shell_pipe(proj: Project) -> None:
    assert proj.run("migrate").code == 0
    script = f"{' '.join(dbshift_executable())} status --url {proj.url} | head -1"
    result = subprocess.run(
        ["bash", "-o", "pipefail", "-c", script], cwd=proj.root, capture_output=True, text=True
    )
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout.startswith("database ")


def test_output_to_a_pipe_is_never_wrapped(proj: Project) -> None:
    assert proj.run("migrate", "--to", "3").code == 0
    for command in ("status", "history"):
        out = proj.run(command).out
        description = LONG.strip()[:150]
        rows = [line for line in out.splitlines() if line.startswith(("1 ", "2 ", "3 "))]
        assert len(rows) == 3, out
        assert all(description in row for row in rows), out
    assert any(len(line) > 150 for line in proj.run("status").out.splitlines())


def test_failing_migration_ends_its_progress_line_with_failed(project: Project) -> None:
    project.write("1_ok.sql", sql_migration("CREATE TABLE a (id INTEGER);"))
    project.write("2_bad.sql", sql_migration("CREATE TABLE b (id INTEGER);\nSELECT * FROM nope;"))
    result = project.run("migrate")
    assert result.code == 1
    lines = result.out.splitlines()
    assert lines[0].startswith("applying 1_ok.sql ... done in ")
    assert lines[1] == "applying 2_bad.sql ... FAILED"
    assert result.err.startswith("dbshift: error: migrations/2_bad.sql:3:")
