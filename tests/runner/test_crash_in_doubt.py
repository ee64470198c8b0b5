"""SIGKILL inside a long MySQL/MariaDB DDL statement, then resume.

The server finishes (and commits) a DDL statement after its client died, so the journal
cannot know whether the statement took effect. The resume asks the catalog, waits for the
dead runner's statement that still holds the migration lock, and must reach exactly the
catalog and data an uninterrupted run reaches. Where the catalog cannot tell (a type
change), ``repair --statement-done`` / ``--statement-retry`` decide.
"""

from __future__ import annotations

import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import Database, Project, scratch_database, sql_migration
from tests.runner.test_crash import status, wait_for

#: Two long DDL statements (a second's sleep each) among short DDL and data statements.
LONG_DDL = """\
CREATE TABLE p1 (id INTEGER PRIMARY KEY);
INSERT INTO p1 (id) VALUES (1);
CREATE TABLE p2 AS SELECT {sleep} AS slept, 7 AS n;
INSERT INTO p2 (slept, n) VALUES (0, 8);
ALTER TABLE p1 ADD COLUMN label VARCHAR(10);
CREATE TABLE p3 AS SELECT {sleep} AS slept, n FROM p2;
CREATE INDEX ix_p3_n ON p3 (n);
INSERT INTO p3 (slept, n) VALUES (0, 9);
UPDATE p1 SET label = 'done';"""
#: An integer after a second's sleep, in each server's words. PostgreSQL runs the file
#: with no-transaction: in one transaction a kill leaves nothing in doubt.
SLEEP = {"mysql": "SLEEP(1)", "postgresql": "(SELECT 0 FROM pg_sleep(1))"}


def long_ddl(backend: str) -> str:
    return sql_migration(
        LONG_DDL.format(sleep=SLEEP[backend]), no_transaction=backend == "postgresql"
    )


def snapshot(db: Database) -> dict[str, object]:
    """Tables (dbshift's own left out), their columns and indexes, and every row."""
    import sqlalchemy as sa

    with db.connect() as conn:
        inspector = sa.inspect(conn)
        quote = conn.dialect.identifier_preparer.quote_identifier
        out: dict[str, object] = {}
        for table in sorted(inspector.get_table_names()):
            if table.startswith("dbshift_"):
                continue
            columns = [(c["name"], str(c["type"])) for c in inspector.get_columns(table)]
            indexes = sorted(str(i["name"]) for i in inspector.get_indexes(table))
            rows = sorted(
                tuple(str(v) for v in row)
                for row in conn.exec_driver_sql(f"SELECT * FROM {quote(table)}")
            )
            out[table] = {"columns": columns, "indexes": indexes, "rows": rows}
        return out


def running_statement(db: Database, needle: str) -> bool:
    if db.backend == "postgresql":
        sql = (
            f"SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%%{needle}%%' "
            "AND query NOT LIKE '%%pg_stat_activity%%' AND datname = current_database()"
        )
    else:
        sql = (
            "SELECT count(*) FROM information_schema.processlist "
            f"WHERE info LIKE '%%{needle}%%' AND info NOT LIKE '%%processlist%%' "
            "AND db = DATABASE()"
        )
    return bool(db.scalar(sql))


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["mysql", "postgresql"])
@pytest.mark.parametrize("seed", range(4))
def test_sigkill_at_random_points_inside_long_ddl_resumes_to_the_uninterrupted_result(
    backend: str, seed: int, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    db: Database = request.getfixturevalue("mysql_db" if backend == "mysql" else "pg_db")
    rng = random.Random(seed)
    (tmp_path / "ref").mkdir()
    (tmp_path / "run").mkdir()
    with scratch_database(backend, tmp_path) as reference:
        ref_project = Project(tmp_path / "ref", reference.url)
        ref_project.write("1_long.sql", long_ddl(backend))
        assert ref_project.run("migrate").code == 0
        expected = snapshot(reference)

    project = Project(tmp_path / "run", db.url)
    project.write("1_long.sql", long_ddl(backend))
    runner = project.popen("migrate")
    target = rng.choice(["p2", "p3"])
    wait_for(lambda: running_statement(db, f"CREATE TABLE {target}"), f"CREATE TABLE {target}")
    delay = rng.uniform(0.0, 1.2)  # past 1 s: between statements or in the next one
    time.sleep(delay)
    runner.send_signal(signal.SIGKILL)
    runner.wait(timeout=30)

    resumed = project.run("migrate")
    context = f"{backend} seed {seed}: killed {delay:.2f}s into CREATE TABLE {target}"
    assert resumed.code == 0, f"{context}: {resumed.out} {resumed.err}"
    assert snapshot(db) == expected, context
    final = status(project)
    assert final["current"] == "1" and final["failed"] == [], context


#: A Python migration outside a transaction: the catalog probe cannot read what it does,
#: so an interrupted run of it is undecidable. Its statement outlives a killed runner on
#: the server (SLEEP runs on) for long enough to be seen as orphaned.
SLOW_PY = """
transactional = False


def up(ctx):
    ctx.execute("CREATE TABLE r AS SELECT SLEEP(4) AS s")
"""


def kill_while_next_run_waits(project: Project, db: Database, *args: str) -> subprocess.Popen[str]:
    """SIGKILL the runner in its slow statement while a second ``migrate ARGS`` already
    waits for the migration lock; return the second."""
    project.write("1_t.sql", sql_migration("CREATE TABLE t (a INTEGER);"))
    assert project.run("migrate").code == 0
    project.write("2_slow.py", SLOW_PY)
    first = project.popen("migrate")
    wait_for(lambda: running_statement(db, "CREATE TABLE r"), "the slow statement")
    second = project.popen("migrate", *args)
    wait_for(lambda: running_statement(db, "GET_LOCK"), "the second run to wait for the lock")
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    return second


@pytest.mark.slow
def test_undecidable_statement_is_waited_for_then_statement_done_continues(
    mysql_db: Database, tmp_path: Path
) -> None:
    project = Project(tmp_path, mysql_db.url)
    second = kill_while_next_run_waits(project, mysql_db)
    _out, err = second.communicate(timeout=60)
    assert second.returncode == 1
    # Notices go to stderr (stdout may be JSON or an SQL script).
    assert "server session" in err and "has died" in err and "SLEEP(4)" in err
    assert "2_slow.py" in err and "cannot tell whether it took effect" in err
    assert "repair --statement-done" in err and "--statement-retry" in err
    assert "r" in mysql_db.tables()  # the server finished it after the runner died

    repaired = project.run("repair", "--statement-done")
    assert repaired.code == 0, repaired.err
    assert "2_slow.py (up()) recorded as done" in repaired.out
    resumed = project.run("migrate")
    assert resumed.code == 0, resumed.err
    assert status(project)["current"] == "2" and status(project)["failed"] == []


@pytest.mark.slow
def test_kill_orphaned_ends_the_dead_runners_statement_then_statement_retry_runs_it(
    mysql_db: Database, tmp_path: Path
) -> None:
    project = Project(tmp_path, mysql_db.url)
    second = kill_while_next_run_waits(project, mysql_db, "--kill-orphaned")
    _out, err = second.communicate(timeout=60)
    assert second.returncode == 1
    assert "killed it (--kill-orphaned)" in err
    assert "repair --statement-done" in err
    assert "r" not in mysql_db.tables()  # KILL stopped it before it created the table

    repaired = project.run("repair", "--statement-retry")
    assert repaired.code == 0 and "will run again" in repaired.out, repaired.err
    resumed = project.run("migrate")
    assert resumed.code == 0, resumed.err
    assert "r" in mysql_db.tables()
    assert status(project)["current"] == "2"


UNRUN = """\
CREATE TABLE u (id INTEGER PRIMARY KEY);
CREATE TABLE v AS SELECT SLEEP(3) AS s;
INSERT INTO u (id) VALUES (1);
CREATE INDEX ix_u ON u (id);"""


@pytest.mark.slow
def test_repair_names_the_statements_that_never_ran(mysql_db: Database, tmp_path: Path) -> None:
    project = Project(tmp_path, mysql_db.url)
    project.write("1_u.sql", sql_migration(UNRUN))
    first = project.popen("migrate")
    wait_for(lambda: running_statement(mysql_db, "CREATE TABLE v"), "the slow statement")
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)

    repaired = project.run("repair")
    assert repaired.code == 0, repaired.err
    line = next(ln for ln in repaired.out.splitlines() if "marked 1" in ln)
    assert "as applied" in line
    assert "3 of its 4 statement(s) were never recorded as run" in line
    assert "1_u.sql:3" in line and "1_u.sql:4" in line and "1_u.sql:5" in line


CONCURRENT = """\
CREATE INDEX CONCURRENTLY ix_c_a ON c (a);
INSERT INTO c (a) VALUES (2);"""


@pytest.mark.slow
def test_postgresql_concurrent_index_finished_by_the_server_after_a_kill_is_not_rerun(
    pg_db: Database, tmp_path: Path
) -> None:
    """CREATE INDEX CONCURRENTLY waits for older transactions; killed then, the server
    still finishes it. The next run says whose statement holds the lock, waits, finds
    the index valid in the catalog and continues after it."""
    project = Project(tmp_path, pg_db.url)
    project.write("1_c.sql", sql_migration("CREATE TABLE c (a INTEGER);"))
    assert project.run("migrate").code == 0
    project.write("2_ix.sql", sql_migration(CONCURRENT, no_transaction=True))
    engine = pg_db.engine(autocommit=False)
    old = engine.connect()
    # An open writer on c: CREATE INDEX CONCURRENTLY waits for it (then rolls it back).
    old.exec_driver_sql("INSERT INTO c (a) VALUES (1)")
    try:
        runner = project.popen("migrate")
        wait_for(
            lambda: bool(
                pg_db.scalar(
                    "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'CREATE INDEX%%' "
                    "AND datname = current_database()"
                )
            ),
            "the CREATE INDEX CONCURRENTLY to wait",
        )
        runner.send_signal(signal.SIGKILL)
        runner.wait(timeout=30)
        resumed = project.popen("migrate")
        assert resumed.stderr is not None
        first = resumed.stderr.readline()  # the notice, printed before it waits for the lock
        assert "has died" in first and "CREATE INDEX CONCURRENTLY" in first, first
    finally:
        old.rollback()
        old.close()
        engine.dispose()
    _out, err = resumed.communicate(timeout=60)
    assert resumed.returncode == 0, err
    assert "took effect (index ix_c_a exists)" in err  # a notice: stderr
    assert pg_db.scalar("SELECT count(*) FROM c") == 1
    assert status(project)["current"] == "2"
