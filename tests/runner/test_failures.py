"""Failures, edits and repairs: the database is never left in an unexplained state."""

from __future__ import annotations

import json

from tests.conftest import Database, Project, sql_migration

GOOD = sql_migration("CREATE TABLE a (id INTEGER PRIMARY KEY);", "DROP TABLE a;")
BROKEN = sql_migration(
    "CREATE TABLE b (id INTEGER PRIMARY KEY);\n"
    "INSERT INTO b (id) VALUES (1);\n"
    "\n"
    "INSERT INTO no_such_table (id) VALUES (1);\n"
    "CREATE TABLE c (id INTEGER);",
    "DROP TABLE c;\nDROP TABLE b;",
)
FIXED = BROKEN.replace(
    "INSERT INTO no_such_table (id) VALUES (1);", "INSERT INTO b (id) VALUES (2);"
)


def status(project: Project) -> dict:
    return json.loads(project.run("status", "--format", "json").out)


def test_failing_statement_reports_file_line_and_server_error(
    project: Project, db: Database
) -> None:
    project.write("1_a.sql", GOOD)
    project.write("2_b.sql", BROKEN)
    result = project.run("migrate")
    assert result.code == 1
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert "migrations/2_b.sql:5:" in lines[0]
    assert "no_such_table" in lines[0]
    assert "Traceback" not in result.err
    assert "a" in db.tables()  # the first migration stays applied


def test_failure_rolls_back_where_ddl_is_transactional_and_resumes_on_mysql(
    project: Project, db: Database
) -> None:
    project.write("2_b.sql", BROKEN)
    assert project.run("migrate").code == 1
    doc = status(project)
    if db.backend == "mysql":
        # DDL commits implicitly: two statements ran, and status says exactly where it stopped.
        assert "b" in db.tables()
        [failed] = doc["failed"]
        assert failed["state"] == "failed" and failed["statements_done"] == 2
        assert failed["statement"].endswith("2_b.sql:5")
        assert "no_such_table" in failed["error"]
    else:
        assert "b" not in db.tables()
        assert doc["failed"] == [] and [p["version"] for p in doc["pending"]] == ["2"]
    project.write("2_b.sql", FIXED)
    result = project.run("migrate")
    assert result.code == 0, result.err
    if db.backend == "mysql":
        assert "resuming after statement 2" in result.out
    assert db.scalar("SELECT count(*) FROM b") == 2  # the first INSERT ran exactly once
    assert "c" in db.tables()
    assert status(project)["failed"] == []


def test_resume_refuses_when_already_run_statements_were_edited(
    mysql_db: Database, tmp_path
) -> None:
    project = Project(tmp_path, mysql_db.url)
    project.write("2_b.sql", BROKEN)
    assert project.run("migrate").code == 1
    project.write("2_b.sql", FIXED.replace("VALUES (1);", "VALUES (10);", 1))
    result = project.run("migrate")
    assert result.code == 1
    assert "already ran but were edited" in result.err


def test_repair_marks_a_failed_migration_resolved(mysql_db: Database, tmp_path) -> None:
    project = Project(tmp_path, mysql_db.url)
    project.write("2_b.sql", BROKEN)
    assert project.run("migrate").code == 1
    repaired = project.run("repair")
    assert repaired.code == 0, repaired.err
    assert "marked 2 (b) as applied" in repaired.out
    doc = status(project)
    assert doc["failed"] == [] and doc["current"] == "2"


def test_editing_an_applied_migration_fails_validate_and_migrate_until_repair(
    project: Project, db: Database
) -> None:
    path = project.write("1_a.sql", GOOD)
    assert project.run("migrate").code == 0
    project.write("1_a.sql", GOOD.replace("PRIMARY KEY", "PRIMARY KEY, x INTEGER"))
    project.write("2_c.sql", sql_migration("CREATE TABLE c2 (id INTEGER);"))
    validate = project.run("validate")
    assert validate.code == 1
    assert "1_a.sql: edited after it was applied" in validate.err
    migrate = project.run("migrate")
    assert (
        migrate.code == 1
        and "1_a.sql" in migrate.err
        and len(migrate.err.strip().splitlines()) == 1
    )
    assert "c2" not in db.tables()
    assert project.run("repair").code == 0
    assert project.run("validate").code == 0
    assert project.run("migrate").code == 0
    assert path.exists() and "c2" in db.tables()


def test_missing_applied_file_is_reported(project: Project) -> None:
    path = project.write("1_a.sql", GOOD)
    assert project.run("migrate").code == 0
    path.unlink()
    project.rehash()
    result = project.run("validate")
    assert result.code == 1
    assert "applied migration 1 (a) has no file" in result.err
    assert project.run("repair", "--forget-missing").code == 0
    assert project.run("validate").code == 0


def test_out_of_order_pending_migration_is_refused_unless_allowed(
    project: Project, db: Database
) -> None:
    project.write("2_b.sql", GOOD.replace("TABLE a", "TABLE b"))
    assert project.run("migrate").code == 0
    project.write("1_a.sql", GOOD)
    refused = project.run("migrate")
    assert refused.code == 1
    assert "1_a.sql: pending but older than the newest applied version 2" in refused.err
    assert "a" not in db.tables()
    allowed = project.run("migrate", "--out-of-order")
    assert allowed.code == 0, allowed.err
    assert "a" in db.tables()


def test_sum_file_mismatch_and_git_conflict_are_reported(project: Project) -> None:
    project.write("1_a.sql", GOOD)
    project.write("2_b.sql", GOOD.replace("TABLE a", "TABLE b"), rehash=False)
    result = project.run("validate")
    assert result.code == 1 and "not in the sum: 2_b.sql" in result.err
    assert project.run("migrate", env={"CI": "true"}).code == 1  # strict: CI (see sumcheck)
    project.rehash()
    sum_path = project.migrations / "dbshift.sum"
    lines = sum_path.read_text().splitlines()
    sum_path.write_text(
        "\n".join(["<<<<<<< HEAD", *lines, "=======", lines[0], ">>>>>>> other"]) + "\n"
    )
    conflict = project.run("validate")
    assert conflict.code == 1 and "git conflict markers" in conflict.err


def test_rollback_without_down_section_changes_nothing(project: Project, db: Database) -> None:
    project.write("1_a.sql", GOOD)
    project.write("2_b.sql", sql_migration("CREATE TABLE b (id INTEGER);"))
    assert project.run("migrate").code == 0
    result = project.run("rollback", "2")
    assert result.code == 1 and "2_b.sql: has no down section" in result.err
    assert {"a", "b"} <= db.tables()


LOCKED_ROWS = sql_migration(
    "CREATE TABLE t (id INTEGER PRIMARY KEY) ENGINE=InnoDB;\n"
    "LOCK TABLES `t` WRITE;\n"
    "INSERT INTO t VALUES (1),(2);\n"
    "INSERT INTO t VALUES (2);\n"
    "UNLOCK TABLES;\n"
    "CREATE TABLE u (id INTEGER);"
)


def test_rows_between_lock_tables_and_unlock_are_one_unit_on_mysql(
    mysql_db: Database, tmp_path
) -> None:
    """mysqldump frames each table's rows in ``LOCK TABLES … WRITE`` / ``UNLOCK TABLES``,
    during which the session may touch no other table, the history table included: the
    journal waits for the UNLOCK, a failure inside rolls the span's rows back and
    records the run as stopped at the LOCK, and the resume runs the span again whole."""
    project = Project(tmp_path, mysql_db.url)
    project.write("1_rows.sql", LOCKED_ROWS)
    failed = project.run("migrate")
    assert failed.code == 1
    assert "1_rows.sql:5:" in failed.err and "Duplicate" in failed.err, failed.err
    [row] = status(project)["failed"]
    assert row["statements_done"] == 1  # the CREATE TABLE; the LOCK TABLES runs again
    assert mysql_db.scalar("SELECT count(*) FROM t") == 0
    project.write("1_rows.sql", LOCKED_ROWS.replace("VALUES (2);", "VALUES (3);"))
    done = project.run("migrate")
    assert done.code == 0, done.err
    assert mysql_db.scalar("SELECT count(*) FROM t") == 3
    assert "u" in mysql_db.tables()
    assert status(project)["failed"] == []


def test_bytes_that_are_not_utf8_are_refused_but_on_mysql(project: Project, db: Database) -> None:
    """A MySQL dump holds BLOB values as raw bytes in its literals, and the server takes a
    statement as bytes: there they are kept and sent as they are. Elsewhere the file is
    not text."""
    project.write("1_a.sql", GOOD)
    blob = "CREATE TABLE r (b VARBINARY(10));\nINSERT INTO r VALUES ('x\\xff\\xfe');\n"
    (project.migrations / "2_raw.sql").write_bytes(
        b"-- dbshift:up\n" + blob.encode("utf-8").replace(b"\\xff\\xfe", b"\xff\xfe")
    )
    project.rehash()
    result = project.run("migrate")
    if db.backend == "mysql":
        assert result.code == 0, result.err
        assert db.scalar("SELECT HEX(b) FROM r") == "78FFFE"
    else:
        assert result.code == 2
        assert "2_raw.sql: not UTF-8 text (byte" in result.err
        assert "Traceback" not in result.err
