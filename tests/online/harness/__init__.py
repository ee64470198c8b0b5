"""Online migrations under load: writers and readers through the old and the new version
while start, complete or rollback run.

Every worker owns a disjoint set of rows (the initial rows are dealt out round-robin, and
a worker's inserts are its own), so it knows what each of its rows must hold at the end:
the last value it wrote, converted to the final shape by the scenario. Any exception in a
worker is an application error and fails the test.
"""

from __future__ import annotations

import os
import random
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest

from dbshift.config import Settings
from dbshift.errors import UsageError
from dbshift.online import service
from dbshift.online.backfill import BackfillOptions
from dbshift.online.locks import LockPolicy
from dbshift.online.phases import Options
from tests.conftest import dbshift_executable

ROWS = 6000
TABLE = "items"
SETUP = f"""
CREATE TABLE {TABLE} (
    id bigserial PRIMARY KEY,
    code varchar(64) NOT NULL,
    note text,
    qty integer NOT NULL DEFAULT 0
);
INSERT INTO {TABLE} (code, note, qty)
SELECT 'c' || g, 'n' || g, g % 100 FROM generate_series(1, {ROWS}) AS g;
"""


def options(**backfill: Any) -> Options:
    """Small batches so the backfill takes many of them while the workers write."""
    return Options(
        lock=LockPolicy(timeout_ms=500, attempts=20, backoff=0.05),
        backfill=BackfillOptions(**{"batch_size": 200, "max_batch": 400, **backfill}),
        safety_period=0,
    )


class Quiet:
    def step(self, text: str) -> None:
        pass

    def backfill(self, table: str, state: object) -> None:
        pass


def online_cli(
    url: str, cwd: Path, *args: str, crash: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``dbshift online <args> --url url`` in a process of its own (``crash``: the step at
    which it ends as a SIGKILL would); start copies in batches of 500."""
    env = {k: v for k, v in os.environ.items() if k not in ("DBSHIFT_URL", "DATABASE_URL")}
    if crash:
        env["DBSHIFT_ONLINE_CRASH_AT"] = crash
    extra = ["--batch-size", "500"] if args[0] == "start" else []
    return subprocess.run(
        [*dbshift_executable(), "online", *args, "--url", url, *extra],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def refuses_a_second_migration_on_the_same_table(url: str, tmp_path: Path, alter: str) -> None:
    """With ``alter`` (a migration on items) in flight, a second one on items is refused
    and one on the table ``other`` (which the caller made) starts."""
    settings = Settings(url=url)
    service.start(write_migration(tmp_path, "1_a", alter), settings, options(), Quiet())
    same = write_migration(
        tmp_path,
        "2_b",
        'safety_period = 0\n[[operations]]\ntype = "rename_column"\n'
        'table = "items"\ncolumn = "note"\nnew_name = "remark"\n',
    )
    with pytest.raises(UsageError, match="1_a is still active on items"):
        service.start(same, settings, options(), Quiet())
    other = write_migration(
        tmp_path,
        "3_c",
        'safety_period = 0\n[[operations]]\ntype = "rename_column"\n'
        'table = "other"\ncolumn = "v"\nnew_name = "w"\n',
    )
    assert service.start(other, settings, options(), Quiet()).phase == "active"


class Threaded:
    """A worker running ``_run`` in a thread of its own until ``finish``."""

    name: str
    stop: threading.Event
    thread: threading.Thread | None

    def _run(self) -> None:
        raise NotImplementedError

    def start(self) -> None:
        self.thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self.thread.start()

    def finish(self) -> None:
        self.stop.set()
        assert self.thread is not None
        self.thread.join(timeout=60)
        assert not self.thread.is_alive(), f"{self.name} did not stop"


@dataclass
class Write:
    """What a worker last did to a row: the version it wrote through and the values it
    set (in that version's column names); None values mean the row was deleted."""

    version: str
    values: dict[str, Any] | None


@dataclass
class Worker(Threaded):
    name: str
    version: str  # "old" or "new"
    conninfo: str
    search_path: str
    owned: list[int]
    #: Column values to write, in this version's names: (row id, counter) -> values.
    make_values: Callable[[int], dict[str, Any]]
    #: Columns to read back through this version.
    read_columns: list[str]
    #: Added to the counter passed to ``make_values``: values stay unique across workers.
    offset: int = 0
    #: The table's name as this version sees it.
    table: str = TABLE
    #: Opens the worker's own DB-API connection (MySQL: to its version's database);
    #: None: psycopg to ``conninfo`` with ``search_path``.
    connect: Callable[[], Any] | None = None
    writes: dict[int, Write] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    operations: int = 0
    stop: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None

    def _run(self) -> None:
        rng = random.Random(self.name)
        try:
            if self.connect is not None:
                conn = self.connect()
            else:
                conn = psycopg.connect(self.conninfo, autocommit=True)
                conn.execute(f"SET search_path TO {self.search_path}")
        except Exception as exc:  # pragma: no cover - reported as an application error
            self.errors.append(f"connect: {exc}")
            return
        with conn:
            counter = 0
            while not self.stop.is_set():
                counter += 1
                try:
                    self._one(conn, rng, counter)
                    self.operations += 1
                except Exception as exc:
                    self.errors.append(f"{type(exc).__name__}: {exc}".splitlines()[0])
                    if len(self.errors) > 20:
                        return

    def _one(self, conn: Any, rng: random.Random, counter: int) -> None:
        """One statement, through the DB-API cursor (psycopg and PyMySQL alike); MySQL
        inserts report their key the way applications read it, as ``lastrowid``."""
        roll = rng.random()
        values = self.make_values(self.offset + counter)
        table = self.table
        cols = list(values)
        cur = conn.cursor()
        if roll < 0.25 or not self.owned:
            placeholders = ", ".join(["%s"] * len(cols))
            returning = "" if self.connect else " RETURNING id"
            cur.execute(
                f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({placeholders}){returning}",
                list(values.values()),
            )
            new_id = int(cur.lastrowid if self.connect else cur.fetchone()[0])
            assert new_id > 0
            self.owned.append(new_id)
            self.writes[new_id] = Write(self.version, values)
        elif roll < 0.75:
            target = rng.choice(self.owned)
            sets = ", ".join(f"{c} = %s" for c in cols)
            cur.execute(f"UPDATE {table} SET {sets} WHERE id = %s", [*values.values(), target])
            self.writes[target] = Write(self.version, values)
        elif roll < 0.8:
            target = self.owned.pop(rng.randrange(len(self.owned)))
            cur.execute(f"DELETE FROM {table} WHERE id = %s", [target])
            self.writes[target] = Write(self.version, None)
        else:
            target = rng.choice(self.owned)
            cur.execute(
                f"SELECT {', '.join(self.read_columns)} FROM {table} WHERE id = %s", [target]
            )
            cur.fetchone()


def deal(ids: list[int], workers: int) -> list[list[int]]:
    return [ids[i::workers] for i in range(workers)]


def conninfo(url: str) -> str:
    """A libpq connection string from a SQLAlchemy-style URL."""
    from sqlalchemy.engine import make_url

    u = make_url(url)
    parts = [f"dbname={u.database}", f"host={u.host or '127.0.0.1'}", f"port={u.port or 5432}"]
    if u.username:
        parts.append(f"user={u.username}")
    if u.password:
        parts.append(f"password={u.password}")
    return " ".join(parts)


def wait_until(predicate: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def write_migration(tmp: Path, name: str, body: str) -> Path:
    path = tmp / f"{name}.toml"
    path.write_text(body, encoding="utf-8")
    return path


@dataclass
class Scenario:
    toml: str
    old_values: Callable[[int], dict[str, Any]]
    new_values: Callable[[int], dict[str, Any]]
    old_read: list[str]
    new_read: list[str]
    #: Final columns after complete: (row id, last write or None if untouched) -> values.
    completed: Callable[[int, Write | None], dict[str, Any]]
    #: Final columns after rollback.
    rolled_back: Callable[[int, Write | None], dict[str, Any]]
    #: Extra setup SQL, and the table's name in the new version.
    setup: str = ""
    new_table: str = TABLE
    #: Checked after complete: (SQL returning one value, the value it must return).
    after_complete: tuple[str, object] | None = None


def last(i: int, w: Write | None, column: str, initial: str) -> Any:
    """The value the row's last writer gave ``column``, or the one SETUP gave row ``i``."""
    return f"{initial}{i}" if w is None else (w.values or {})[column]


def last_note(w: Write) -> Any:
    values = w.values or {}
    return values["remark"] if w.version == "new" else values["note"]


def op(body: str) -> str:
    return f'safety_period = 0\n\n[[operations]]\ntable = "{TABLE}"\n{body}'


def expected(
    workers: list[Worker], final: Callable[[int, Write | None], dict[str, Any]]
) -> dict[int, dict[str, Any]]:
    writes: dict[int, Write] = {}
    for w in workers:
        writes.update(w.writes)
    out = {i: final(i, None) for i in range(1, ROWS + 1) if i not in writes}
    for row_id, write in writes.items():
        if write.values is not None:
            out[row_id] = final(row_id, write)
    return out
