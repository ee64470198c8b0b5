"""The demo prints commands that work as written, and cleans up after itself."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from tests.conftest import dbshift_executable


def _demo(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # A PATH without the venv: as right after `pip install` into .venv, not activated.
    env = {k: v for k, v in os.environ.items() if k not in ("DBSHIFT_URL", "DATABASE_URL")}
    env["PATH"] = "/usr/bin:/bin"
    return subprocess.run(
        [*dbshift_executable(), "demo", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_demo_removes_its_temporary_directory(tmp_path: Path) -> None:
    result = _demo(tmp_path)
    assert result.returncode == 0, result.stderr
    root = Path(re.search(r"dbshift demo in (\S+)", result.stdout).group(1))  # type: ignore[union-attr]
    assert not root.exists()
    assert "temporary directory is removed" in result.stdout
    assert list(tmp_path.iterdir()) == []


def test_demo_prints_commands_that_run_as_written(tmp_path: Path) -> None:
    kept = tmp_path / "tour"
    result = _demo(tmp_path, "--path", str(kept))
    assert result.returncode == 0, result.stderr
    shown = [line[2:] for line in result.stdout.splitlines() if line.startswith("$ ")]
    assert shown and all(" dbshift " not in f" {line.split()[0]} " for line in shown)
    program = shown[0].split()[0]
    assert Path(program).is_file() and os.access(program, os.X_OK)
    explore = re.search(r"Explore it yourself: (cd .+)$", result.stdout, re.M)
    assert explore is not None
    ran = subprocess.run(
        ["bash", "-c", explore.group(1)],
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
    )
    assert ran.returncode == 0, ran.stderr
    assert "applied 4, pending 0" in ran.stdout  # the drift steps adopt a 4th migration
    if (Path(program).parent / "activate").is_file():
        assert f"source {Path(program).parent / 'activate'}" in result.stdout
