"""``${name}`` placeholders in SQL migrations through the real CLI, on every backend."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dbshift.errors import MigrationFileError
from dbshift.migrations.placeholders import substitute
from tests.conftest import Database, Project, sql_migration

CONFIG = """
[placeholders]
table = "from_config"
owner = "config"

[environments.staging]
url = "sqlite:///unused.db"

[environments.staging.placeholders]
owner = "staging"
"""


def test_values_come_from_config_environment_table_and_variables(
    project: Project, db: Database
) -> None:
    (project.root / "dbshift.toml").write_text(CONFIG)
    project.write(
        "1_t.sql",
        sql_migration(
            "CREATE TABLE ${table} (id INTEGER, owner VARCHAR(40), raw VARCHAR(40));\n"
            "INSERT INTO ${table} VALUES (1, '${owner}', '$${owner}');",
            "DROP TABLE ${table};",
        ),
    )
    result = project.run("--env", "staging", "migrate", env={"DBSHIFT_PLACEHOLDER_table": "t_env"})
    assert result.code == 0, result.err
    assert db.scalar("SELECT owner FROM t_env") == "staging"
    assert db.scalar("SELECT raw FROM t_env") == "${owner}"

    # The checksum is over the file as written: another value is not an edited migration.
    doc = json.loads(project.run("status", "--format", "json").out)
    assert doc["problems"] == [] and doc["applied"][0]["version"] == "1"
    assert project.run("validate").code == 0
    back = project.run(
        "rollback", "--allow-destructive", env={"DBSHIFT_PLACEHOLDER_table": "t_env"}
    )
    assert back.code == 0, back.err
    assert "t_env" not in db.tables()


def test_undefined_placeholder_is_a_file_line_error_before_anything_runs(
    project: Project, db: Database
) -> None:
    project.write("1_a.sql", sql_migration("CREATE TABLE a (id INTEGER);"))
    project.write(
        "2_b.sql",
        sql_migration("CREATE TABLE b (id INTEGER);\nINSERT INTO b\n  VALUES (${missing});"),
    )
    result = project.run("migrate")
    assert result.code == 2
    assert "2_b.sql:4: undefined placeholder ${missing}" in result.err
    assert "DBSHIFT_PLACEHOLDER_missing" in result.err
    assert "a" not in db.tables()


def test_placeholders_in_callbacks_and_repeatables(project: Project, db: Database) -> None:
    project.write("1_a.sql", sql_migration("CREATE TABLE a (id INTEGER);"))
    project.write(
        "R__v.sql",
        sql_migration("DROP VIEW IF EXISTS v;\nCREATE VIEW v AS SELECT ${n} AS n FROM a;"),
    )
    (project.migrations / "callbacks").mkdir()
    (project.migrations / "callbacks" / "afterMigrate.sql").write_text(
        "INSERT INTO a VALUES (${n});\n"
    )
    result = project.run("migrate", env={"DBSHIFT_PLACEHOLDER_n": "7"})
    assert result.code == 0, result.err
    assert db.scalar("SELECT n FROM v") == 7


def test_postgresql_dollar_quoting_is_untouched(pg_db: Database, tmp_path) -> None:  # type: ignore[no-untyped-def]
    project = Project(tmp_path, pg_db.url)
    project.write(
        "1_f.sql",
        sql_migration(
            "CREATE FUNCTION greet() RETURNS text LANGUAGE plpgsql AS $$\n"
            "BEGIN RETURN '${greeting}' || $q$ $${kept}; $q$; END;\n"
            "$$;\n"
            "CREATE FUNCTION two() RETURNS int LANGUAGE sql AS $body$ SELECT 2 $body$;",
            "DROP FUNCTION two();\nDROP FUNCTION greet();",
        ),
    )
    result = project.run("migrate", env={"DBSHIFT_PLACEHOLDER_greeting": "hello;"})
    assert result.code == 0, result.err
    assert pg_db.scalar("SELECT greet()") == "hello; ${kept}; "
    assert pg_db.scalar("SELECT two()") == 2


_TEXT = st.text(alphabet=st.sampled_from(list("ab$;{}' \n")), max_size=40)


@given(_TEXT)
def test_text_without_placeholders_is_unchanged(text: str) -> None:
    if "${" in text:
        return
    assert substitute(text, {}, path="f.sql", line=1) == text


_PLAIN = st.text(alphabet=st.sampled_from(list("ab;{}' \n")), max_size=20)


@given(st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,10}", fullmatch=True), _PLAIN, _PLAIN)
def test_escape_gives_the_literal_and_value_is_inserted(name: str, before: str, after: str) -> None:
    sql = f"{before}${{{name}}}{after}$${{{name}}}"
    assert substitute(sql, {name: "V"}, path="f.sql", line=1) == f"{before}V{after}${{{name}}}"


def test_undefined_line_counts_from_the_statement_start() -> None:
    with pytest.raises(MigrationFileError) as info:
        substitute("SELECT\n1,\n${x}", {}, path="f.sql", line=10)
    assert info.value.line == 12


def test_lint_reads_placeholders_as_their_names(tmp_path) -> None:  # type: ignore[no-untyped-def]
    project = Project(tmp_path, "sqlite:///unused.db")
    project.write(
        "1_grant.sql",
        sql_migration(
            "CREATE TABLE ${schema}.t (id bigint);\nINSERT INTO ${schema}.t (id) VALUES (${n});"
        ),
    )
    for dialect in ("postgresql", "mysql", "sqlite"):
        result = project.run("lint", "--dialect", dialect, "migrations", url=False)
        assert "parse-error" not in result.out, result.out
