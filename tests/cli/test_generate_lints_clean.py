"""What ``dbshift generate`` writes, its own linter accepts: on every server, a
representative change to tables that already exist (a column added, an index, a foreign
key, a type change, a rename, a drop) gives a migration with no finding at warning level
or above, except those the operation's own safety flags announce (the generated comment
names them and ``migrate`` asks before a destructive one).

MySQL's change has no foreign key: with foreign_key_checks on, InnoDB can add one only by
copying the table, which both the MySQL safety table and the linter report; there is no
safe form for generate to write."""

from __future__ import annotations

import re
from pathlib import Path

from dbshift.lint.engine import Linter
from dbshift.lint.rule import DEFAULT_SERVERS, Severity
from dbshift.lint.rules import all_rules
from tests.cli.test_schema_commands import write
from tests.conftest import MYSQL_URL, POSTGRES_URL, Database, Project

DEV = {"postgresql": POSTGRES_URL, "mysql": MYSQL_URL, "sqlite": None}

V1 = {
    "postgresql": """
        CREATE TABLE authors (id integer PRIMARY KEY, name text);
        CREATE TABLE books (id integer PRIMARY KEY, author_id integer, title varchar(100),
                            isbn text, old text);
    """,
    "mysql": """
        CREATE TABLE authors (id int PRIMARY KEY, name text);
        CREATE TABLE books (id int PRIMARY KEY, author_id int, title varchar(20),
                            isbn text, old text);
    """,
    "sqlite": """
        CREATE TABLE authors (id integer PRIMARY KEY, name text);
        CREATE TABLE books (id integer PRIMARY KEY, author_id integer, title varchar(100),
                            isbn text, old text);
    """,
}
V2 = {
    "postgresql": """
        CREATE TABLE authors (id integer PRIMARY KEY, name text);
        CREATE TABLE books (
            id integer PRIMARY KEY,
            author_id integer REFERENCES authors (id),
            title varchar(200),
            code text,
            token uuid DEFAULT gen_random_uuid(),
            pages integer DEFAULT 0
        );
        CREATE INDEX books_title_idx ON books (title);
    """,
    "mysql": """
        CREATE TABLE authors (id int PRIMARY KEY, name text);
        CREATE TABLE books (
            id int PRIMARY KEY,
            author_id int,
            title varchar(40),
            code text,
            pages int DEFAULT 0,
            note varchar(10) NULL
        );
        CREATE INDEX books_title_idx ON books (title);
        CREATE INDEX books_author_idx ON books (author_id);
    """,
    "sqlite": """
        CREATE TABLE authors (id integer PRIMARY KEY, name text);
        CREATE TABLE books (id integer PRIMARY KEY, author_id integer, title varchar(100),
                            code text, pages integer DEFAULT 0);
        CREATE INDEX books_title_idx ON books (title);
    """,
}


def _backend(db: Database) -> str:
    backend = db.url.split(":", 1)[0].split("+")[0]
    return "mysql" if backend in ("mysql", "mariadb") else backend


def _dev(dialect: str) -> list[str]:
    dev = DEV[dialect]
    return ["--dev-url", dev] if dev else []


def test_generated_migration_lints_clean(db: Database, tmp_path: Path) -> None:
    dialect = _backend(db)
    project = Project(tmp_path, db.url)
    write(project, "v1.sql", V1[dialect])
    write(project, "v2.sql", V2[dialect])
    project.rehash()
    made = project.run("generate", "initial", "--to", "v1.sql", *_dev(dialect))
    assert made.code == 0, made.err
    assert project.run("migrate").code == 0
    made = project.run(
        "generate", "change", "--to", "v2.sql", "--rename", "books.isbn:code", *_dev(dialect)
    )
    assert made.code == 0, made.err
    path = next(project.migrations.glob("*_change.sql"))
    text = path.read_text(encoding="utf-8")
    findings, _ = Linter(all_rules(), DEFAULT_SERVERS[dialect]).lint_text(text, str(path))
    serious = [f for f in findings if f.severity >= Severity.WARNING]
    # Dropping a column loses its data and renaming one breaks the running application,
    # on every server: generate flags both (destructive, breaking) in its comments and
    # the linter says so too; nothing else may be reported.
    assert {f.rule for f in serious} == {"drop-column", "rename-column"}, "\n".join(
        f"{f.line}: {f.rule}: {f.message}" for f in serious
    )
    assert "[destructive, breaking" in text
    assert "-- breaking: rename column books.isbn to code" in text
    if dialect == "mysql":
        # The forms InnoDB runs with writes allowed say so (the server refuses rather
        # than copies), and a MODIFY that keeps a nullable column nullable is vouched for.
        assert "ADD KEY `books_title_idx` (`title`), ALGORITHM=INPLACE, LOCK=NONE;" in text
        assert "varchar(40) NULL, ALGORITHM=INPLACE, LOCK=NONE;" in text
        assert "-- dbshift:ignore drop-not-null the column was nullable already" in text
        # int(11) on MariaDB 10.11, int on MySQL 8.0.
        assert re.search(
            r"ADD COLUMN `pages` int(\(11\))? NULL DEFAULT 0, ALGORITHM=INSTANT;", text
        )
    if dialect == "postgresql":
        # Lint cannot see the old type; generate can, and says why the change is safe.
        assert (
            "-- dbshift:ignore column-type-change character varying(100) to "
            "character varying(200) keeps the rows as they are (no rewrite)"
        ) in text
    applied = project.run("migrate", "--allow-destructive")
    assert applied.code == 0, applied.err
