"""The project's own checks run with the tests, so CI enforces them: mypy --strict,
ruff (lint and format), and the import-layer contract (cli -> runner -> migrations -> dialects)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


@pytest.mark.parametrize(
    "command",
    [
        ["mypy"],
        ["ruff", "check", "src", "tests", "bench"],
        ["ruff", "format", "--check", "src", "tests", "bench"],
        ["lint-imports"],
    ],
    ids=["mypy-strict", "ruff-check", "ruff-format", "import-layers"],
)
def test_project_check_passes(command: list[str]) -> None:
    result = subprocess.run(
        [str(BIN / command[0]), *command[1:]], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout + result.stderr
