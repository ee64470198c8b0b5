"""The same bad input gives the same exit code and the same kind of one-line message on
every server: an exit code is part of the contract (see ``dbshift --help``), and a script
that checks it must not need to know which database it ran against.

Each test runs once per backend (the ``db`` fixture) through the real entry point.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.test_schema_commands import dev_args
from tests.conftest import Database, Project, Result, sql_migration

USAGE, FAILED = 2, 1

ITEMS = "CREATE TABLE items (id integer PRIMARY KEY, code varchar(20) NOT NULL);"


def one_line(result: Result, code: int) -> str:
    """The single ``dbshift: error:`` line of a failed run that exited with ``code``."""
    assert result.code == code, (result.code, result.out, result.err)
    assert "Traceback" not in result.err and "internal error" not in result.err, result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("dbshift: error: "), lines[0]
    return lines[0]


def create_items(db: Database) -> None:
    with db.begin(autocommit=False) as conn:
        conn.exec_driver_sql(ITEMS)
        conn.exec_driver_sql("INSERT INTO items (id, code) VALUES (1, 'a')")


@pytest.fixture
def project(db: Database, tmp_path: Path) -> Project:
    """An empty project on each backend in turn, with its (empty) sum file written."""
    made = Project(tmp_path, db.url)
    made.rehash()
    return made


# -- a migration file that cannot be split into statements ---------------------------------


@pytest.mark.parametrize(
    ("body", "line"),
    [("SELECT 1;\nSELECT 'oops;\n", 3), ("SELECT 1;\n/* never closed\nSELECT 2;\n", 3)],
    ids=["quote", "comment"],
)
@pytest.mark.parametrize("command", ["migrate", "plan", "status"])
def test_a_file_that_cannot_be_split_is_a_usage_error_naming_its_line(
    project: Project, command: str, body: str, line: int
) -> None:
    project.write("1_broken.sql", "-- dbshift:up\n" + body)
    extra = dev_args(project) if command == "plan" else []
    message = one_line(project.run(command, *extra), USAGE)
    assert f"1_broken.sql:{line}: unterminated" in message


def test_lint_reports_a_file_that_cannot_be_split_as_a_finding(project: Project) -> None:
    """lint's contract differs on purpose: a finding on stdout (exit 1), the same on each
    server, so an editor or CI annotation can point at the line."""
    project.write("1_broken.sql", "-- dbshift:up\nSELECT 1;\nSELECT 'oops;\n")
    result = project.run("lint")
    assert result.code == FAILED and "Traceback" not in result.err, result
    assert "1_broken.sql:3: error [parse-error] unterminated quoted string" in result.out


# -- an operation against a table that is not there ----------------------------------------


@pytest.mark.parametrize(
    ("hint", "says"),
    [
        ("ghosts:people", "rename hint ghosts:people: no table ghosts in the current schema"),
        ("items.nope:code", "rename hint items.nope:code: no such column in the current schema"),
    ],
    ids=["table", "column"],
)
def test_generate_with_a_rename_hint_naming_nothing_is_a_usage_error(
    project: Project, db: Database, hint: str, says: str
) -> None:
    create_items(db)
    (project.root / "schema.sql").write_text(ITEMS + "\n", encoding="utf-8")
    args = ("--to", "schema.sql", "--rename", hint, *dev_args(project))
    assert says in one_line(project.run("generate", "renamed", *args), USAGE)
    assert not list(project.migrations.glob("*renamed*"))  # nothing was written


@pytest.mark.parametrize("command", ["plan", "migrate"])
def test_a_migration_altering_a_missing_table_fails_naming_its_line(
    project: Project, command: str
) -> None:
    project.write("1_create.sql", sql_migration("CREATE TABLE t1 (id integer);"))
    project.write("2_alter.sql", sql_migration("ALTER TABLE ghosts ADD COLUMN x integer;"))
    extra = dev_args(project) if command == "plan" else []
    message = one_line(project.run(command, *extra), FAILED)
    assert "2_alter.sql:2: " in message and "ghosts" in message


# -- a rollback that has no way back --------------------------------------------------------


def test_rolling_back_a_migration_without_down_is_refused_alike(project: Project) -> None:
    project.write("1_a.sql", sql_migration("CREATE TABLE t1 (id integer);", "DROP TABLE t1;"))
    project.write("2_b.sql", sql_migration("CREATE TABLE t2 (id integer);"))
    assert project.run("migrate").code == 0
    message = one_line(project.run("rollback"), FAILED)
    assert "2_b.sql: has no down section; nothing was rolled back" in message
    # Refused before anything ran: both migrations are still applied.
    status = project.run("status")
    assert status.code == 0 and "applied 2, pending 0" in status.out, status.out


# -- a bad online migration file -------------------------------------------------------------

ONLINE_ALTER = """safety_period = 0
[[operations]]
type = "alter_column"
table = "{table}"
column = "{column}"
data_type = "text"
up = "upper({column})"
down = "lower({column})"
"""


@pytest.mark.parametrize(
    ("missing", "table", "column"),
    [("table", "ghosts", "code"), ("column", "items", "nope")],
    ids=["table", "column"],
)
def test_an_online_file_naming_something_missing_fails_alike(
    project: Project,
    db: Database,
    missing: str,
    table: str,
    column: str,
) -> None:
    create_items(db)
    (project.root / "1_change.toml").write_text(ONLINE_ALTER.format(table=table, column=column))
    message = one_line(project.run("online", "start", "1_change.toml"), FAILED)
    assert "1_change.toml" in message and (table if missing == "table" else column) in message
    assert db.scalar("SELECT code FROM items WHERE id = 1") == "a"
