"""What one statement did to the tables around it, as a scratch database showed it.

Each server reports locks differently (``pg_locks``; MySQL/MariaDB's online DDL
algorithms; SQLite's single database lock), so each has a ``Tracer`` in its own package
(``dialects/<server>/locks.py``); they all answer in these words.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from dbshift.frozen import frozen
from dbshift.ops.base import Lock

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection


@frozen
class TableLock:
    """The strongest lock a statement took on one table, in the server's own words."""

    table: str
    mode: str
    blocks_reads: bool
    blocks_writes: bool
    #: Created earlier in the same migration (or by this statement): no application uses
    #: it yet, so its locks and rewrites harm nobody.
    new: bool = False

    @property
    def lock(self) -> Lock:
        """The traced lock in the words every safety table answers in (``Dialect.safety``),
        so ``plan --trace`` and the operations' declared facts can be compared."""
        if self.blocks_reads:
            return Lock.ALL
        return Lock.WRITES if self.blocks_writes else Lock.NONE


@frozen
class Observation:
    """One statement run on the scratch database."""

    ms: float
    locks: tuple[TableLock, ...] = ()
    #: Tables whose storage was rebuilt (a full copy of their rows on a real database).
    rewritten: tuple[str, ...] = ()
    #: Where ``locks`` comes from: "pg_locks", "online DDL probe", "documented", ...
    source: str = ""
    #: MySQL/MariaDB: the ALGORITHM/LOCK written in the statement, and what the server chose.
    declared: str | None = None
    chosen: str | None = None
    notes: tuple[str, ...] = ()


@frozen
class Step:
    """A statement to trace: SQL text, or a Python migration's function (``sql`` None)."""

    sql: str | None
    run: Callable[[], object]


class Tracer:
    """Runs statements one at a time on a scratch database and says what each did.

    A statement that fails raises the driver's error, after the tracer has left the
    connection usable (no transaction left open).
    """

    #: The server keeps a migration's locks until its COMMIT (transactional DDL).
    holds_until_commit = True

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.raw = conn.execution_options(no_parameters=True)
        self._held: list[TableLock] = []
        self.transactional = True

    def start_migration(self, *, transactional: bool) -> None:
        """Called before the first statement of each migration. ``transactional``: the
        migration runs in one transaction, so a statement the server refuses inside one
        fails here as it will in ``migrate``."""
        self._held = []
        self.transactional = transactional

    def trace(self, step: Step) -> Observation:
        observation = self._trace(step)
        self._held.extend(lock for lock in observation.locks if not lock.new)
        return observation

    def _trace(self, step: Step) -> Observation:
        raise NotImplementedError

    def rank(self, mode: str) -> int:
        """Orders modes weakest to strongest."""
        return 0

    def held(self) -> tuple[TableLock, ...]:
        """The strongest lock per table over the migration so far: in one transaction,
        every one of them is held from the statement that took it until COMMIT."""
        return strongest(self._held, self.rank)


def timed(run: Callable[[], object]) -> float:
    """Milliseconds ``run`` took."""
    started = time.perf_counter()
    run()
    return (time.perf_counter() - started) * 1000


def strongest(locks: list[TableLock], rank: Callable[[str], int]) -> tuple[TableLock, ...]:
    """One lock per table, the strongest by ``rank``, in table-name order."""
    best: dict[str, TableLock] = {}
    for lock in locks:
        held = best.get(lock.table)
        if held is None or rank(lock.mode) > rank(held.mode):
            best[lock.table] = lock
    return tuple(best[name] for name in sorted(best))
