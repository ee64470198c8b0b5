"""Online migrations under load: writers and readers through the old and the new version
while start, complete or rollback run.

Every worker owns a disjoint set of rows (the initial rows are dealt out round-robin, and
a worker's inserts are its own), so it knows what each of its rows must hold at the end:
the last value it wrote, converted to the final shape by the scenario. Any exception in a
worker is an application error and fails the test.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

from dbshift.online.backfill import BackfillOptions
from dbshift.online.locks import LockPolicy
from dbshift.online.service import Options

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


@dataclass
class Write:
    """What a worker last did to a row: the version it wrote through and the values it
    set (in that version's column names); None values mean the row was deleted."""

    version: str
    values: dict[str, Any] | None


@dataclass
class Worker:
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
    writes: dict[int, Write] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    operations: int = 0
    stop: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None

    def start(self) -> None:
        self.thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self.thread.start()

    def finish(self) -> None:
        self.stop.set()
        assert self.thread is not None
        self.thread.join(timeout=60)
        assert not self.thread.is_alive(), f"{self.name} did not stop"

    def _run(self) -> None:
        rng = random.Random(self.name)
        try:
            conn = psycopg.connect(self.conninfo, autocommit=True)
        except Exception as exc:  # pragma: no cover - reported as an application error
            self.errors.append(f"connect: {exc}")
            return
        with conn:
            conn.execute(f"SET search_path TO {self.search_path}")
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

    def _one(self, conn: psycopg.Connection[Any], rng: random.Random, counter: int) -> None:
        roll = rng.random()
        values = self.make_values(self.offset + counter)
        table = self.table
        cols = list(values)
        if roll < 0.25 or not self.owned:
            placeholders = ", ".join(["%s"] * len(cols))
            row = conn.execute(
                f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({placeholders}) RETURNING id",
                list(values.values()),
            ).fetchone()
            assert row is not None
            self.owned.append(int(row[0]))
            self.writes[int(row[0])] = Write(self.version, values)
        elif roll < 0.75:
            target = rng.choice(self.owned)
            sets = ", ".join(f"{c} = %s" for c in cols)
            conn.execute(f"UPDATE {table} SET {sets} WHERE id = %s", [*values.values(), target])
            self.writes[target] = Write(self.version, values)
        elif roll < 0.8:
            target = self.owned.pop(rng.randrange(len(self.owned)))
            conn.execute(f"DELETE FROM {table} WHERE id = %s", [target])
            self.writes[target] = Write(self.version, None)
        else:
            target = rng.choice(self.owned)
            conn.execute(
                f"SELECT {', '.join(self.read_columns)} FROM {table} WHERE id = %s", [target]
            ).fetchone()


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
