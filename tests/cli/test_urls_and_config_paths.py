"""Malformed URLs are one-line usage errors (exit 2); config-relative paths; config lookup."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import MYSQL_URL, Project, Result, sql_migration


def one_line(result: Result, code: int) -> str:
    assert result.code == code, (result.code, result.out, result.err)
    assert "Traceback" not in result.err and "internal error" not in result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    return lines[0]


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("sqlite://app.db", "three slashes before a relative path (sqlite:///app.db)"),
        ("sqlite://me@host/app.db", "three slashes"),
        ("sqlite:///app.db?mode=ro", "SQLite takes no option 'mode'"),
        ("sqlite:app.db", "bad database URL"),
        ("postgresql://h:notaport/db", "bad database URL"),
        ("postgresql+nodriver://h/db", "unknown driver 'nodriver'"),
        ("mysql://root@127.0.0.1:3306", "name the database"),
        ("mysql://root:hunter2@127.0.0.1/x?charset=bogus", "the driver refused its options"),
        ("oracle://h/db", "unsupported database URL scheme"),
    ],
)
def test_malformed_url_is_a_one_line_usage_error(tmp_path: Path, url: str, says: str) -> None:
    project = Project(tmp_path, url)
    line = one_line(project.run("status"), 2)
    assert says in line and "hunter2" not in line
    assert not (tmp_path / "app.db").exists()


def test_malformed_url_in_config_file_is_a_usage_error_too(tmp_path: Path) -> None:
    (tmp_path / "dbshift.toml").write_text('url = "sqlite://app.db"\n')
    assert "three slashes" in one_line(Project(tmp_path, "").run("migrate", url=False), 2)


def test_mysql_url_without_database_is_refused_where_a_database_is_meant(
    tmp_path: Path,
) -> None:
    server = MYSQL_URL.rsplit("/", 1)[0] + "/"
    project = Project(tmp_path, server)
    assert "name the database" in one_line(project.run("status"), 2)
    assert "name the database" in one_line(project.run("inspect", server, url=False), 2)
    assert "name the database" in one_line(project.run("online", "status"), 2)


def _nested_project(tmp_path: Path) -> tuple[Project, Path]:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "dbshift.toml").write_text('url = "sqlite:///app.db"\n')
    project = Project(root, "")
    project.write("1_a.sql", sql_migration("CREATE TABLE a (id INTEGER);"))
    sub = root / "src" / "pkg"
    sub.mkdir(parents=True)
    return project, sub


def test_relative_sqlite_path_in_config_is_relative_to_the_config_file(tmp_path: Path) -> None:
    project, sub = _nested_project(tmp_path)
    assert project.run("migrate", url=False).code == 0
    below = Project(sub, "")
    (sub / "migrations").rmdir()  # Project made one; the config's is the real one
    result = below.run("--config", "../../dbshift.toml", "status", url=False)
    assert result.code == 0, result.err
    assert "applied 1, pending 0" in result.out
    assert not (sub / "app.db").exists()


def test_config_is_found_by_walking_up_from_a_subdirectory(tmp_path: Path) -> None:
    project, sub = _nested_project(tmp_path)
    (sub / "migrations").mkdir()  # a decoy: the config's migrations directory wins
    below = Project(sub, "")
    migrated = below.run("migrate", url=False)
    assert migrated.code == 0, migrated.err
    assert "applied 1 migration(s)" in migrated.out
    assert (project.root / "app.db").exists() and not (sub / "app.db").exists()
    status = below.run("status", url=False)
    assert "applied 1, pending 0" in status.out


def test_pyproject_with_tool_dbshift_is_found_walking_up(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "db").mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.dbshift]\nurl = "sqlite:///db/app.db"\n'
    )
    project = Project(root, "")
    project.write("1_a.sql", sql_migration("CREATE TABLE a (id INTEGER);"))
    deep = root / "a" / "b"
    deep.mkdir(parents=True)
    result = Project(deep, "").run("migrate", url=False)
    assert result.code == 0, result.err
    assert (root / "db" / "app.db").exists()


def test_walk_stops_at_the_repository_root(tmp_path: Path) -> None:
    (tmp_path / "dbshift.toml").write_text('url = "sqlite:///outer.db"\n')
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    result = Project(repo, "").run("status", url=False)
    assert result.code == 2 and "no database URL" in result.err


def test_url_from_the_command_line_stays_relative_to_the_current_directory(
    tmp_path: Path,
) -> None:
    _, sub = _nested_project(tmp_path)
    below = Project(sub, "sqlite:///here.db")
    (sub / "migrations").rmdir()
    assert below.run("migrate").code == 0
    assert (sub / "here.db").exists()
