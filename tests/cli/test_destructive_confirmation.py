"""``dbshift migrate`` confirms destructive statements before running any pending migration:
asked on a terminal, refused (exit 1, file:line named) without one, unless
``--allow-destructive`` or a ``-- dbshift:ignore`` line in the file confirms them."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.conftest import Database, Project, dbshift_executable, sql_migration

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


def test_destructive_migration_is_refused_without_a_terminal(db: Database, tmp_path: Path) -> None:
    project = Project(tmp_path, db.url)
    project.write("1_create.sql", CREATE)
    assert project.run("migrate").code == 0
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
    project = Project(tmp_path, db.url)
    project.write("1_create.sql", CREATE)
    assert project.run("migrate").code == 0
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
    project = Project(tmp_path, sqlite_db.url)
    project.write("1_create.sql", CREATE)
    project.write("2_drop.sql", sql_migration("DROP TABLE old;"))

    def answered(answer: str) -> tuple[int, str]:
        leader, follower = os.openpty()
        env = {k: v for k, v in os.environ.items() if k not in ("DBSHIFT_URL", "DATABASE_URL")}
        proc = subprocess.Popen(
            [*dbshift_executable(), "migrate", "--url", project.url],
            cwd=project.root,
            env=env,
            stdin=follower,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        os.close(follower)
        os.write(leader, f"{answer}\n".encode())
        _, err = proc.communicate(timeout=60)
        os.close(leader)
        return proc.returncode, err

    code, err = answered("n")
    assert code == 1
    assert "migrations/2_drop.sql:2: DROP TABLE" in err and "[y/N]" in err
    # The check runs before the first pending migration: 1_create did not run either.
    assert "keep" not in sqlite_db.tables()

    code, err = answered("y")
    assert code == 0, err
    assert "keep" in sqlite_db.tables() and "old" not in sqlite_db.tables()
