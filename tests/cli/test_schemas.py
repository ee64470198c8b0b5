"""Several schemas, include/exclude patterns and extension-owned objects through the CLI."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from tests.conftest import POSTGRES_URL, Database, Project

APP = """
CREATE SCHEMA app;
CREATE SCHEMA audit;
CREATE TYPE app.status AS ENUM ('new', 'paid');
CREATE TABLE app.customers (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text);
CREATE TABLE app.orders (
    id serial PRIMARY KEY,
    customer_id bigint REFERENCES app.customers (id),
    status app.status NOT NULL DEFAULT 'new'
);
CREATE TABLE audit.events (id bigserial PRIMARY KEY, order_id int REFERENCES app.orders (id));
CREATE TABLE spatial_ref_sys (srid int PRIMARY KEY);
CREATE TABLE settings (key text PRIMARY KEY, order_id int REFERENCES app.orders (id));
CREATE VIEW app.paid AS SELECT id FROM app.orders WHERE status = 'paid';
"""


def _run_sql(db: Database, sql: str) -> None:
    with db.connect() as conn:
        conn.execution_options(no_parameters=True).exec_driver_sql(sql)


def test_default_schema_only_unless_schemas_are_named(pg_db: Database, tmp_path: Path) -> None:
    _run_sql(pg_db, APP)
    project = Project(tmp_path, pg_db.url)
    plain = project.run("inspect")
    assert plain.code == 0, plain.err
    assert 'CREATE TABLE "app"' not in plain.out and 'CREATE TABLE "settings"' in plain.out

    one = project.run("inspect", "--schema", "app")
    assert one.code == 0, one.err
    assert 'CREATE SCHEMA "app"' in one.out and 'CREATE TABLE "app"."orders"' in one.out
    assert "audit" not in one.out and "settings" not in one.out

    every = project.run("inspect", "--schema", "*", "--format", "json")
    assert every.code == 0, every.err
    model = json.loads(every.out)
    assert model["namespaces"] == ["app", "audit"]
    tables = {(t["schema"], t["name"]) for t in model["tables"]}
    assert tables == {
        ("app", "customers"),
        ("app", "orders"),
        ("audit", "events"),
        (None, "spatial_ref_sys"),
        (None, "settings"),
    }
    events = next(t for t in model["tables"] if t["name"] == "events")
    assert events["foreign_keys"][0]["ref_schema"] == "app"


def test_generate_from_empty_creates_the_schemas_and_converges(
    pg_db: Database, tmp_path: Path
) -> None:
    (tmp_path / "schema.sql").write_text(APP, encoding="utf-8")
    (tmp_path / "dbshift.toml").write_text(
        textwrap.dedent(
            f"""
            url = "{pg_db.url}"
            dev_url = "{POSTGRES_URL}"
            schemas = ["*"]
            exclude = ["audit.*", "spatial_ref_sys"]
            """
        ),
        encoding="utf-8",
    )
    project = Project(tmp_path, pg_db.url)
    project.rehash()
    made = project.run("generate", "initial", "--to", "schema.sql", url=False)
    assert made.code == 0, made.err
    (written,) = project.migrations.glob("*_initial.sql")
    text = written.read_text()
    assert 'CREATE SCHEMA "app";' in text
    assert "audit" not in text and "spatial_ref_sys" not in text
    assert 'DROP SCHEMA "app";' in text  # the down section

    assert project.run("migrate", url=False).code == 0
    assert pg_db.scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'app'") == 2
    again = project.run("diff", "--from", pg_db.url, "--to", "schema.sql", url=False)
    assert again.code == 0, again.err
    assert again.out.strip() == "-- no differences"

    # Without the patterns, what they left out is a difference (so they did leave it out).
    whole = project.run(
        "diff", "--from", pg_db.url, "--to", "schema.sql", "--schema", "*", url=False
    )
    assert 'CREATE SCHEMA "audit"' not in whole.out  # config exclude still applies
    assert project.run("rollback", "--allow-destructive", url=False).code == 0
    assert pg_db.scalar("SELECT count(*) FROM pg_namespace WHERE nspname = 'app'") == 0


def test_include_patterns_keep_only_what_matches(pg_db: Database, tmp_path: Path) -> None:
    _run_sql(pg_db, APP)
    project = Project(tmp_path, pg_db.url)
    result = project.run("inspect", "--schema", "*", "--include", "app.*", "--format", "json")
    assert result.code == 0, result.err
    model = json.loads(result.out)
    assert {t["name"] for t in model["tables"]} == {"customers", "orders"}
    assert model["namespaces"] == ["app"]
    assert [v["name"] for v in model["views"]] == ["paid"]


def test_objects_an_extension_owns_are_never_diffed(pg_db: Database, tmp_path: Path) -> None:
    _run_sql(
        pg_db,
        "CREATE SCHEMA ext; CREATE EXTENSION citext WITH SCHEMA ext; "
        "CREATE EXTENSION hstore; CREATE TABLE t (id int PRIMARY KEY, name ext.citext);",
    )
    project = Project(tmp_path, pg_db.url)
    result = project.run("inspect", "--schema", "*", "--format", "json")
    assert result.code == 0, result.err
    model = json.loads(result.out)
    assert [r["name"] for r in model["routines"]] == []  # hstore's and citext's functions
    assert model["enums"] == [] and model["domains"] == []
    (table,) = model["tables"]
    assert table["columns"][1]["type"] == "ext.citext"


def test_schemas_on_sqlite_are_refused_clearly(project: Project) -> None:
    """SQLite has none (on MySQL a schema is a database: tests/inspect/test_mysql_databases.py)."""
    if not project.url.startswith("sqlite"):
        return
    result = project.run("inspect", "--schema", "other")
    assert result.code == 2, result.err
    assert "schemas are a PostgreSQL and MySQL setting" in result.err
    assert "Traceback" not in result.err


def test_exclude_patterns_on_every_server(project: Project) -> None:
    project.write(
        "1_t.sql",
        "-- dbshift:up\nCREATE TABLE keep_me (id int PRIMARY KEY);\n"
        "CREATE TABLE tmp_a (id int PRIMARY KEY);\nCREATE TABLE tmp_b (id int PRIMARY KEY);\n",
    )
    assert project.run("migrate").code == 0
    result = project.run("inspect", "--exclude", "tmp_*", "--format", "json")
    assert result.code == 0, result.err
    assert [t["name"] for t in json.loads(result.out)["tables"]] == ["keep_me"]


def test_no_differences_in_the_default_schema_names_the_schemas_left_out(
    pg_db: Database, tmp_path: Path
) -> None:
    _run_sql(pg_db, "CREATE SCHEMA app; CREATE TABLE app.t (id int PRIMARY KEY);")
    project = Project(tmp_path, pg_db.url)
    (tmp_path / "empty.sql").write_text("")
    result = project.run(
        "diff", "--from", "empty.sql", "--to", pg_db.url, "--dev-url", POSTGRES_URL, url=False
    )
    assert result.code == 0, result.err
    assert result.out.strip() == "-- no differences"
    assert "note: schema(s) app of " in result.err and "--schema '*'" in result.err
    every = project.run(
        "diff",
        "--from",
        "empty.sql",
        "--to",
        pg_db.url,
        "--dev-url",
        POSTGRES_URL,
        "--schema",
        "*",
        url=False,
    )
    assert 'CREATE TABLE "app"."t"' in every.out and "note:" not in every.err
