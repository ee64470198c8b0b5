"""Batched data migrations on every server, under concurrent writers: ``-- dbshift:batched``,
``ctx.backfill`` and ``ctx.batches`` (src/dbshift/runner/batched.py).

Exactly once is checked with a counter the migration increments (``touched = touched +
1``): a row a batch processed twice reads 2, a row it missed reads 0. The rows the batches
were responsible for are those up to the high-water key, read back from the checkpoint.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Database, Project
from tests.online.harness.connect import mysql_connect, pg_connect
from tests.online.harness.load import Writer
from tests.runner.test_crash import status, wait_for

ROWS = 3000
#: Enough rows that a batch loop starting at 100 rows must take more than 5 batches even
#: when every batch beats its target and the size doubles each time (100 + 200 + ... +
#: 3,200 = 6,300): on a fast, idle machine 3,000 rows took exactly 5.
MANY_BATCHES = 7000

USERS_DDL = {
    "postgresql": "id BIGSERIAL PRIMARY KEY",
    "mysql": "id BIGINT AUTO_INCREMENT PRIMARY KEY",
    "sqlite": "id INTEGER PRIMARY KEY AUTOINCREMENT",
}


class _SqliteCursor:
    """The writers speak ``%s``; sqlite3 speaks ``?``.

    SQLite has one writer at a time: a writer with no pause between statements holds the
    write lock nearly always, and the runner's busy handler (which sleeps between tries)
    waits about a second per batch. A 5 ms pause per statement, an application's think
    time, keeps the test short while the writes still interleave with every batch.
    """

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    def execute(self, sql: str, params: Any = ()) -> Any:
        result = self._cursor.execute(sql.replace("%s", "?"), params)
        time.sleep(0.005)
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)


class _SqliteConnection:
    def __init__(self, path: str) -> None:
        self._conn = sqlite3.connect(path, timeout=60, isolation_level=None)

    def cursor(self) -> _SqliteCursor:
        return _SqliteCursor(self._conn.cursor())

    def close(self) -> None:
        self._conn.close()


def connector(db: Database) -> Any:
    if db.backend == "postgresql":
        return lambda: pg_connect(db.url)
    if db.backend == "mysql":
        return lambda: mysql_connect(db.url)
    path = db.url.removeprefix("sqlite:///")
    return lambda: _SqliteConnection(path)


def setup_users(db: Database, rows: int = ROWS) -> None:
    engine = db.engine()
    with engine.begin() as conn:
        conn.exec_driver_sql(
            f"CREATE TABLE users ({USERS_DDL[db.backend]}, "
            "email VARCHAR(100) NOT NULL DEFAULT 'New@Example.ORG', "
            "email_lower VARCHAR(100) NULL, name VARCHAR(100) NULL, "
            "touched INTEGER NOT NULL DEFAULT 0)"
        )
        conn.execute(
            __import__("sqlalchemy").text("INSERT INTO users (email) VALUES (:e)"),
            [{"e": f"User{i}@Example.COM"} for i in range(1, rows + 1)],
        )
    engine.dispose()


def start_writers(db: Database, count: int = 2) -> list[Writer]:
    """Writers that insert, rename, delete and read rows while the migration runs."""
    owned = list(range(1, ROWS + 1))
    writers = [
        Writer(
            f"w{i}",
            "old",
            connector(db),
            "users",
            lambda n, i=i: {"name": f"w{i}-{n}"},
            owned[i::count],
            returning=db.backend == "postgresql",
            offset=i * 10_000_000,
        )
        for i in range(count)
    ]
    for writer in writers:
        writer.start()
    return writers


def stop_writers(writers: list[Writer]) -> None:
    for writer in writers:
        writer.finish()
    for writer in writers:
        assert writer.errors == [], f"{writer.name}: {writer.errors[:3]}"
        assert writer.operations > 0, f"{writer.name} wrote nothing"


def rows(db: Database, sql: str) -> list[tuple[Any, ...]]:
    engine = db.engine()
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.exec_driver_sql(sql)]
    finally:
        engine.dispose()


def checkpoints(db: Database) -> list[dict[str, Any]]:
    found = rows(
        db,
        "SELECT version, label, hwm, last_key, done, batches, finished "
        "FROM dbshift_history_batches ORDER BY version, label",
    )
    return [
        {
            "version": v,
            "label": label,
            "hwm": json.loads(hwm) if hwm else None,
            "last": json.loads(last) if last else None,
            "done": int(done),
            "batches": int(batches),
            "finished": bool(finished),
        }
        for v, label, hwm, last, done, batches, finished in found
    ]


def assert_transformed_exactly_once(db: Database, hwm: int) -> None:
    """Every row up to the high-water key: lower(email) once; every row above: untouched."""
    for id_, email, lower, touched in rows(
        db, "SELECT id, email, email_lower, touched FROM users ORDER BY id"
    ):
        if id_ <= hwm:
            assert (touched, lower) == (1, email.lower()), f"row {id_}"
        else:
            assert (touched, lower) == (0, None), f"row {id_} above the high-water mark"


def adopt(db: Database, tmp_path: Path) -> Project:
    """The tables predate dbshift: adopt the database before any migration is written.

    Done before the writers start: on SQLite, creating the history tables under
    concurrent writers fails with "database is locked" (``HistoryTable.ensure`` reads in a
    deferred BEGIN, then writes; SQLite refuses that upgrade while a writer holds the
    write lock). Outside this lane; reported.
    """
    project = Project(tmp_path, db.url)
    project.rehash()
    adopted = project.run("migrate", "--init-existing")
    assert adopted.code == 0, adopted.err
    return project


def run_with_writers(db: Database, project: Project) -> tuple[Any, list[Writer]]:
    writers = start_writers(db)
    try:
        time.sleep(0.3)  # the writers are busy before the migration starts
        result = project.run("migrate")
        time.sleep(0.2)
    finally:
        stop_writers(writers)
    return result, writers


SQL_TRANSFORM = """-- dbshift:up
-- dbshift:batched size=100 target=5ms
UPDATE users SET email_lower = lower(email), touched = touched + 1
WHERE email_lower IS NULL;
"""


def test_batched_sql_transforms_a_column_exactly_once_under_writers(
    db: Database, tmp_path: Path
) -> None:
    setup_users(db, rows=MANY_BATCHES)
    project = adopt(db, tmp_path)
    project.write("1_lower_email.sql", SQL_TRANSFORM)

    result, _ = run_with_writers(db, project)

    assert result.code == 0, result.err
    [point] = checkpoints(db)
    assert point["finished"] and point["batches"] > 5, point
    assert "verified: 0 row(s) up to the high-water key match" in result.err
    assert_transformed_exactly_once(db, point["hwm"][0])
    # The changed rows the checkpoint counted are the rows touched (none were deleted
    # between their batch and the end? deleted rows were counted too: at least as many).
    touched = db.scalar("SELECT count(*) FROM users WHERE touched = 1")
    assert point["done"] >= touched > ROWS * 0.8


PY_SPLIT = """
transactional = False


def up(ctx):
    ctx.execute(
        "CREATE TABLE profiles (user_id BIGINT NOT NULL PRIMARY KEY, "
        "email VARCHAR(100) NOT NULL)"
    )
    for batch in ctx.batches("users", batch_size=100, target_seconds=0.005):
        batch.execute(
            "INSERT INTO profiles (user_id, email) "
            f"SELECT id, email FROM users WHERE {batch.where}"
        )
"""


def test_python_batches_split_a_table_exactly_once_under_writers(
    db: Database, tmp_path: Path
) -> None:
    setup_users(db, rows=MANY_BATCHES)
    project = adopt(db, tmp_path)
    project.write("1_split_profiles.py", PY_SPLIT)

    result, writers = run_with_writers(db, project)

    assert result.code == 0, result.err
    [point] = checkpoints(db)
    hwm = point["hwm"][0]
    assert point["finished"] and point["batches"] > 5, point
    assert "batches over users" in result.err and "verified" in result.err
    users = dict(rows(db, f"SELECT id, email FROM users WHERE id <= {hwm}"))
    profiles = dict(rows(db, "SELECT user_id, email FROM profiles"))
    deleted = {k for w in writers for k, v in w.writes.items() if v is None}
    # Each user up to the mark copied once (the primary key refuses a second copy); a
    # profile without its user is one a writer deleted after its batch copied it.
    assert set(users) <= set(profiles)
    assert set(profiles) - set(users) <= deleted
    assert all(profiles[k] == v for k, v in users.items())
    assert max(profiles) <= hwm
    assert point["done"] == len(profiles)


PY_KILLED = """
import os
import time

transactional = False
MARKER = {marker!r}


def up(ctx):
    done = 0
    # target_seconds far above any batch's time: the size doubles, 100, 200, 400 ...
    for batch in ctx.batches("users", batch_size=100, target_seconds=1000):
        batch.execute(
            "UPDATE users SET email_lower = lower(email), touched = touched + 1 "
            f"WHERE {{batch.where}}"
        )
        done += 1
        if done == 3 and not os.path.exists(MARKER):
            open(MARKER, "w").close()
            time.sleep(120)  # killed here: the third batch's UPDATE ran, not its commit
"""


@pytest.mark.slow
def test_sigkill_mid_backfill_then_resume_does_every_row_exactly_once(
    db: Database, tmp_path: Path
) -> None:
    setup_users(db)
    project = Project(tmp_path, db.url)
    marker = tmp_path / "in-third-batch"
    project.write("1_killed.py", PY_KILLED.format(marker=str(marker)))

    runner = project.popen("migrate", "--init-existing")
    wait_for(marker.exists, "the migration to reach its third batch")
    runner.send_signal(signal.SIGKILL)
    runner.wait(timeout=30)
    wait_for(
        lambda: not any(f["in_progress"] for f in status(project)["failed"]),
        "the server to notice the dead runner",
    )

    [point] = checkpoints(db)
    assert (point["batches"], point["done"], point["finished"]) == (2, 300, False)
    assert db.scalar("SELECT count(*) FROM users WHERE touched = 1") == 300
    assert db.scalar("SELECT max(touched) FROM users") == 1
    [stopped] = status(project)["failed"]
    assert stopped["state"] == "running"

    resumed = project.run("migrate")

    assert resumed.code == 0, resumed.err
    assert "running it again, from the batch after the last one committed" in resumed.err
    assert "resuming the batches over users after batch 2 (300 row(s) done)" in resumed.err
    assert f"{ROWS} row(s) changed" in resumed.err and "verified" in resumed.err
    [point] = checkpoints(db)
    assert point["finished"] and point["done"] == ROWS
    assert_transformed_exactly_once(db, ROWS)
    final = status(project)
    assert final["current"] == "1" and final["failed"] == [] and final["pending"] == []


COMPOSITE = """
transactional = False


def up(ctx):
    ctx.backfill(
        "orders",
        set={"doubled": "total * :factor"},
        where="doubled IS NULL",
        params={"factor": 2},
        batch_size=50,
        target_seconds=0.001,
    )
"""


def test_backfill_walks_a_composite_key(db: Database, tmp_path: Path) -> None:
    engine = db.engine()
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE orders (org_id INTEGER NOT NULL, id INTEGER NOT NULL, "
            "total INTEGER NOT NULL, doubled INTEGER NULL, PRIMARY KEY (org_id, id))"
        )
        # Ids restart in each org: a range on org_id alone, or on id alone, is wrong.
        conn.execute(
            __import__("sqlalchemy").text(
                "INSERT INTO orders (org_id, id, total) VALUES (:o, :i, :t)"
            ),
            [{"o": o, "i": i, "t": o * 1000 + i} for o in range(1, 21) for i in range(1, 76)],
        )
    engine.dispose()
    project = Project(tmp_path, db.url)
    project.write("1_double.py", COMPOSITE)

    result = project.run("migrate", "--init-existing")

    assert result.code == 0, result.err
    [point] = checkpoints(db)
    assert point["hwm"] == [20, 75] and point["done"] == 1500 and point["batches"] >= 20
    assert db.scalar("SELECT count(*) FROM orders WHERE doubled = 2 * total") == 1500


@pytest.mark.parametrize(
    ("ddl", "directive", "message"),
    [
        (
            "CREATE TABLE logs (msg VARCHAR(50) NOT NULL, seen INTEGER NULL)",
            "-- dbshift:batched",
            "table logs has no primary key, so it cannot be walked in keyset batches",
        ),
        (
            "CREATE TABLE logs (msg VARCHAR(50) NULL, seen INTEGER NULL)",
            "-- dbshift:batched key=msg",
            "column 'msg' of logs allows NULL: rows with a NULL key would be skipped",
        ),
    ],
    ids=["no-primary-key", "nullable-key"],
)
def test_a_table_without_a_usable_key_is_one_clear_error(
    db: Database, tmp_path: Path, ddl: str, directive: str, message: str
) -> None:
    engine = db.engine()
    with engine.begin() as conn:
        conn.exec_driver_sql(ddl)
        conn.exec_driver_sql("INSERT INTO logs (msg) VALUES ('a'), ('b')")
    engine.dispose()
    project = Project(tmp_path, db.url)
    project.write("1_seen.sql", f"-- dbshift:up\n{directive}\nUPDATE logs SET seen = 1;\n")

    result = project.run("migrate", "--init-existing")

    assert result.code == 1
    assert message in result.err
    assert "1_seen.sql:3" in result.err
    assert "Traceback" not in result.err
    assert db.scalar("SELECT count(*) FROM logs WHERE seen IS NOT NULL") == 0


def test_python_backfill_refuses_to_run_inside_one_transaction(
    sqlite_db: Database, tmp_path: Path
) -> None:
    setup_users(sqlite_db, rows=10)
    project = Project(tmp_path, sqlite_db.url)
    project.write(
        "1_tx.py",
        "def up(ctx):\n    ctx.backfill('users', set={'touched': 'touched + 1'})\n",
    )

    result = project.run("migrate", "--init-existing")

    assert result.code == 1
    assert "set 'transactional = False' in the file" in result.err
    assert sqlite_db.scalar("SELECT max(touched) FROM users") == 0


SQL_GATED = """-- dbshift:up
CREATE TABLE before_batches (id INTEGER);
-- dbshift:batched size=100 target=1000s
UPDATE users SET email_lower = lower(email), touched = touched + 1;
CREATE TABLE after_batches (id INTEGER);
"""


def blocked_in_batch(db: Database, after: int) -> bool:
    """The runner's batched UPDATE waits for the row lock the test holds, in the batch that
    follows checkpoint ``after``.

    PostgreSQL shows the lock wait itself. MariaDB's processlist shows only that the UPDATE
    is running (and innodb_trx did not list the waiting transaction in tests), so there the
    committed checkpoint says which batch it is: a slow machine was once caught inside the
    second batch, which the held row does not block."""
    if db.backend == "postgresql":
        sql = (
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND query LIKE 'UPDATE users SET email_lower%%' AND datname = current_database()"
        )
        return bool(db.scalar(sql))
    sql = (
        "SELECT count(*) FROM information_schema.processlist "
        "WHERE info LIKE 'UPDATE users SET email_lower%%' AND db = DATABASE()"
    )
    if not db.scalar(sql):
        return False  # before the first batch the checkpoint table may not exist yet
    return [point["batches"] for point in checkpoints(db)] == [after]


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["postgresql", "mysql"])
def test_sigkill_inside_a_batched_statement_then_resume(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """The gate: the test holds row 1500's lock, so the runner is provably inside the
    batch that covers it (sizes 100, 200, 400, 800: the fourth, rows 701-1500) when it is
    killed. The three batches before it are committed with their checkpoint; the fourth
    rolls back; the resume takes it again and every row reads touched = 1."""
    db: Database = request.getfixturevalue("pg_db" if backend == "postgresql" else "mysql_db")
    setup_users(db)
    project = adopt(db, tmp_path)
    project.write("1_gated.sql", SQL_GATED)
    engine = db.engine(autocommit=False)
    holder = engine.connect()
    holder.exec_driver_sql("UPDATE users SET name = name WHERE id = 1500")  # lock held
    runner = project.popen("migrate")
    try:
        wait_for(lambda: blocked_in_batch(db, 3), "the runner to block in the fourth batch")
        runner.send_signal(signal.SIGKILL)
        runner.wait(timeout=30)
    finally:
        holder.rollback()
        holder.close()
        engine.dispose()
    wait_for(
        lambda: not any(f["in_progress"] for f in status(project)["failed"]),
        "the server to notice the dead runner",
    )

    [stopped] = status(project)["failed"]
    assert stopped["statements_done"] == 1  # the CREATE TABLE before it
    [point] = checkpoints(db)
    assert (point["batches"], point["done"], point["last"]) == (3, 700, [700])
    assert db.scalar("SELECT count(*) FROM users WHERE touched = 1") == 700
    assert db.scalar("SELECT max(id) FROM users WHERE touched = 1") == 700

    resumed = project.run("migrate")

    assert resumed.code == 0, resumed.err
    assert "resuming the batched UPDATE on users after batch 3 (700 row(s) done)" in resumed.err
    assert_transformed_exactly_once(db, ROWS)
    assert {"before_batches", "after_batches"} <= db.tables()
    final = status(project)
    assert final["current"] == "1" and final["failed"] == [] and final["pending"] == []


PY_BEHIND = """
transactional = False


def up(ctx):
    done = 0
    for batch in ctx.batches("users", where="email_lower IS NULL", batch_size=100,
                             target_seconds=1000):
        batch.execute(
            f"UPDATE users SET email_lower = lower(email) WHERE {batch.where} "
            "AND email_lower IS NULL"
        )
        done += 1
        if done == 3:
            # A row appears behind the batches (a key below the ones done): none of them
            # will see it, and the count at the end must say so.
            ctx.execute("INSERT INTO users (id, email) VALUES (-1, 'Behind@Example.COM')")
"""


def test_an_unquoted_table_and_key_match_the_catalog_as_the_server_folds_them(
    db: Database, tmp_path: Path
) -> None:
    """PostgreSQL folds ``Users`` to ``users``; the catalog lookup for the key must too."""
    setup_users(db, rows=50)
    project = adopt(db, tmp_path)
    # MySQL/MariaDB table names are case-sensitive on Linux: the table is written as it is
    # there, the key column (case-insensitive everywhere) in capitals.
    table = "users" if db.backend == "mysql" else "Users"
    project.write(
        "1_fold.sql",
        f"-- dbshift:up\n-- dbshift:batched key=ID size=10\n"
        f"UPDATE {table} SET touched = touched + 1;\n",
    )

    result = project.run("migrate")

    assert result.code == 0, result.err
    assert db.scalar("SELECT count(*) FROM users WHERE touched = 1") == 50
    [point] = checkpoints(db)
    assert point["batches"] >= 2 and point["hwm"] == [50]


def test_a_row_added_behind_the_batches_fails_the_verification(
    db: Database, tmp_path: Path
) -> None:
    setup_users(db, rows=1000)
    project = adopt(db, tmp_path)
    project.write("1_behind.py", PY_BEHIND)

    result = project.run("migrate")

    assert result.code == 1
    assert "batches over users: verification failed" in result.err
    assert "1 row(s) up to the high-water key [1000] match its condition" in result.err
    assert "but only 0 did right after their batch (1000 changed)" in result.err
    [stopped] = status(project)["failed"]
    assert stopped["state"] == "failed"


BATCHED_UP_DOWN = """-- dbshift:up
ALTER TABLE users ADD COLUMN plan VARCHAR(20) NULL;
-- dbshift:batched
UPDATE users SET plan = 'basic' WHERE plan IS NULL;

-- dbshift:down
-- dbshift:batched
UPDATE users SET plan = NULL;
ALTER TABLE users DROP COLUMN plan;
"""

PY_UP_DOWN = """
transactional = False


def up(ctx):
    ctx.backfill("users", set={"touched": "touched + 1"})


def down(ctx):
    for batch in ctx.batches("users"):
        batch.execute(f"UPDATE users SET touched = touched - 1 WHERE {batch.where}")
"""


def test_dbshift_test_runs_batched_migrations_up_down_up(
    sqlite_db: Database, tmp_path: Path
) -> None:
    """``dbshift test`` runs the batches inside its own rolled-back transaction, and the
    checkpoint table is dbshift's, not part of the schema it compares."""
    project = Project(tmp_path, sqlite_db.url)
    project.write(
        "1_users.sql",
        "-- dbshift:up\nCREATE TABLE users (id INTEGER PRIMARY KEY, email VARCHAR(100) NOT "
        "NULL, touched INTEGER NOT NULL DEFAULT 0);\nINSERT INTO users (email) VALUES "
        "('a'), ('b'), ('c');\n-- dbshift:down\nDROP TABLE users;\n",
    )
    project.write("2_plan.sql", BATCHED_UP_DOWN)
    project.write("3_touch.py", PY_UP_DOWN)

    result = project.run("test", "--dialect", "sqlite", url=False)

    assert result.code == 0, result.out + result.err
    assert "3 migration(s) tested" in result.out


STALE = """-- dbshift:up
INSERT INTO guard (id) VALUES (1);
-- dbshift:batched size=20
UPDATE users SET touched = touched + 1;

-- dbshift:down
UPDATE users SET touched = 0;
"""


def test_a_reapplied_migration_resumed_before_its_batches_does_not_take_old_checkpoints(
    db: Database, tmp_path: Path
) -> None:
    """Applied (its checkpoint finished), reverted, applied again: that run fails before
    its batched statement, and its resume must run every batch, not skip them because
    the first application's checkpoint says finished."""
    setup_users(db, rows=100)
    engine = db.engine()
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE guard (id INTEGER PRIMARY KEY)")
    engine.dispose()
    project = adopt(db, tmp_path)
    project.write("1_stale.sql", STALE)
    assert project.run("migrate").code == 0
    assert project.run("rollback").code == 0
    assert db.scalar("SELECT max(touched) FROM users") == 0

    failed = project.run("migrate")  # guard row 1 is still there: the INSERT fails
    assert failed.code == 1
    engine = db.engine()
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM guard")
    engine.dispose()
    resumed = project.run("migrate")

    assert resumed.code == 0, resumed.err
    assert db.scalar("SELECT count(*) FROM users WHERE touched = 1") == 100
