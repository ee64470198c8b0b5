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
import time
from pathlib import Path

import pytest

from tests.conftest import Database, Project, scratch_database, sql_migration
from tests.integration.test_crash import status, wait_for

LONG_DDL = """\
CREATE TABLE p1 (id INTEGER PRIMARY KEY);
INSERT INTO p1 (id) VALUES (1);
CREATE TABLE p2 AS SELECT SLEEP(1) AS slept, 7 AS n;
INSERT INTO p2 (slept, n) VALUES (0, 8);
ALTER TABLE p1 ADD COLUMN label VARCHAR(10);
CREATE TABLE p3 AS SELECT SLEEP(1) AS slept, n FROM p2;
CREATE INDEX ix_p3_n ON p3 (n);
INSERT INTO p3 (slept, n) VALUES (0, 9);
UPDATE p1 SET label = 'done';"""


def snapshot(db: Database) -> dict[str, object]:
    """Tables (dbshift's own left out), their columns and indexes, and every row."""
    import sqlalchemy as sa

    engine = db.engine()
    try:
        with engine.connect() as conn:
            inspector = sa.inspect(conn)
            out: dict[str, object] = {}
            for table in sorted(inspector.get_table_names()):
                if table.startswith("dbshift_"):
                    continue
                columns = [(c["name"], str(c["type"])) for c in inspector.get_columns(table)]
                indexes = sorted(str(i["name"]) for i in inspector.get_indexes(table))
                rows = sorted(
                    tuple(str(v) for v in row)
                    for row in conn.exec_driver_sql(f"SELECT * FROM `{table}`")
                )
                out[table] = {"columns": columns, "indexes": indexes, "rows": rows}
            return out
    finally:
        engine.dispose()


def running_statement(db: Database, needle: str) -> bool:
    return bool(
        db.scalar(
            "SELECT count(*) FROM information_schema.processlist "
            f"WHERE info LIKE '%%{needle}%%' AND info NOT LIKE '%%processlist%%' AND db = DATABASE()"
        )
    )


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(4))
def test_sigkill_at_random_points_inside_long_ddl_resumes_to_the_uninterrupted_result(
    seed: int, mysql_db: Database, tmp_path: Path
) -> None:
    rng = random.Random(seed)
    (tmp_path / "ref").mkdir()
    (tmp_path / "run").mkdir()
    with scratch_database("mysql", tmp_path) as reference:
        ref_project = Project(tmp_path / "ref", reference.url)
        ref_project.write("1_long.sql", sql_migration(LONG_DDL))
        assert ref_project.run("migrate").code == 0
        expected = snapshot(reference)

    project = Project(tmp_path / "run", mysql_db.url)
    project.write("1_long.sql", sql_migration(LONG_DDL))
    runner = project.popen("migrate")
    target = rng.choice(["p2", "p3"])
    wait_for(
        lambda: running_statement(mysql_db, f"CREATE TABLE {target}"), f"CREATE TABLE {target}"
    )
    delay = rng.uniform(0.0, 1.2)  # past 1 s: between statements or in the next one
    time.sleep(delay)
    runner.send_signal(signal.SIGKILL)
    runner.wait(timeout=30)

    resumed = project.run("migrate")
    context = f"seed {seed}: killed {delay:.2f}s into CREATE TABLE {target}"
    assert resumed.code == 0, f"{context}: {resumed.out} {resumed.err}"
    assert snapshot(mysql_db) == expected, context
    final = status(project)
    assert final["current"] == "1" and final["failed"] == [], context


FIRST = """\
CREATE TABLE q (id INTEGER PRIMARY KEY, amount INTEGER);
INSERT INTO q (id, amount) SELECT seq, 0 FROM seq_3_to_600000;"""
#: Line 2: an INSERT, line 3: the ALTER (a type change: the catalog cannot tell whether
#: it ran; 600,000 rows make MariaDB copy the table for a second or more), line 4: an INSERT.
UNDECIDABLE = """\
INSERT INTO q (id, amount) VALUES (1, 10);
ALTER TABLE q MODIFY amount BIGINT;
INSERT INTO q (id, amount) VALUES (2, 20);"""
AMOUNT_TYPE = (
    "SELECT DATA_TYPE FROM information_schema.columns WHERE table_schema = DATABASE() "
    "AND table_name = 'q' AND column_name = 'amount'"
)


def kill_in_long_alter(project: Project, db: Database) -> None:
    """Apply migration 1 (table q), then SIGKILL the runner of migration 2 in its ALTER.

    The dead runner's ALTER goes on on the server, holding the migration lock.
    """
    project.write("1_q.sql", sql_migration(FIRST))
    assert project.run("migrate").code == 0
    project.write("2_alter.sql", sql_migration(UNDECIDABLE))
    runner = project.popen("migrate")
    wait_for(lambda: running_statement(db, "ALTER TABLE q"), "the ALTER to run")
    runner.send_signal(signal.SIGKILL)
    runner.wait(timeout=30)


@pytest.mark.slow
def test_undecidable_statement_stops_then_statement_done_continues(
    mysql_db: Database, tmp_path: Path
) -> None:
    project = Project(tmp_path, mysql_db.url)
    kill_in_long_alter(project, mysql_db)

    stopped = project.run("migrate")  # waits for the orphaned ALTER, which finishes
    assert stopped.code == 1
    assert "server session" in stopped.out and "has died" in stopped.out
    assert "2_alter.sql:3" in stopped.err and "cannot tell whether it took effect" in stopped.err
    assert "repair --statement-done" in stopped.err and "--statement-retry" in stopped.err
    assert mysql_db.scalar(AMOUNT_TYPE) == "bigint"

    repaired = project.run("repair", "--statement-done")
    assert repaired.code == 0, repaired.err
    assert "2_alter.sql:3 recorded as done" in repaired.out
    resumed = project.run("migrate")
    assert resumed.code == 0, resumed.err
    assert mysql_db.scalar("SELECT count(*) FROM q WHERE id < 3") == 2
    assert status(project)["failed"] == []


@pytest.mark.slow
def test_kill_orphaned_ends_the_dead_runners_statement_then_statement_retry_runs_it(
    mysql_db: Database, tmp_path: Path
) -> None:
    project = Project(tmp_path, mysql_db.url)
    kill_in_long_alter(project, mysql_db)

    stopped = project.run("migrate", "--kill-orphaned")
    assert stopped.code == 1
    assert "killed it (--kill-orphaned)" in stopped.out
    assert "repair --statement-done" in stopped.err
    assert mysql_db.scalar(AMOUNT_TYPE) == "int"  # KILL rolled the ALTER back

    repaired = project.run("repair", "--statement-retry")
    assert repaired.code == 0 and "will run again" in repaired.out, repaired.err
    resumed = project.run("migrate")
    assert resumed.code == 0, resumed.err
    assert mysql_db.scalar(AMOUNT_TYPE) == "bigint"
    assert mysql_db.scalar("SELECT count(*) FROM q WHERE id < 3") == 2


@pytest.mark.slow
def test_repair_names_the_statements_that_never_ran(mysql_db: Database, tmp_path: Path) -> None:
    project = Project(tmp_path, mysql_db.url)
    kill_in_long_alter(project, mysql_db)

    repaired = project.run("repair")
    assert repaired.code == 0, repaired.err
    line = next(ln for ln in repaired.out.splitlines() if "marked 2" in ln)
    assert "as applied" in line
    assert "2 of its 3 statement(s) were never recorded as run" in line
    assert "2_alter.sql:3" in line and "2_alter.sql:4" in line


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
        assert resumed.stdout is not None
        first = resumed.stdout.readline()  # the notice, printed before it waits for the lock
        assert "has died" in first and "CREATE INDEX CONCURRENTLY" in first, first
    finally:
        old.rollback()
        old.close()
        engine.dispose()
    out, err = resumed.communicate(timeout=60)
    assert resumed.returncode == 0, err
    assert "took effect (index ix_c_a exists)" in out
    assert pg_db.scalar("SELECT count(*) FROM c") == 1
    assert status(project)["current"] == "2"
