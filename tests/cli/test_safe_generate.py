"""``dbshift generate`` on PostgreSQL writes the non-blocking forms for tables that already
hold rows, and what it writes applies with ``dbshift migrate`` and converges."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.test_schema_commands import write
from tests.conftest import POSTGRES_URL, Database, Project

pytestmark = pytest.mark.postgres

V1 = """
CREATE TABLE authors (id integer PRIMARY KEY, name text);
CREATE TABLE books (id integer PRIMARY KEY, author_id integer, title text, isbn text);
"""

V2 = """
CREATE TABLE authors (id integer PRIMARY KEY, name text);
CREATE TABLE books (
    id integer PRIMARY KEY,
    author_id integer REFERENCES authors (id),
    title text NOT NULL,
    isbn text,
    token uuid NOT NULL DEFAULT gen_random_uuid(),
    CONSTRAINT books_isbn_len CHECK (length(isbn) < 20),
    CONSTRAINT books_title_key UNIQUE (title)
);
CREATE INDEX books_title_idx ON books (title);
"""


@pytest.fixture
def project(pg_db: Database, tmp_path: Path) -> Project:
    project = Project(tmp_path, pg_db.url)
    write(project, "v1.sql", V1)
    write(project, "v2.sql", V2)
    project.rehash()
    made = project.run("generate", "initial", "--to", "v1.sql", "--dev-url", POSTGRES_URL)
    assert made.code == 0, made.err
    assert project.run("migrate").code == 0
    with pg_db.engine().begin() as conn:
        conn.exec_driver_sql("INSERT INTO authors VALUES (1, 'a')")
        conn.exec_driver_sql(
            "INSERT INTO books SELECT g, 1, 'title ' || g, 'i' FROM generate_series(1, 25000) g"
        )
    return project


def generated(project: Project, name: str) -> str:
    return next(project.migrations.glob(f"*_{name}.sql")).read_text()


def test_safe_forms_are_written_applied_and_converge(project: Project, pg_db: Database) -> None:
    made = project.run("generate", "safe", "--to", "v2.sql", "--dev-url", POSTGRES_URL)
    assert made.code == 0, made.err
    text = generated(project, "safe")
    up, down = text.split("-- dbshift:down")
    assert text.index("-- dbshift:no-transaction") < text.index("-- dbshift:up")
    assert 'CREATE INDEX CONCURRENTLY "books_title_idx" ON "books"' in up
    assert 'DROP INDEX CONCURRENTLY "books_title_idx"' in down
    # Foreign key and check: NOT VALID, then validated in a statement of its own.
    assert 'FOREIGN KEY ("author_id") REFERENCES "authors" ("id") NOT VALID;' in up
    assert 'ALTER TABLE "books" VALIDATE CONSTRAINT "books_author_id_fkey";' in up
    assert "CHECK ((length(isbn) < 20)) NOT VALID;" in up
    assert 'ALTER TABLE "books" VALIDATE CONSTRAINT "books_isbn_len";' in up
    # A unique constraint: its index built concurrently, then attached.
    unique = [
        'CREATE UNIQUE INDEX CONCURRENTLY "books_title_key" ON "books" ("title");',
        'ADD CONSTRAINT "books_title_key" UNIQUE USING INDEX "books_title_key";',
    ]
    assert up.index(unique[0]) < up.index(unique[1])
    # SET NOT NULL behind a validated IS NOT NULL check, dropped afterwards.
    dance = [
        'ADD CONSTRAINT "books_title_not_null" CHECK ("title" IS NOT NULL) NOT VALID;',
        'VALIDATE CONSTRAINT "books_title_not_null";',
        'ALTER COLUMN "title" SET NOT NULL;',
        'DROP CONSTRAINT "books_title_not_null";',
    ]
    positions = [up.index(step) for step in dance]
    assert positions == sorted(positions)
    # The volatile default: nullable column, default for new rows, batched backfill.
    steps = [
        'ADD COLUMN "token" uuid;',
        'ALTER COLUMN "token" SET DEFAULT gen_random_uuid();',
        "DO $dbshift$",
        'UPDATE "books" SET "token" = gen_random_uuid() WHERE "id" BETWEEN lo AND hi',
        "COMMIT;",
        'ALTER COLUMN "token" SET NOT NULL;',
    ]
    positions = [up.index(step) for step in steps]
    assert positions == sorted(positions)

    applied = project.run("migrate")
    assert applied.code == 0, applied.err
    assert pg_db.scalar("SELECT count(DISTINCT token) FROM books") == 25000
    assert (
        pg_db.scalar("SELECT count(*) FROM pg_constraint WHERE right(conname, 9) = '_not_null'")
        == 0
    )
    assert pg_db.scalar(
        "SELECT bool_and(convalidated) FROM pg_constraint WHERE conrelid = 'books'::regclass"
    )
    again = project.run("generate", "again", "--to", "v2.sql", "--dev-url", POSTGRES_URL)
    assert again.code == 0, again.err
    assert "no changes" in again.out

    assert project.run("rollback", "--allow-destructive").code == 0
    assert pg_db.scalar("SELECT count(*) FROM pg_indexes WHERE indexname = 'books_title_idx'") == 0
    assert project.run("migrate").code == 0


def test_breaking_changes_are_marked_and_warned(project: Project) -> None:
    write(
        project,
        "v3.sql",
        """
        CREATE TABLE authors (id integer PRIMARY KEY, full_name text);
        CREATE TABLE books (id integer PRIMARY KEY, author_id bigint, title text);
        """,
    )
    made = project.run(
        "generate",
        "breaking",
        "--to",
        "v3.sql",
        "--rename",
        "authors.name:full_name",
        "--dev-url",
        POSTGRES_URL,
    )
    assert made.code == 0, made.err
    text = generated(project, "breaking")
    head = text.split("-- dbshift:up")[0]
    for change in (
        "rename column authors.name to full_name",
        "alter column books.author_id",
        "drop column books.isbn",
    ):
        assert f"-- breaking: {change}" in head, head
        assert f"warning: breaking change: {change}" in made.err
    assert "expand/contract" in head
    assert "note: 1 destructive operation(s): 'dbshift migrate' asks" in made.err
    assert "-- dbshift:no-transaction" not in text
