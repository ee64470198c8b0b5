"""Realistic PostgreSQL schemas, written for these tests (tests/corpus/postgresql/*):
each is generated from empty, migrated to its next release and back through ``dbshift
diff`` and psql, and judged by the server's own ``pg_dump --schema-only``, not by dbshift.

The reference for each release is the release's SQL run by psql into a database of its
own; the database dbshift migrated must dump the same (statement order aside, and, after
going back, column order: a column added back goes last).
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.clients import pg_dump, psql
from tests.conftest import (
    POSTGRES_URL,
    Database,
    Project,
    dbshift_executable,
    fresh_databases,
    sql_migration,
)

pytestmark = pytest.mark.postgres
HERE = Path(__file__).parent / "postgresql"
CORPUS = sorted(p.name for p in HERE.iterdir() if p.is_dir())


@pytest.fixture
def four(tmp_path: Path) -> Iterator[list[Database]]:
    yield from fresh_databases("postgresql", tmp_path, 4)


def dump(url: str, *, any_column_order: bool = False) -> list[str]:
    """pg_dump --schema-only as a sorted list of statements, without comments and SETs."""
    text = pg_dump(
        url,
        "--schema-only",
        "--no-owner",
        "--no-privileges",
        "--exclude-table=dbshift_history*",  # the runner's own tables
    )
    lines = [
        line
        for line in text.splitlines()
        if line.strip()
        and not line.startswith(
            ("--", "SET ", "SELECT pg_catalog.set_config", "\\restrict", "\\unrestrict")
        )
    ]
    statements = [s.strip() for s in "\n".join(lines).split(";\n") if s.strip()]
    if any_column_order:
        statements = [
            "\n".join(sorted(line.strip().rstrip(",") for line in s.splitlines()))
            for s in statements
        ]
    return sorted(statements)


def migrate(target: str, to: Path) -> str:
    """``dbshift diff --from target --to release.sql`` run by psql in one transaction."""
    dev = make_url(POSTGRES_URL).render_as_string(hide_password=False)
    done = subprocess.run(
        [
            *dbshift_executable(),
            "diff",
            "--from",
            target,
            "--to",
            str(to),
            "--dev-url",
            dev,
            "--format",
            "sql",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    psql(target, done.stdout)
    return done.stdout


@pytest.mark.parametrize("name", CORPUS)
def test_release_up_and_back_dumps_as_written(name: str, four: list[Database]) -> None:
    v1, v2 = HERE / name / "v1.sql", HERE / name / "v2.sql"
    ref1, ref2, target, _ = (d.url for d in four)
    psql(ref1, v1.read_text())
    psql(ref2, v2.read_text())

    assert dump(ref1) != dump(ref2)  # a release that changes nothing would prove nothing

    first = migrate(target, v1)
    assert first.strip(), "nothing generated from empty"
    assert dump(target) == dump(ref1)

    up = migrate(target, v2)
    assert dump(target) == dump(ref2), up

    down = migrate(target, v1)
    assert dump(target, any_column_order=True) == dump(ref1, any_column_order=True), down
    # And nothing is left to do.
    assert re.sub(r"\s+", "", migrate(target, v1)) in ("", "--nodifferences")


@pytest.mark.parametrize("name", CORPUS)
def test_a_pg_dump_of_the_release_runs_as_a_migration(
    name: str, four: list[Database], tmp_path: Path
) -> None:
    """The common baseline: ``pg_dump --schema-only`` output as the first migration file."""
    ref, target = four[0].url, four[1].url
    psql(ref, (HERE / name / "v2.sql").read_text())
    baseline = pg_dump(ref, "--schema-only", "--no-owner", "--no-privileges")
    # pg_dump 15.14+ fences its output with psql's \restrict / \unrestrict lines: the
    # runner skips them (and refuses other psql meta-commands by line).
    (tmp_path / "project").mkdir()
    project = Project(tmp_path / "project", target)
    project.write("0001_baseline.sql", sql_migration(baseline))
    done = project.run("migrate")
    assert done.code == 0, done.err
    assert dump(target) == dump(ref)
