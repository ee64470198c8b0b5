"""A plain ``pg_dump`` with its data runs as a migration: each table's rows come as
``COPY ... FROM stdin;`` followed by the rows and a ``\\.`` line, which psql reads as data,
not SQL. Judged by the server: the rows read back equal the source's, and so does the
schema by ``pg_dump``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dbshift.dialects import named
from dbshift.migrations.splitter import split_sql
from tests.clients import pg_dump, psql
from tests.conftest import Database, Project, fresh_databases, sql_migration

pytestmark = pytest.mark.postgres

SOURCE = r"""
CREATE TABLE public.author (id integer PRIMARY KEY, name text NOT NULL, bio text,
    tags text[], photo bytea, born date, score numeric(6,2));
CREATE TABLE public.book (id integer PRIMARY KEY,
    author_id integer NOT NULL REFERENCES public.author (id), title text NOT NULL);
INSERT INTO public.author VALUES
  (1, 'tab	inside', E'line one\nline two', ARRAY['a', 'b,c', NULL], '\xdeadbeef', '2000-02-29', 1.5),
  (2, 'back\slash and \. alone', NULL, '{}', NULL, NULL, NULL),
  (3, 'ünïcödé ☃', E'\\.', ARRAY['\.'], '\x', 'infinity', -0.25);
INSERT INTO public.book SELECT g, 1 + g % 3, 'title ' || g FROM generate_series(1, 500) g;
"""


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[list[Database]]:
    yield from fresh_databases("postgresql", tmp_path, 3)


def rows(db: Database) -> list[tuple[object, ...]]:
    with db.connect() as conn:
        return [
            *conn.exec_driver_sql("SELECT a::text FROM author a ORDER BY id").all(),
            *conn.exec_driver_sql("SELECT b::text FROM book b ORDER BY id").all(),
        ]


def schema(db: Database) -> list[str]:
    """pg_dump --schema-only, less its comments and the random key of its \\restrict
    fence (pg_dump 15.14+) and dbshift's own history tables."""
    text = pg_dump(db.url, "--schema-only", "--no-owner", "--exclude-table=dbshift_*")
    return [
        line
        for line in text.splitlines()
        if line and not line.startswith(("--", "\\restrict", "\\unrestrict"))
    ]


def test_a_pg_dump_with_its_data_runs_as_the_first_migration(
    pair: list[Database], tmp_path: Path
) -> None:
    source, target = pair[0], pair[1]
    psql(source.url, SOURCE)
    dumped = pg_dump(source.url, "--no-owner", "--no-privileges")
    assert "FROM stdin;" in dumped  # the rows come as psql's COPY input
    project = Project(tmp_path, target.url)
    project.write("0001_baseline.sql", sql_migration(dumped))
    done = project.run("migrate")
    assert done.code == 0, done.err
    assert rows(target) == rows(source)
    assert schema(target) == schema(source)
    # The offline script prints the rows back in psql's form: psql runs it to the same rows.
    third = pair[2]
    (tmp_path / "offline").mkdir()
    offline = Project(tmp_path / "offline", third.url)
    offline.write("0001_baseline.sql", sql_migration(dumped))
    script = offline.run("migrate", "--sql")
    assert script.code == 0, script.err
    psql(third.url, script.out)
    assert rows(third) == rows(source)


def test_bad_rows_fail_with_the_file_and_line_of_their_copy(
    pair: list[Database], tmp_path: Path
) -> None:
    target = pair[1]
    project = Project(tmp_path, target.url)
    project.write(
        "0001_rows.sql",
        sql_migration(
            "CREATE TABLE t (id integer PRIMARY KEY, n integer);\n"
            "COPY public.t (id, n) FROM stdin;\n1\t2\n2\tnot a number\n\\.\n"
            "CREATE TABLE after_it (id integer);"
        ),
    )
    done = project.run("migrate")
    assert done.code != 0
    assert "0001_rows.sql:3" in done.err, done.err
    assert "not a number" in done.err or "invalid input syntax" in done.err, done.err
    assert "Traceback" not in done.err
    with target.connect() as conn:  # the migration's transaction rolled back whole
        assert conn.exec_driver_sql("SELECT to_regclass('public.t')").scalar() is None


def test_copy_rows_are_data_to_the_splitter() -> None:
    text = (
        "COPY t (a) FROM stdin;\nx;y\n-- not a comment\n$$ not a quote\n\\.\n"
        "SELECT 1;\nCOPY t TO stdout;\nCOPY u FROM STDIN WITH (FORMAT csv);\n\\.\n"
    )
    found = [(s.line, s.sql, s.copy_data) for s in split_sql(text, named("postgresql"))]
    assert found == [
        (1, "COPY t (a) FROM stdin", "x;y\n-- not a comment\n$$ not a quote\n"),
        (6, "SELECT 1", None),
        (7, "COPY t TO stdout", None),
        (8, "COPY u FROM STDIN WITH (FORMAT csv)", ""),
    ]


def test_a_copy_without_its_end_line_is_a_one_line_error() -> None:
    from dbshift.errors import SplitError

    with pytest.raises(SplitError) as found:
        split_sql("SELECT 1;\nCOPY t FROM stdin;\n1\n2\n", named("postgresql"))
    assert found.value.line == 2
    assert "\\." in str(found.value)
