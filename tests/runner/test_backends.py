"""Behaviour that differs per server: non-transactional statements, schemas, quoting."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import Database, Project, sql_migration


def test_create_index_concurrently_runs_in_a_no_transaction_migration(
    pg_db: Database, tmp_path: Path
) -> None:
    project = Project(tmp_path, pg_db.url)
    project.write("1_t.sql", sql_migration("CREATE TABLE t (id integer, name text);"))
    project.write(
        "2_idx.sql",
        sql_migration(
            "CREATE INDEX CONCURRENTLY t_name_idx ON t (name);\nVACUUM t;",
            "DROP INDEX CONCURRENTLY t_name_idx;",
            no_transaction=True,
        ),
    )
    result = project.run("migrate")
    assert result.code == 0, result.err
    assert pg_db.scalar("SELECT count(*) FROM pg_indexes WHERE indexname = 't_name_idx'") == 1
    assert project.run("rollback", "--allow-destructive").code == 0
    assert pg_db.scalar("SELECT count(*) FROM pg_indexes WHERE indexname = 't_name_idx'") == 0


def test_concurrently_inside_a_transaction_fails_cleanly(pg_db: Database, tmp_path: Path) -> None:
    project = Project(tmp_path, pg_db.url)
    project.write(
        "1_t.sql",
        sql_migration("CREATE TABLE t (id integer);\nCREATE INDEX CONCURRENTLY i ON t (id);"),
    )
    result = project.run("migrate")
    assert result.code == 1
    assert (
        "1_t.sql:3: up failed: CREATE INDEX CONCURRENTLY cannot run inside a transaction block"
        in result.err
    )
    assert "t" not in pg_db.tables()


def test_plpgsql_function_with_dollar_quotes_and_trigger(pg_db: Database, tmp_path: Path) -> None:
    project = Project(tmp_path, pg_db.url)
    body = """CREATE TABLE items (id integer PRIMARY KEY, touched timestamptz);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    NEW.touched := now(); -- semicolons; and 'quotes'
    RETURN NEW;
END;
$fn$;
CREATE TRIGGER items_touch BEFORE INSERT ON items FOR EACH ROW EXECUTE FUNCTION touch();
INSERT INTO items (id) VALUES (1);"""
    project.write("1_fn.sql", sql_migration(body, "DROP TABLE items;\nDROP FUNCTION touch();"))
    assert project.run("migrate").code == 0
    assert pg_db.scalar("SELECT count(*) FROM items WHERE touched IS NOT NULL") == 1


def test_history_schema_and_hostile_table_name_are_quoted(pg_db: Database, tmp_path: Path) -> None:
    project = Project(tmp_path, pg_db.url)
    project.write("1_t.sql", sql_migration("CREATE TABLE t (id integer);", "DROP TABLE t;"))
    flags = ["--history-schema", 'Ops "Schema"', "--history-table", "hist; DROP TABLE t; --"]
    assert project.run("migrate", *flags).code == 0
    assert (
        pg_db.scalar(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema = 'Ops \"Schema\"' AND table_name = 'hist; DROP TABLE t; --'"
        )
        == 1
    )
    doc = json.loads(project.run("status", "--format", "json", *flags).out)
    assert doc["current"] == "1"
    assert project.run("rollback", "--allow-destructive", *flags).code == 0
    assert "t" not in pg_db.tables()


def test_history_table_name_is_quoted_everywhere(project: Project, db: Database) -> None:
    flags = ["--history-table", 'Mixed`Case"History']
    project.write("1_t.sql", sql_migration("CREATE TABLE t (id INTEGER);", "DROP TABLE t;"))
    assert project.run("migrate", *flags).code == 0
    assert 'Mixed`Case"History' in db.tables()
    assert json.loads(project.run("status", "--format", "json", *flags).out)["current"] == "1"
    assert project.run("rollback", "--allow-destructive", *flags).code == 0


def test_mysql_stored_procedure_with_delimiter(mysql_db: Database, tmp_path: Path) -> None:
    project = Project(tmp_path, mysql_db.url)
    body = """CREATE TABLE counter (n INT NOT NULL);
INSERT INTO counter VALUES (0);
DELIMITER $$
CREATE PROCEDURE bump(IN k INT)
BEGIN
    UPDATE counter SET n = n + k; -- two statements;
    SELECT n FROM counter;
END$$
DELIMITER ;
CALL bump(5);"""
    project.write("1_proc.sql", sql_migration(body, "DROP PROCEDURE bump;\nDROP TABLE counter;"))
    result = project.run("migrate")
    assert result.code == 0, result.err
    assert mysql_db.scalar("SELECT n FROM counter") == 5
    offline = project.run("rollback", "--dry-run")
    assert offline.code == 0
    assert project.run("rollback", "--allow-destructive").code == 0
    assert "counter" not in mysql_db.tables()


def test_offline_script_for_mysql_wraps_routines_in_delimiter(
    mysql_db: Database, tmp_path: Path
) -> None:
    project = Project(tmp_path, mysql_db.url)
    body = "DELIMITER //\nCREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END//\nDELIMITER ;"
    project.write("1_p.sql", sql_migration(body))
    result = project.run("migrate", "--sql")
    assert result.code == 0, result.err
    assert (
        "DELIMITER $$\nCREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END\n$$\nDELIMITER ;"
        in result.out
    )


def test_python_migration_without_transaction(project: Project, db: Database) -> None:
    project.write("1_t.sql", sql_migration("CREATE TABLE t (id INTEGER);"))
    project.write(
        "2_fill.py",
        "transactional = False\n\n\ndef up(ctx):\n"
        "    for i in range(3):\n        ctx.execute('INSERT INTO t (id) VALUES (:i)', {'i': i})\n"
        "    assert ctx.dialect in ('postgresql', 'mysql', 'sqlite')\n",
    )
    result = project.run("migrate")
    assert result.code == 0, result.err
    assert db.scalar("SELECT count(*) FROM t") == 3


def test_python_migration_error_names_its_line(project: Project, db: Database) -> None:
    project.write(
        "1_bad.py",
        "def up(ctx):\n    ctx.execute('CREATE TABLE ok_table (id INTEGER)')\n"
        "    ctx.execute('SELECT * FROM missing_table')\n",
    )
    result = project.run("migrate")
    assert result.code == 1
    assert "1_bad.py:3: up failed:" in result.err and "missing_table" in result.err
    assert len(result.err.strip().splitlines()) == 1
