"""The MySQL copy against writers on the rows it copies (issue 17: one loaded harness run
had ``online complete`` refuse with "1 row missing from the old or the new table").

Two races, each forced by a test through the real ``online start`` (hooks on its
statements):
- A chunk share-locks its rows, then copies them with a consistent (non-locking) read. A
  row inserted into the chunk's key range after the lock is not locked, yet the copy's
  snapshot may see it; deleted again (its trigger deleting it from the shadow) before the
  copy reaches it, it came back in the shadow as a row the old table no longer has. The
  test also holds a shadow row in an application transaction so the copy waits half-way.
- The old table's triggers go in one statement each: with the insert trigger first, a row
  inserted and deleted (updated) before the delete (update) trigger existed stayed in the
  shadow (stale).
The last test runs the copy against many writers inserting, updating and deleting rows in
the copied key range, then compares the two tables row for row: it meets the second race
unforced on every run of the old code (the first one's window, one round trip, takes a
loaded machine).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pymysql
import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from dbshift.config import Settings
from dbshift.online import service
from tests.conftest import Database
from tests.online.harness import Quiet, options, write_migration
from tests.online.test_mysql_online import connector

pytestmark = pytest.mark.mysql
NAME = "20261206_race"
FILE = """safety_period = 0
[[operations]]
type = "alter_column"
table = "items"
column = "note"
data_type = "varchar(40)"
up = "upper(note)"
down = "lower(note)"
"""


def _version(db: Database) -> str:
    return f"{db.url.rsplit('/', 1)[-1]}_{NAME}"


@pytest.fixture
def dropped_version(mysql_db: Database) -> Iterator[Database]:
    yield mysql_db
    with connector(mysql_db.url)() as conn:
        conn.cursor().execute(f"DROP DATABASE IF EXISTS `{_version(mysql_db)}`")


def _rows(conn: Any, table: str) -> dict[int, str | None]:
    cur = conn.cursor()
    cur.execute(f"SELECT id, note FROM {table}")
    return {int(r[0]): r[1] for r in cur.fetchall()}


def _stuck(conn: Any, shadow: str, timeout: float = 20.0) -> None:
    """Until the copy's statement has been waiting half a second (for the held row)."""
    cur = conn.cursor()
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        cur.execute(
            "SELECT count(*) FROM information_schema.PROCESSLIST WHERE TIME_MS > 500 "
            "AND INFO LIKE %s",
            [f"INSERT INTO {shadow}%"],
        )
        if int(cur.fetchone()[0]):
            return
        time.sleep(0.02)
    raise AssertionError("the copy never waited for the held shadow row")


def test_a_row_inserted_and_deleted_during_a_chunk_is_not_copied_back(
    dropped_version: Database, tmp_path: Path
) -> None:
    db = dropped_version
    connect = connector(db.url)
    app, holder, watcher = connect(), connect(), connect()
    cur = app.cursor()
    cur.execute("CREATE TABLE items (id bigint PRIMARY KEY, note varchar(20))")
    cur.execute("INSERT INTO items SELECT seq, concat('n', seq) FROM seq_1_to_20 WHERE seq <> 5")
    shadow = f"`{_version(db)}`.`items`"
    fired: set[str] = set()
    errors: list[BaseException] = []

    def later() -> None:
        try:
            _stuck(watcher, shadow)  # the copy, half-way, waits for row 3 of the shadow
            app.cursor().execute("DELETE FROM items WHERE id = 5")
            holder.commit()
        except BaseException as exc:  # reported by the test's thread
            errors.append(exc)
            holder.rollback()

    def hook(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "LOCK IN SHARE MODE" in statement and "lock" not in fired:
            fired.add("lock")
            # a row of the chunk the application changed first: its trigger put it in the
            # shadow, where another transaction now holds it
            app.cursor().execute("UPDATE items SET note = 'u3' WHERE id = 3")
            holder.begin()
            holder.cursor().execute(f"SELECT * FROM {shadow} WHERE id = 3 FOR UPDATE")
        elif statement.lstrip().startswith(f"INSERT INTO {shadow}") and "copy" not in fired:
            fired.add("copy")
            # after the chunk's locks, a new row in its key range (committed)
            app.cursor().execute("INSERT INTO items VALUES (5, 'late')")
            threading.Thread(target=later, daemon=True).start()

    event.listen(Engine, "before_cursor_execute", hook)
    try:
        path = write_migration(tmp_path, NAME, FILE)
        settings = Settings(url=db.url, lock_timeout=30)
        service.start(path, settings, options(batch_size=1000, max_batch=1000), Quiet())
    finally:
        event.remove(Engine, "before_cursor_execute", hook)
    assert fired == {"lock", "copy"}
    assert not errors, errors
    old, new = _rows(app, "items"), _rows(app, shadow)
    assert 5 not in old
    assert sorted(new) == sorted(old), "rows in one table only"
    assert new == {k: (v.upper() if v else v) for k, v in old.items()}
    entry = service.complete(NAME, settings, options(), Quiet(), schema="public", force=True)
    assert entry.phase.value == "completed"
    for c in (app, holder, watcher):
        c.close()


def test_rows_written_while_the_triggers_are_created_end_up_in_step(
    dropped_version: Database, tmp_path: Path
) -> None:
    """The three triggers go in one statement each; an application writes between them."""
    db = dropped_version
    app = connector(db.url)()
    cur = app.cursor()
    cur.execute("CREATE TABLE items (id bigint PRIMARY KEY, note varchar(20))")
    cur.execute("INSERT INTO items SELECT seq, concat('n', seq) FROM seq_1_to_20")
    created: list[str] = []

    def hook(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.startswith("CREATE TRIGGER") and "`items`" in statement:
            created.append(statement)
            if len(created) == 2:  # one trigger on the table so far
                for sql in (
                    "INSERT INTO items VALUES (50, 'a')",
                    "DELETE FROM items WHERE id = 50",
                    "INSERT INTO items VALUES (51, 'b')",
                    "UPDATE items SET note = 'c' WHERE id = 51",
                    "UPDATE items SET note = 'd' WHERE id = 7",
                    "DELETE FROM items WHERE id = 8",
                ):
                    app.cursor().execute(sql)

    event.listen(Engine, "before_cursor_execute", hook)
    try:
        path = write_migration(tmp_path, NAME, FILE)
        settings = Settings(url=db.url, lock_timeout=30)
        service.start(path, settings, options(), Quiet())
    finally:
        event.remove(Engine, "before_cursor_execute", hook)
    assert len(created) >= 3
    shadow = f"`{_version(db)}`.`items`"
    old, new = _rows(app, "items"), _rows(app, shadow)
    assert old[51] == "c" and 50 not in old and 8 not in old
    assert new == {k: (v.upper() if v else v) for k, v in old.items()}
    app.close()


ROUNDS = 4


def _differences(conn: Any, shadow: str) -> tuple[list[int], list[int]]:
    """Keys of rows only in (or out of step in) the old table, and only in the shadow: one
    statement, so one consistent snapshot of both while the writers go on."""
    cur = conn.cursor()
    cur.execute(
        f"SELECT 'old', o.id FROM items AS o LEFT JOIN {shadow} AS n ON n.id = o.id "
        "WHERE n.id IS NULL OR NOT (n.note <=> upper(o.note)) UNION ALL "
        f"SELECT 'new', n.id FROM {shadow} AS n LEFT JOIN items AS o ON o.id = n.id "
        "WHERE o.id IS NULL"
    )
    rows = cur.fetchall()
    return sorted(int(r[1]) for r in rows if r[0] == "old"), sorted(
        int(r[1]) for r in rows if r[0] == "new"
    )


class _Writer(threading.Thread):
    """Inserts, updates and deletes rows of its own residue class of keys, across the
    whole key range the copy covers; explicit keys, so inserts land inside the range."""

    def __init__(self, url: str, which: int, hands: int, keys: int) -> None:
        super().__init__(daemon=True)
        self.connect = connector(url)
        self.mine = [k for k in range(1, keys + 1) if k % hands == which]
        self.rng = random.Random(which)
        self.stop = threading.Event()
        self.errors: list[str] = []
        self.deadlocks = 0
        self.done = 0

    def run(self) -> None:
        conn = self.connect()
        cur = conn.cursor()
        try:
            while not self.stop.is_set():
                key = self.rng.choice(self.mine)
                try:
                    cur.execute("SELECT 1 FROM items WHERE id = %s", [key])
                    if cur.fetchone() is None:
                        cur.execute("INSERT INTO items VALUES (%s, %s)", [key, f"i{self.done}"])
                        if self.rng.random() < 0.5:  # and gone again at once
                            cur.execute("DELETE FROM items WHERE id = %s", [key])
                    elif self.rng.random() < 0.5:
                        cur.execute("DELETE FROM items WHERE id = %s", [key])
                    else:
                        cur.execute(
                            "UPDATE items SET note = %s WHERE id = %s", [f"u{self.done}", key]
                        )
                    self.done += 1
                except pymysql.err.OperationalError as exc:
                    if exc.args[0] == 1213:
                        self.deadlocks += 1
                        continue
                    self.errors.append(str(exc))
                    return
        finally:
            conn.close()


def test_the_copy_under_writers_on_its_key_range_leaves_both_tables_equal(
    dropped_version: Database, tmp_path: Path
) -> None:
    db = dropped_version
    keys = 3000
    app = connector(db.url)()
    cur = app.cursor()
    cur.execute("CREATE TABLE items (id bigint PRIMARY KEY, note varchar(20))")
    cur.execute(
        f"INSERT INTO items SELECT seq, concat('n', seq) FROM seq_1_to_{keys} WHERE seq % 3 <> 0"
    )
    writers = [_Writer(db.url, i, 8, keys) for i in range(8)]
    differences: list[tuple[list[int], list[int]]] = []
    for w in writers:
        w.start()
    path = write_migration(tmp_path, NAME, FILE)
    settings = Settings(url=db.url, lock_timeout=30)
    try:
        for _ in range(ROUNDS):  # a copy, checked, rolled back, again
            time.sleep(0.2)
            service.start(
                path, settings, options(batch_size=50, min_batch=20, max_batch=200), Quiet()
            )
            differences.append(_differences(app, f"`{_version(db)}`.`items`"))
            if differences[-1] != ([], []):
                break
            service.rollback(NAME, settings, options(), Quiet(), schema="public")
    finally:
        for w in writers:
            w.stop.set()
        for w in writers:
            w.join(timeout=60)
    assert not [e for w in writers for e in w.errors]
    assert sum(w.done for w in writers) > 500, "the writers barely wrote"
    assert sum(w.deadlocks for w in writers) == 0, "an application write was a deadlock victim"
    assert differences[-1] == ([], []), "rows missing from one table, or out of step"
    assert len(differences) == ROUNDS
    app.close()
