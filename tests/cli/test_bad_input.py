"""Every bad input: one line on stderr, the documented exit code, never a traceback."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.conftest import Project, Result, sql_migration


@pytest.fixture
def proj(tmp_path: Path) -> Project:
    return Project(tmp_path, f"sqlite:///{tmp_path / 'app.db'}")


def one_line(result: Result, code: int) -> str:
    assert result.code == code, (result.code, result.out, result.err)
    assert "Traceback" not in result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("dbshift: error: ")
    return lines[0]


def test_unknown_command(proj: Project) -> None:
    assert "invalid choice: 'frobnicate'" in one_line(proj.run("frobnicate", url=False), 2)


def test_unknown_option(proj: Project) -> None:
    assert "--nope" in one_line(proj.run("migrate", "--nope"), 2)


def test_malformed_file_name(proj: Project) -> None:
    proj.write("create-users.sql", sql_migration("SELECT 1;"), rehash=False)
    line = one_line(proj.run("status"), 2)
    assert "create-users.sql: malformed file name" in line


@pytest.mark.parametrize(
    ("files", "said"),
    [
        (
            {"V1__init.sql": "CREATE TABLE a (id int);"},
            "V1__init.sql: a flyway migration file: convert the directory with "
            "'dbshift import flyway",
        ),
        (
            {
                "000001_init.up.sql": "CREATE TABLE a (id int);",
                "000001_init.down.sql": "DROP TABLE a;",
            },
            "000001_init.down.sql: a golang-migrate migration file: convert the directory with "
            "'dbshift import golang-migrate",
        ),
        (
            {"20240101120000_init.sql": "-- migrate:up\nCREATE TABLE a (id int);\n"},
            "20240101120000_init.sql:1: a dbmate migration ('-- migrate:up'): convert the "
            "directory with 'dbshift import dbmate DIR'",
        ),
        (
            {"20240101120000_init.sql": "-- +goose Up\nCREATE TABLE a (id int);\n"},
            "20240101120000_init.sql:1: a goose migration ('-- +goose Up'): convert the "
            "directory with 'dbshift import goose DIR'",
        ),
    ],
    ids=["flyway", "golang-migrate", "dbmate", "goose"],
)
def test_another_tools_directory_names_the_tool_and_the_import(
    proj: Project, files: dict[str, str], said: str
) -> None:
    """A user arriving with a directory laid out for a peer tool is told which file, which
    tool, and what converts it: not "malformed file name" or "duplicate version 1"."""
    for name, text in files.items():
        proj.write(name, text, rehash=False)
    assert said in one_line(proj.run("migrate"), 2)


def test_file_without_up_section(proj: Project) -> None:
    proj.write("1_x.sql", "CREATE TABLE x (id int);\n", rehash=False)
    assert "1_x.sql:1: SQL before the '-- dbshift:up' line" in one_line(proj.run("migrate"), 2)
    proj.write("1_x.sql", "-- just a comment\n", rehash=False)
    assert "1_x.sql: no '-- dbshift:up' section" in one_line(proj.run("migrate"), 2)


def test_unknown_directive_names_its_line(proj: Project) -> None:
    proj.write("1_x.sql", "-- dbshift:no-transation\n-- dbshift:up\nSELECT 1;\n", rehash=False)
    assert "1_x.sql:1: unknown directive 'dbshift:no-transation'" in one_line(
        proj.run("migrate"), 2
    )


def test_unterminated_string_names_its_line(proj: Project) -> None:
    proj.write("1_x.sql", "-- dbshift:up\nSELECT 1;\nSELECT 'oops;\n", rehash=False)
    assert "1_x.sql:3:" in one_line(proj.run("migrate"), 2)


def test_duplicate_versions(proj: Project) -> None:
    proj.write("1_a.sql", sql_migration("SELECT 1;"), rehash=False)
    proj.write("001_b.sql", sql_migration("SELECT 1;"), rehash=False)
    assert "duplicate version 1" in one_line(proj.run("status"), 2)


def test_python_migration_that_fails_to_import(proj: Project) -> None:
    proj.write("1_a.py", "import no_such_module_here\n\ndef up(ctx):\n    pass\n")
    line = one_line(proj.run("migrate"), 2)
    assert "1_a.py:1: fails to import: ModuleNotFoundError" in line
    proj.write("1_a.py", "def up(ctx)\n    pass\n")
    assert "1_a.py:1: syntax error" in one_line(proj.run("migrate"), 2)
    proj.write("1_a.py", "def down(ctx):\n    pass\n")
    assert "1_a.py: defines no up(ctx) function" in one_line(proj.run("migrate"), 2)


def test_bad_toml(proj: Project) -> None:
    (proj.root / "dbshift.toml").write_text('url = "sqlite:///x.db"\nlock_timeout = = 3\n')
    assert "dbshift.toml:2: invalid TOML" in one_line(proj.run("status"), 2)


def test_unknown_config_key_and_environment(proj: Project) -> None:
    (proj.root / "dbshift.toml").write_text('urll = "sqlite:///x.db"\n')
    assert "unknown key 'urll'" in one_line(proj.run("status", url=False), 2)
    (proj.root / "dbshift.toml").write_text('[environments.prod]\nurl = "sqlite:///p.db"\n')
    assert "unknown environment 'staging' (known: prod)" in one_line(
        proj.run("status", "--env", "staging", url=False), 2
    )


def test_bad_urls(proj: Project) -> None:
    assert "unsupported database URL scheme 'oracle'" in one_line(
        proj.run("status", "--url", "oracle://u@h/db", url=False), 2
    )
    assert "bad database URL" in one_line(proj.run("status", "--url", "not a url", url=False), 2)
    assert "no database URL" in one_line(proj.run("status", url=False), 2)


def test_unreachable_server_is_bounded_and_masks_the_password(proj: Project) -> None:
    started = time.monotonic()
    result = proj.run(
        "status",
        "--connect-timeout",
        "2",
        "--url",
        "postgresql://admin:s3cr3t-pw@127.0.0.1:1/db",
        url=False,
    )
    line = one_line(result, 3)
    assert time.monotonic() - started < 20
    assert "cannot connect" in line and "s3cr3t-pw" not in result.err + result.out
    assert "***" in line


def test_password_never_printed_in_status(proj: Project) -> None:
    result = proj.run(
        "status",
        "--connect-timeout",
        "2",
        "--url",
        "mysql://root:hunter2@127.0.0.1:1/test",
        url=False,
    )
    assert result.code == 3 and "hunter2" not in result.err + result.out


def test_config_precedence_explicit_env_beats_database_url(proj: Project) -> None:
    (proj.root / "dbshift.toml").write_text(
        f'url = "sqlite:///{proj.root}/default.db"\n'
        f'[environments.prod]\nurl = "sqlite:///{proj.root}/prod.db"\n'
    )
    proj.write("1_a.sql", sql_migration("CREATE TABLE a (id INTEGER);"))
    env = {"DATABASE_URL": f"sqlite:///{proj.root}/env.db"}
    assert proj.run("migrate", "--env", "prod", env=env, url=False).code == 0
    assert (proj.root / "prod.db").exists() and not (proj.root / "env.db").exists()
    assert proj.run("migrate", env=env, url=False).code == 0
    assert (proj.root / "env.db").exists() and not (proj.root / "default.db").exists()
    both = {**env, "DBSHIFT_URL": f"sqlite:///{proj.root}/dbshift.db"}
    assert proj.run("migrate", env=both, url=False).code == 0
    assert (proj.root / "dbshift.db").exists()


def test_pyproject_tool_table_is_read(proj: Project) -> None:
    (proj.root / "pyproject.toml").write_text(
        f'[project]\nname = "x"\n[tool.dbshift]\nurl = "sqlite:///{proj.root}/py.db"\nmigrations = "db/m"\n'
    )
    (proj.root / "db" / "m").mkdir(parents=True)
    result = proj.run("status", url=False)
    assert result.code == 0, result.err


def test_lock_not_acquired_in_time_exits_3(proj: Project) -> None:
    import fcntl
    import os

    proj.write("1_a.sql", sql_migration("CREATE TABLE a (id INTEGER);"))
    fd = os.open(proj.root / "app.db.dbshift-lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        line = one_line(proj.run("migrate", "--lock-timeout", "0.5"), 3)
    finally:
        os.close(fd)
    assert "migration lock" in line and "not acquired within 0.5s" in line
