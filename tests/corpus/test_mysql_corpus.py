"""Realistic MySQL/MariaDB schemas (tests/corpus/mysql/*), generated from empty, migrated to
their next release and back through ``dbshift diff``, and judged by information_schema:
what the server reports for the migrated database must equal what it reports for the
release's SQL run directly, not what dbshift reads back."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy
from sqlalchemy.engine import make_url

from tests.clients import mysql_client, mysql_dump
from tests.conftest import (
    MYSQL_URL,
    Database,
    Project,
    dbshift_executable,
    fresh_databases,
    sql_migration,
)

pytestmark = pytest.mark.mysql
HERE = Path(__file__).parent / "mysql"
CORPUS = sorted(p.name for p in HERE.iterdir() if p.is_dir())

#: information_schema, one query per kind of object, the database's name left out.
SNAPSHOT = {
    "columns": "SELECT TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, COLUMN_DEFAULT, IS_NULLABLE,"
    " COLUMN_TYPE, COLLATION_NAME, EXTRA, COLUMN_COMMENT FROM information_schema.COLUMNS"
    " WHERE TABLE_SCHEMA = DATABASE()",
    "indexes": "SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, COLUMN_NAME, SUB_PART"
    " FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE()",
    "constraints": "SELECT TABLE_NAME, CONSTRAINT_NAME, CONSTRAINT_TYPE"
    " FROM information_schema.TABLE_CONSTRAINTS WHERE TABLE_SCHEMA = DATABASE()",
    "foreign keys": "SELECT TABLE_NAME, CONSTRAINT_NAME, REFERENCED_TABLE_NAME, UPDATE_RULE,"
    " DELETE_RULE FROM information_schema.REFERENTIAL_CONSTRAINTS"
    " WHERE CONSTRAINT_SCHEMA = DATABASE()",
    "checks": "SELECT CONSTRAINT_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS"
    " WHERE CONSTRAINT_SCHEMA = DATABASE()",
    "views": "SELECT TABLE_NAME, CHECK_OPTION, SECURITY_TYPE,"
    " REPLACE(VIEW_DEFINITION, CONCAT('`', DATABASE(), '`.'), '')"
    " FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE()",
    "routines": "SELECT ROUTINE_NAME, ROUTINE_TYPE, DTD_IDENTIFIER, ROUTINE_DEFINITION,"
    " IS_DETERMINISTIC, SQL_DATA_ACCESS, SECURITY_TYPE FROM information_schema.ROUTINES"
    " WHERE ROUTINE_SCHEMA = DATABASE()",
    "partitions": "SELECT TABLE_NAME, PARTITION_NAME, SUBPARTITION_NAME, PARTITION_ORDINAL_POSITION,"
    " PARTITION_METHOD, PARTITION_EXPRESSION, PARTITION_DESCRIPTION, PARTITION_COMMENT"
    " FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA = DATABASE()",
    "triggers": "SELECT TRIGGER_NAME, EVENT_MANIPULATION, EVENT_OBJECT_TABLE, ACTION_TIMING,"
    " ACTION_STATEMENT FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()",
}


@pytest.fixture
def three(tmp_path: Path) -> Iterator[list[Database]]:
    yield from fresh_databases("mysql", tmp_path, 3)


def execute(url: str, statements: list[str]) -> None:
    engine = sqlalchemy.create_engine(make_url(url.replace("mysql://", "mysql+pymysql://", 1)))
    try:
        with engine.connect() as conn:
            raw = conn.execution_options(no_parameters=True)
            for sql in statements:
                raw.exec_driver_sql(sql)
    finally:
        engine.dispose()


def snapshot(url: str) -> dict[str, list[tuple[object, ...]]]:
    engine = sqlalchemy.create_engine(make_url(url.replace("mysql://", "mysql+pymysql://", 1)))
    try:
        with engine.connect() as conn:
            return {
                kind: sorted(tuple(map(str, row)) for row in conn.exec_driver_sql(sql))
                for kind, sql in SNAPSHOT.items()
            }
    finally:
        engine.dispose()


def statements_of(path: Path) -> list[str]:
    """The release file's statements (one per ``;`` at a line's end: no routine bodies with
    BEGIN … END in the corpus)."""
    text = "\n".join(line for line in path.read_text().splitlines() if not line.startswith("--"))
    return [s.strip() for s in text.split(";\n") if s.strip().rstrip(";")]


def migrate(target: str, to: Path) -> list[dict[str, object]]:
    done = subprocess.run(
        [
            *dbshift_executable(),
            "diff",
            "--from",
            target,
            "--to",
            str(to),
            "--dev-url",
            MYSQL_URL,
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    if done.stdout.strip() == "no differences":
        return []
    plan: list[dict[str, object]] = json.loads(done.stdout)
    execute(target, [sql for op in plan for sql in op["sql"]])  # type: ignore[union-attr]
    return plan


@pytest.mark.parametrize("name", CORPUS)
def test_release_up_and_back_matches_information_schema(name: str, three: list[Database]) -> None:
    v1, v2 = HERE / name / "v1.sql", HERE / name / "v2.sql"
    ref1, ref2, target = (d.url for d in three)
    execute(ref1, statements_of(v1))
    execute(ref2, statements_of(v2))
    assert snapshot(ref1) != snapshot(ref2)

    assert migrate(target, v1)
    assert snapshot(target) == snapshot(ref1)
    migrate(target, v2)
    assert snapshot(target) == snapshot(ref2)
    migrate(target, v1)
    back, expected = snapshot(target), snapshot(ref1)
    # A column added back goes last: positions aside.
    for kind in ("columns",):
        back[kind] = sorted(r[:2] + r[3:] for r in back[kind])
        expected[kind] = sorted(r[:2] + r[3:] for r in expected[kind])
    assert back == expected
    assert migrate(target, v1) == []


def without_history(
    snap: dict[str, list[tuple[object, ...]]],
) -> dict[str, list[tuple[object, ...]]]:
    """A snapshot less the runner's own tables (dbshift_history*)."""
    return {
        kind: [r for r in rows if not str(r[0]).startswith("dbshift_history")]
        for kind, rows in snap.items()
    }


@pytest.mark.parametrize("name", CORPUS)
def test_a_mysqldump_of_the_release_runs_as_a_migration(
    name: str, three: list[Database], tmp_path: Path
) -> None:
    """The common baseline: ``mariadb-dump --no-data`` output (DELIMITER ;; around routines
    and triggers, ``/*!50003 … */`` versioned comments, ``SET @saved_cs_client`` lines) as
    the first migration file of a project, run by ``dbshift migrate``: it must do what the
    server's own client does with the dump, judged by information_schema."""
    ref, by_client, target = (d.url for d in three)
    execute(ref, statements_of(HERE / name / "v2.sql"))
    baseline = mysql_dump(ref, "--no-data", "--routines", "--triggers", "--skip-comments")
    loaded = mysql_client(by_client, baseline)
    (tmp_path / "project").mkdir()
    project = Project(tmp_path / "project", target)
    project.write("0001_baseline.sql", sql_migration(baseline))
    done = project.run("migrate")
    if loaded.returncode != 0:
        # The dump does not load with the server's own client either: a view WITH CHECK
        # OPTION over another view meets that view's placeholder (SELECT NULL AS …, not
        # updatable) and fails with error 1368. dbshift stops at the same statement.
        code = re.search(r"ERROR (\d+)", loaded.stderr)
        assert code is not None, loaded.stderr
        assert done.code != 0
        assert f"(error {code.group(1)})" in done.err, done.err
        return
    assert done.code == 0, done.err
    assert without_history(snapshot(target)) == snapshot(ref) == snapshot(by_client)
