"""The demo's migrations, tested with dbshift's own pytest plugin (as a user would)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from dbshift.config import Settings


@pytest.fixture(scope="session")
def demo_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A project written by ``dbshift demo`` (the tour runs once; its files stay)."""
    import contextlib
    import io

    from dbshift.cli.main import main

    root = tmp_path_factory.mktemp("demo")
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["demo", "--path", str(root)]) == 0
    yield root


@pytest.fixture(scope="session")
def dbshift_config(demo_root: Path) -> Settings:
    """Overrides the plugin's fixture: the demo's migrations, on scratch SQLite files."""
    return replace(Settings(), url=None, migrations_dir=demo_root / "migrations")
