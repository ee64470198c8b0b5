"""Two git branches that each add a migration, merged: ``validate`` finds them from the
history, ``rebase`` renumbers the one that now sorts before an applied migration, and the
result applies. ``depends-on`` headers acknowledge or enforce an order."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.cli.helpers import run
from tests.conftest import Database, Project, sql_migration

USERS = sql_migration("CREATE TABLE users (id integer PRIMARY KEY);", "DROP TABLE users;")


def _column(name: str) -> str:
    return sql_migration(
        f"ALTER TABLE users ADD COLUMN {name} varchar(50);",
        f"ALTER TABLE users DROP COLUMN {name};",
    )


class Repo:
    """A git repository around a dbshift project."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.env = {
            **os.environ,
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.com",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.com",
        }
        self.git("init", "-q", "-b", "main")
        (project.root / ".gitignore").write_text("*.db\n*.dbshift-lock\n", encoding="utf-8")

    def git(self, *args: str, check: bool = True) -> str:
        done = subprocess.run(
            ["git", *args], cwd=self.project.root, env=self.env, capture_output=True, text=True
        )
        if check:
            assert done.returncode == 0, done.stderr + done.stdout
        return done.stdout

    def commit(self, message: str) -> None:
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)

    def merge(self, branch: str) -> None:
        """Merge; the sum file conflicts (both branches appended to it): resolved the
        documented way, with ``dbshift hash``."""
        done = subprocess.run(
            ["git", "merge", "--no-ff", "-q", "-m", f"merge {branch}", branch],
            cwd=self.project.root,
            env=self.env,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            assert "dbshift.sum" in done.stdout + done.stderr
            self.project.rehash()
            self.commit(f"merge {branch}")


def _two_branches(project: Project, first: tuple[str, str], second: tuple[str, str]) -> Repo:
    """main: 001; branch a adds ``first``, branch b (from the same parent) adds ``second``;
    both merged into main, a first."""
    repo = Repo(project)
    project.write("001_users.sql", USERS)
    repo.commit("users")
    repo.git("checkout", "-q", "-b", "a")
    project.write(*first)
    repo.commit("a")
    repo.git("checkout", "-q", "main")
    repo.git("checkout", "-q", "-b", "b")
    project.write(*second)
    repo.commit("b")
    repo.git("checkout", "-q", "main")
    repo.merge("a")
    return repo


def test_branch_migration_that_sorts_before_an_applied_one_is_found_and_rebased(
    project: Project, db: Database
) -> None:
    repo = _two_branches(
        project, ("003_add_name.sql", _column("name")), ("002_add_city.sql", _column("city"))
    )
    assert run(project, db, "migrate").code == 0  # main with a deployed: 001, 003
    repo.merge("b")
    invalid = run(project, db, "validate")
    assert invalid.code == 1
    assert "002_add_city.sql: pending but older than the newest applied version 003" in invalid.err
    assert (
        "migrations/003_add_name.sql and 002_add_city.sql were added on different branches "
        "(merged in " in invalid.err
    )
    assert "both change table users" in invalid.err
    assert "'dbshift rebase' renumbers" in invalid.err

    dry = run(project, db, "rebase", "--dry-run")
    assert dry.out.splitlines() == ["would rename 002_add_city.sql -> 004_add_city.sql"]
    rebased = run(project, db, "rebase")
    assert rebased.code == 0, rebased.err
    assert "renamed 002_add_city.sql -> 004_add_city.sql" in rebased.out
    assert "the new order applies on a scratch database" in rebased.out
    assert sorted(p.name for p in project.migrations.iterdir()) == [
        "001_users.sql",
        "003_add_name.sql",
        "004_add_city.sql",
        "dbshift.sum",
    ]
    assert run(project, db, "validate").code == 0
    done = run(project, db, "migrate")
    assert done.code == 0, done.err
    assert "applied 1 migration(s)" in done.out


def test_same_column_on_two_branches_is_a_conflict_until_depends_on_acknowledges_it(
    sqlite_db: Database, tmp_path: Path
) -> None:
    project = Project(tmp_path, sqlite_db.url)
    repo = _two_branches(
        project,
        ("002_status.sql", _column("status")),
        ("003_status_again.sql", _column("status")),
    )
    repo.merge("b")
    invalid = project.run("validate")
    assert invalid.code == 1
    assert "003_status_again.sql and 002_status.sql were added on different branches" in invalid.err
    assert "both change column users.status" in invalid.err
    assert "add '-- dbshift:depends-on 002' to 003_status_again.sql" in invalid.err
    # The author reorders by hand and says so: the conflict is acknowledged.
    project.write(
        "003_status_again.sql",
        "-- dbshift:depends-on 002\n"
        + sql_migration(
            "ALTER TABLE users ADD COLUMN status2 varchar(50);",
            "ALTER TABLE users DROP COLUMN status2;",
        ),
    )
    assert project.run("validate").code == 0, project.run("validate").err


def test_depends_on_a_later_version_is_refused_by_validate_and_migrate(
    sqlite_db: Database, tmp_path: Path
) -> None:
    project = Project(tmp_path, sqlite_db.url)
    project.write("001_users.sql", USERS)
    project.write("002_name.sql", "-- dbshift:depends-on 3\n" + _column("name"))
    project.write("003_city.sql", _column("city"))
    invalid = project.run("validate")
    assert invalid.code == 1
    assert "002_name.sql: depends on 3, which sorts after it" in invalid.err
    assert "'dbshift rebase 002' moves it after 3" in invalid.err
    refused = project.run("migrate")
    assert refused.code == 1
    assert "002_name.sql: depends on 3, which is not applied before it" in refused.err
    assert "users" not in sqlite_db.tables()
    rebased = project.run("rebase", "002", "--after", "3")
    assert rebased.code == 0, rebased.err
    assert "renamed 002_name.sql -> 004_name.sql" in rebased.out
    assert project.run("validate").code == 0
    assert project.run("migrate").code == 0


def test_rebase_that_would_not_apply_is_undone(sqlite_db: Database, tmp_path: Path) -> None:
    project = Project(tmp_path, sqlite_db.url)
    project.write("001_users.sql", USERS)
    project.write("002_name.sql", _column("name"))
    before = {p.name: p.read_bytes() for p in project.migrations.iterdir()}
    # Moving the table's creation after the ALTER that needs it cannot apply.
    result = project.run("rebase", "1", "--after", "2")
    assert result.code == 1
    assert "do not apply in their new order" in result.err
    assert "nothing was renamed" in result.err
    assert {p.name: p.read_bytes() for p in project.migrations.iterdir()} == before


def test_rebase_moves_fixtures_and_repoints_dependants(sqlite_db: Database, tmp_path: Any) -> None:
    project = Project(tmp_path, sqlite_db.url)
    project.write("001_users.sql", USERS)
    project.write("003_name.sql", _column("name"))
    assert project.run("migrate").code == 0
    project.write("002_city.sql", _column("city"))
    project.write(
        "004_city_idx.sql",
        "-- dbshift:depends-on 002\n"
        + sql_migration("CREATE INDEX users_city ON users (city);", "DROP INDEX users_city;"),
    )
    fixtures = tmp_path / "tests" / "migrations"
    fixtures.mkdir(parents=True)
    (fixtures / "002.sql").write_text("-- dbshift:before\nSELECT 1;\n", encoding="utf-8")
    result = project.run("rebase")
    assert result.code == 0, result.err
    # The index needs the column: it moves too, after it.
    assert result.out.splitlines()[:2] == [
        "renamed 002_city.sql -> 005_city.sql",
        "renamed 004_city_idx.sql -> 006_city_idx.sql",
    ]
    assert (fixtures / "005.sql").exists() and not (fixtures / "002.sql").exists()
    moved = (project.migrations / "006_city_idx.sql").read_text(encoding="utf-8")
    assert moved.startswith("-- dbshift:depends-on 005\n")
    assert project.run("validate").code == 0
    assert project.run("migrate").code == 0


@pytest.mark.parametrize("args", [("rebase", "--after", "9"), ("rebase", "7")])
def test_rebase_bad_versions_are_usage_errors(
    sqlite_db: Database, tmp_path: Path, args: tuple[str, ...]
) -> None:
    project = Project(tmp_path, sqlite_db.url)
    project.write("001_users.sql", USERS)
    result = project.run(*args)
    assert result.code == 2
    assert "no migration has that version" in result.err
