"""``dbshift migrate`` confirms destructive statements before running any pending migration:
asked on a terminal, refused (exit 1, file:line named) without one, unless
``--allow-destructive`` or a ``-- dbshift:ignore`` line in the file confirms them."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbshift.cli.destructive import narrows
from dbshift.dialects import named
from tests.conftest import Database, Project, sql_migration

CREATE = sql_migration(
    "CREATE TABLE keep (id integer PRIMARY KEY);\nCREATE TABLE old (id integer PRIMARY KEY);",
    "DROP TABLE old;\nDROP TABLE keep;",
)
DROP = sql_migration(
    "CREATE TABLE scratch (id integer);\n"
    "DROP TABLE scratch;\n"  # created in this file: holds nothing, not destructive
    "DELETE FROM keep WHERE id < 0;\n"
    "DROP TABLE old;\n"
    "DELETE FROM keep;",
)


def created(db: Database, tmp_path: Path) -> Project:
    """A project on ``db`` with CREATE applied: tables keep and old exist."""
    project = Project(tmp_path, db.url)
    project.write("1_create.sql", CREATE)
    assert project.run("migrate").code == 0
    return project


def test_destructive_migration_is_refused_without_a_terminal(db: Database, tmp_path: Path) -> None:
    project = created(db, tmp_path)
    project.write("2_drop.sql", DROP)

    refused = project.run("migrate")
    assert refused.code == 1
    assert "migrations/2_drop.sql:5: DROP TABLE" in refused.err
    assert "migrations/2_drop.sql:6: " in refused.err
    assert ":3:" not in refused.err and ":4:" not in refused.err
    assert "--allow-destructive" in refused.err
    assert "old" in db.tables()

    # Listing or printing what would run needs no confirmation.
    assert project.run("migrate", "--dry-run").code == 0
    assert project.run("migrate", "--sql").code == 0

    applied = project.run("migrate", "--allow-destructive")
    assert applied.code == 0, applied.err
    assert "old" not in db.tables()


def test_ignore_line_in_the_file_is_the_confirmation(db: Database, tmp_path: Path) -> None:
    project = created(db, tmp_path)
    project.write(
        "2_drop.sql",
        sql_migration(
            "-- dbshift:ignore drop-table replaced by keep in release 41, backed up\n"
            "DROP TABLE old;"
        ),
    )
    applied = project.run("migrate")
    assert applied.code == 0, applied.err
    assert "old" not in db.tables()


def test_terminal_is_asked_and_no_stops_everything(sqlite_db: Database, tmp_path: Path) -> None:
    project = created(sqlite_db, tmp_path)
    project.write("2_more.sql", sql_migration("CREATE TABLE more (id integer);"))
    project.write("3_drop.sql", sql_migration("DROP TABLE old;"))

    code, err = project.answered("n", "migrate")
    assert code == 1
    assert "migrations/3_drop.sql:2: DROP TABLE" in err and "[y/N]" in err
    # The check runs before the first pending migration: 2_more did not run either.
    assert "more" not in sqlite_db.tables()

    code, err = project.answered("y", "migrate")
    assert code == 0, err
    assert "more" in sqlite_db.tables() and "old" not in sqlite_db.tables()


@pytest.mark.parametrize(
    ("old", "new", "dialect", "narrower"),
    [
        ("character varying(100)", "varchar(10)", "postgresql", True),
        ("character varying(10)", "varchar(100)", "postgresql", False),
        ("text", "varchar(255)", "postgresql", True),
        ("character varying(10)", "text", "postgresql", False),
        ("bigint", "int4", "postgresql", True),
        ("integer", "int8", "postgresql", False),
        ("numeric(10,2)", "numeric(10, 1)", "postgresql", True),
        ("numeric(10,2)", "numeric(12, 2)", "postgresql", False),
        ("numeric(10,2)", "int8", "postgresql", True),
        ("double precision", "float4", "postgresql", True),
        ("text", "int4", "postgresql", False),  # another kind: refused or converted, not cut
        ("int(11)", "bigint", "mysql", False),
        ("bigint(20)", "int", "mysql", True),
        ("mediumtext", "text", "mysql", True),
        ("text", "mediumtext", "mysql", False),
        ("varchar(100)", "varchar(50)", "mysql", True),
        ("decimal(10,2)", "decimal", "mysql", True),
    ],
)
def test_narrowing_compares_the_live_type_with_the_new_one(
    old: str, new: str, dialect: str, narrower: bool
) -> None:
    assert narrows(old, new, named(dialect)) is narrower


def test_narrowing_a_live_column_is_destructive(db: Database, tmp_path: Path) -> None:
    if db.backend == "sqlite":
        pytest.skip("SQLite has no ALTER COLUMN TYPE")
    project = Project(tmp_path, db.url)
    project.write("1_create.sql", sql_migration("CREATE TABLE t (code varchar(100));"))
    assert project.run("migrate").code == 0
    alter = {
        "postgresql": "ALTER TABLE t ALTER COLUMN code TYPE varchar({n});",
        "mysql": "ALTER TABLE t MODIFY code varchar({n});",
    }[db.backend]
    project.write("2_wider.sql", sql_migration(alter.format(n=200)))
    assert project.run("migrate").code == 0
    project.write("3_narrower.sql", sql_migration(alter.format(n=10)))
    refused = project.run("migrate")
    assert refused.code == 1
    assert "migrations/3_narrower.sql:2: column code of t narrowed from" in refused.err
    assert project.run("migrate", "--allow-destructive").code == 0
