"""init, new, hash and demo through the real entry point."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import Project


def test_init_new_hash_cycle(tmp_path: Path) -> None:
    project = Project(tmp_path, f"sqlite:///{tmp_path / 'app.db'}")
    (tmp_path / "migrations").rmdir()
    init = project.run("init")
    assert init.code == 0, init.err
    assert (tmp_path / "migrations" / "dbshift.sum").exists()
    assert (tmp_path / "dbshift.toml").exists()
    first = project.run("new", "Create users table!", url=False)
    second = project.run("new", "seed users", "--python", url=False)
    assert first.code == 0 and second.code == 0, first.err + second.err
    path1, path2 = Path(first.out.strip()), Path(second.out.strip())
    assert re.fullmatch(r"\d{14}_create_users_table\.sql", path1.name)
    assert path2.suffix == ".py" and int(path2.name[:14]) > int(path1.name[:14])
    empty = project.run("validate")
    assert empty.code == 1 and "the up section has no statements" in empty.err
    path1.write_text("-- dbshift:up\nCREATE TABLE users (id INTEGER);\n")
    assert "does not match the migration files" in project.run("validate").err
    assert project.run("hash", url=False).code == 0
    assert project.run("validate").code == 0


def test_init_never_writes_a_password_into_the_config(tmp_path: Path) -> None:
    project = Project(tmp_path, "postgresql://u:secret@127.0.0.1:5432/db")
    assert project.run("init").code == 0
    assert "secret" not in (tmp_path / "dbshift.toml").read_text()


def test_demo_runs_on_sqlite(tmp_path: Path) -> None:
    project = Project(tmp_path, "")
    result = project.run("demo", "--path", str(tmp_path / "demo"), url=False)
    assert result.code == 0, result.err
    assert "applied 3 migration(s)" in result.out
    assert "reverted 1 migration(s)" in result.out
    assert "edited after it was applied" in result.err
    assert "[drop-column]" in result.out and "[delete-without-where]" in result.out
    assert "done." in result.out


def test_help_lists_every_command(tmp_path: Path) -> None:
    result = Project(tmp_path, "").run("--help", url=False)
    assert result.code == 0
    for command in (
        "init",
        "new",
        "migrate",
        "rollback",
        "status",
        "history",
        "validate",
        "repair",
        "baseline",
        "hash",
        "demo",
    ):
        assert command in result.out
