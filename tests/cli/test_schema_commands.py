"""inspect, diff and generate through the real entry point, on each backend."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from tests.conftest import MYSQL_URL, POSTGRES_URL, Database, Project

DEV = {"postgresql": POSTGRES_URL, "mysql": MYSQL_URL, "sqlite": None}

SCHEMA_V1 = """
CREATE TABLE authors (id integer PRIMARY KEY, name varchar(100) NOT NULL);
CREATE TABLE books (
    id integer PRIMARY KEY,
    author_id integer REFERENCES authors (id),
    title varchar(200) NOT NULL
);
CREATE INDEX books_title_idx ON books (title);
"""

SCHEMA_V2 = """
CREATE TABLE authors (id integer PRIMARY KEY, name varchar(100) NOT NULL, born integer);
CREATE TABLE books (
    id integer PRIMARY KEY,
    author_id integer REFERENCES authors (id),
    title varchar(200) NOT NULL
);
"""


def dev_args(project: Project) -> list[str]:
    backend = project.url.split(":", 1)[0].split("+")[0]
    dev = DEV.get("mysql" if backend in ("mysql", "mariadb") else backend)
    return ["--dev-url", dev] if dev else []


def write(project: Project, name: str, text: str) -> Path:
    path = project.root / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_generate_migrate_and_regenerate_nothing(project: Project) -> None:
    write(project, "v1.sql", SCHEMA_V1)
    write(project, "v2.sql", SCHEMA_V2)
    project.rehash()

    made = project.run("generate", "initial", "--to", "v1.sql", *dev_args(project))
    assert made.code == 0, made.err
    files = sorted(project.migrations.glob("*_initial.sql"))
    assert len(files) == 1
    text = files[0].read_text()
    assert "-- dbshift:up" in text and "-- dbshift:down" in text

    assert project.run("migrate").code == 0
    again = project.run("generate", "nothing", "--to", "v1.sql", *dev_args(project))
    assert again.code == 0, again.err
    assert "no changes" in again.out
    assert not list(project.migrations.glob("*_nothing.sql"))

    # The live database now matches v1: a URL-to-file diff is empty.
    same = project.run(
        "diff",
        "--from",
        project.url,
        "--to",
        "v1.sql",
        "--exit-code",
        *dev_args(project),
        url=False,
    )
    assert same.code == 0, same.err + same.out

    second = project.run("generate", "born and no index", "--to", "v2.sql", *dev_args(project))
    assert second.code == 0, second.err
    text = next(project.migrations.glob("*_born_and_no_index.sql")).read_text()
    assert "drop index" in text and "add column" in text
    assert project.run("migrate").code == 0
    assert project.run("rollback", "--allow-destructive").code == 0
    assert project.run("migrate").code == 0


def test_diff_exit_code_and_formats(project: Project) -> None:
    write(project, "v1.sql", SCHEMA_V1)
    diff = project.run(
        "diff",
        "--from",
        project.url,
        "--to",
        "v1.sql",
        "--exit-code",
        *dev_args(project),
        url=False,
    )
    assert diff.code == 1, diff.err
    assert "CREATE TABLE" in diff.out

    as_json = project.run(
        "diff",
        "--from",
        project.url,
        "--to",
        "v1.sql",
        "--format",
        "json",
        *dev_args(project),
        url=False,
    )
    assert as_json.code == 0, as_json.err
    plan = json.loads(as_json.out)
    assert {op["kind"] for op in plan} >= {"create_table"}
    assert all("sql" in op and "lock" in op for op in plan)

    text = project.run(
        "diff",
        "--from",
        project.url,
        "--to",
        "v1.sql",
        "--format",
        "text",
        *dev_args(project),
        url=False,
    )
    assert "create table authors" in text.out


def test_inspect_prints_ddl_and_json(project: Project) -> None:
    write(project, "v1.sql", SCHEMA_V1)
    project.rehash()
    assert project.run("generate", "initial", "--to", "v1.sql", *dev_args(project)).code == 0
    assert project.run("migrate").code == 0

    ddl = project.run("inspect", project.url, url=False)
    assert ddl.code == 0, ddl.err
    assert "CREATE TABLE" in ddl.out and "dbshift_history" not in ddl.out
    doc = json.loads(project.run("inspect", project.url, "--format", "json", url=False).out)
    assert sorted(t["name"] for t in doc["tables"]) == ["authors", "books"]


def test_sqlalchemy_metadata_source(project: Project) -> None:
    write(
        project,
        "models.py",
        """
        import sqlalchemy as sa

        metadata = sa.MetaData()
        sa.Table("notes", metadata, sa.Column("id", sa.Integer, primary_key=True), sa.Column("body", sa.String(50)))
        """,
    )
    result = project.run(
        "diff", "--from", project.url, "--to", "sqlalchemy:models:metadata", "--format", "text",
        *dev_args(project), url=False,
    )  # fmt: skip
    assert result.code == 0, result.err
    assert "create table notes" in result.out


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--to", "sqlalchemy:no_such_module:metadata"], 2, "cannot import no_such_module"),
        (["--to", "oracle://x/y"], 2, "oracle"),
        (["--to", "missing.sql"], 2, "missing.sql: no such file"),
    ],
)
def test_bad_sources_are_one_line(
    project: Project, args: list[str], code: int, message: str
) -> None:
    result = project.run("diff", "--from", project.url, *args, *dev_args(project), url=False)
    assert result.code == code, result.err
    assert message in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert "Traceback" not in result.err


def test_failing_schema_file_names_its_line(project: Project) -> None:
    write(
        project,
        "bad.sql",
        "CREATE TABLE ok (id integer);\n\nCREATE TABLE broken (id integer,);\n",
    )
    result = project.run(
        "diff", "--from", project.url, "--to", "bad.sql", *dev_args(project), url=False
    )
    assert result.code == 1, result.err
    assert "bad.sql:3:" in result.err, result.err
    assert len(result.err.strip().splitlines()) == 1


def test_unreachable_dev_database_is_one_line(tmp_path: Path) -> None:
    project = Project(tmp_path, "postgresql://postgres@127.0.0.1:1/nothing")
    (tmp_path / "s.sql").write_text("CREATE TABLE t (id integer);\n")
    result = project.run(
        "diff", "--from", "s.sql", "--to", "s.sql", "--dialect", "postgresql",
        "--dev-url", "postgresql://postgres:secret@127.0.0.1:1/x", "--connect-timeout", "2", url=False,
    )  # fmt: skip
    assert result.code == 3, result.err
    assert "cannot connect" in result.err and "secret" not in result.err
    assert len(result.err.strip().splitlines()) == 1


ROUTINES = {
    "postgresql": """
        CREATE TABLE items (id integer PRIMARY KEY, touched integer DEFAULT 0);
        CREATE FUNCTION bump() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN NEW.touched := NEW.touched + 1; RETURN NEW; END; $$;
        CREATE TRIGGER items_bump BEFORE UPDATE ON items FOR EACH ROW EXECUTE FUNCTION bump();
    """,
    "mysql": """
        CREATE TABLE items (id integer PRIMARY KEY, touched integer DEFAULT 0);
        CREATE TRIGGER items_bump BEFORE UPDATE ON items FOR EACH ROW SET NEW.touched = NEW.touched + 1;
        DELIMITER //
        CREATE PROCEDURE reset_items() BEGIN UPDATE items SET touched = 0; SELECT 1; END//
        DELIMITER ;
    """,
    "sqlite": """
        CREATE TABLE items (id integer PRIMARY KEY, touched integer DEFAULT 0);
        CREATE TRIGGER items_bump AFTER UPDATE OF id ON items BEGIN
            UPDATE items SET touched = touched + 1 WHERE id = NEW.id; SELECT 1;
        END;
    """,
}


def test_functions_and_triggers_round_trip(project: Project, db: Database) -> None:
    write(project, "routines.sql", ROUTINES[db.backend])
    project.rehash()
    made = project.run("generate", "routines", "--to", "routines.sql", *dev_args(project))
    assert made.code == 0, made.err
    text = next(project.migrations.glob("*_routines.sql")).read_text()
    assert "create trigger items_bump" in text
    migrated = project.run("migrate")
    assert migrated.code == 0, migrated.err + text
    again = project.run("generate", "again", "--to", "routines.sql", *dev_args(project))
    assert "no changes" in again.out, again.out + again.err
    assert project.run("rollback", "--allow-destructive").code == 0
