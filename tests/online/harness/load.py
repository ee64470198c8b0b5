"""The load of the online harness: application writers through the old and the new
version, running while the CLI's start, complete or rollback run.

Every writer owns a disjoint set of rows (the initial rows are dealt out, and a writer's
inserts are its own) and always writes every column its version sees, so the row's whole
state is the last thing its writer wrote (or the initial row). That makes the final
table exactly predictable: ``operation.up`` of an old-version state, ``operation.down`` of
a new-version one. Any exception in a writer is an application error and fails the cell,
except a deadlock victim (InnoDB 1213, PostgreSQL 40P01): the server rolled that statement
back whole, and an application must retry it (MySQL manual, "How to Minimize and Handle
Deadlocks"). The writer counts it in ``deadlocks`` and goes on; its predicted rows are
unaffected because the statement left nothing behind.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.online.harness import Threaded

Row = dict[str, Any]


@dataclass
class Writer(Threaded):
    name: str
    #: "old" or "new": which version it writes through.
    version: str
    #: Opens its own autocommit DB-API connection to its version.
    connect: Callable[[], Any]
    table: str
    #: Every column this version sees but the key, given a counter unique to the writer.
    values: Callable[[int], Row]
    owned: list[int]
    #: PostgreSQL: INSERT … RETURNING id; MySQL: cursor.lastrowid, as applications read it.
    returning: bool
    offset: int = 0
    #: Row id -> the state it was last given (None: deleted).
    writes: dict[int, Row | None] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    #: Statements the server chose as a deadlock victim (rolled back whole).
    deadlocks: int = 0
    operations: int = 0
    stop: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None

    def _run(self) -> None:
        rng = random.Random(self.name)
        try:
            conn = self.connect()
        except Exception as exc:
            self.errors.append(f"connect: {exc}")
            return
        try:
            counter = 0
            while not self.stop.is_set():
                counter += 1
                try:
                    self._one(conn, rng, self.offset + counter)
                    self.operations += 1
                except Exception as exc:
                    if _deadlock_victim(exc):
                        self.deadlocks += 1
                        continue
                    self.errors.append(f"{type(exc).__name__}: {exc}".splitlines()[0])
                    if len(self.errors) > 20:
                        return
        finally:
            conn.close()

    def _one(self, conn: Any, rng: random.Random, counter: int) -> None:
        roll = rng.random()
        values = self.values(counter)
        cols = list(values)
        cur = conn.cursor()
        if roll < 0.25 or not self.owned:
            marks = ", ".join(["%s"] * len(cols))
            returning = " RETURNING id" if self.returning else ""
            cur.execute(
                f"INSERT INTO {self.table} ({', '.join(cols)}) VALUES ({marks}){returning}",
                list(values.values()),
            )
            new_id = int(cur.fetchone()[0] if self.returning else cur.lastrowid)
            assert new_id > 0, "the insert reported no key"
            self.owned.append(new_id)
            self.writes[new_id] = values
        elif roll < 0.75:
            target = rng.choice(self.owned)
            sets = ", ".join(f"{c} = %s" for c in cols)
            cur.execute(f"UPDATE {self.table} SET {sets} WHERE id = %s", [*values.values(), target])
            assert cur.rowcount == 1, f"update of row {target} changed {cur.rowcount} rows"
            self.writes[target] = values
        elif roll < 0.8:
            target = self.owned.pop(rng.randrange(len(self.owned)))
            cur.execute(f"DELETE FROM {self.table} WHERE id = %s", [target])
            assert cur.rowcount == 1, f"delete of row {target} changed {cur.rowcount} rows"
            self.writes[target] = None
        else:
            target = rng.choice(self.owned)
            cur.execute(f"SELECT {', '.join(cols)} FROM {self.table} WHERE id = %s", [target])
            assert cur.fetchone() is not None, f"row {target} vanished"
        cur.close()


def _deadlock_victim(exc: BaseException) -> bool:
    args = getattr(exc, "args", ())
    return (bool(args) and args[0] == 1213) or getattr(exc, "sqlstate", None) == "40P01"


def deal(ids: list[int], hands: int) -> list[list[int]]:
    return [ids[i::hands] for i in range(hands)]


def expected_rows(
    initial: dict[int, Row],
    writers: list[Writer],
    *,
    old: Callable[[Row, Row | None], Row],
    new: Callable[[Row, Row | None], Row],
) -> dict[int, Row]:
    """Every row the table must hold at the end: an untouched initial row and one the old
    version wrote last go through ``old``, one the new version wrote through ``new``; each
    also gets the row's initial state (None for a row a writer inserted), for the columns
    one version cannot see."""
    out = {i: old(row, row) for i, row in initial.items()}
    for w in writers:
        convert = old if w.version == "old" else new
        for row_id, state in w.writes.items():
            if state is None:
                out.pop(row_id, None)
            else:
                out[row_id] = convert(state, initial.get(row_id))
    return out
