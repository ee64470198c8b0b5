"""Keyset backfill: convert existing rows in primary-key batches, never OFFSET scans.

- A high-water mark (the largest key at start) bounds the work: rows inserted later get
  their new columns from the dual-write trigger, so the backfill ends even when rows
  arrive faster than it copies them.
- Each batch is one short transaction that also stores the checkpoint, so a killed
  backfill resumes after the last committed batch.
- The batch size adapts to keep each batch near a latency target (short row locks, no
  long transactions for autovacuum to wait on); ``rate`` caps rows per second.
- The target itself adapts to the application (``dbshift.throttle.pacing``): just before
  each batch commits it asks the server how many writers queue for its row locks; a batch
  that held one up halves the target (down to 10 ms) and yields for as long as that writer
  waited, a batch that held nobody lets it grow back to ``target_seconds``. On PostgreSQL
  a batch also commits without waiting for its WAL flush (``synchronous_commit = off``):
  its row locks go as soon as the commit is written, and a crash loses at most the last
  batches, which the checkpoint (in the same transactions) makes the resume redo.
- A batch waits at most its ceiling (50 ms or more) for an application's row lock: past
  that it rolls back, so a long application transaction never has the batch hold its
  rows (and their writers) for as long; it comes again smaller after a growing pause.
- ``pause`` (set in the journal by ``dbshift online pause``) stops it between batches.
- Before each batch the load-aware throttle (``dbshift.throttle``) asks the server how
  busy it is: it waits while a ``max_load`` threshold is reached (and halves the next
  batch), pauses at a ``critical_load`` one, and stops after ``critical_timeout`` with the
  checkpoint committed, so ``online start`` resumes. What it saw is kept with the job's
  state for ``online status``.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any

from dbshift.dialects import named
from dbshift.errors import NoUsableKey, ServerOverloaded
from dbshift.online.shape import Assignment
from dbshift.throttle import Pacing, PacingStatus, Thresholds, Throttle, ThrottleStatus

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection


#: Where a copy statement's batch key range goes.
RANGE = "__DBSHIFT_RANGE__"
#: Seconds per batch the size adapts to unless told otherwise.
DEFAULT_TARGET = 0.1
#: Consecutive tries of one batch that may fail on a deadlock or lock wait.
_RETRIES = 10
#: Where the batch's own lock wait limit goes (milliseconds), in ``KeySQL.begin``.
LOCK_WAIT = "__DBSHIFT_LOCK_WAIT_MS__"
#: The shortest such limit: application transactions hold their row locks a few ms.
MIN_LOCK_WAIT = 0.05


@dataclass
class BackfillOptions:
    batch_size: int = 1000
    min_batch: int = 100
    max_batch: int = 50_000
    #: Latency to adapt batches to; None: the engine's default (``DEFAULT_TARGET``, or
    #: shorter where a batch blocks the application's inserts, see online/mysql). Where
    #: the server says which writers a batch holds up, the ceiling of the adaptive target
    #: (``dbshift.throttle.pacing``).
    target_seconds: float | None = None
    #: Rows per second at most (None: as fast as the target latency allows).
    rate: float | None = None
    #: Load thresholds (the command line's over the file's over the config's; what none
    #: says takes ``dbshift.throttle``'s defaults).
    throttle: Thresholds = field(default_factory=Thresholds)


@dataclass
class TableBackfill:
    """The state of one table's backfill, as stored in the journal."""

    last: list[str] | None = None
    hwm: list[str] | None = None
    done: int = 0
    total: int = 0
    finished: bool = False
    batches: int = 0
    seconds: float = 0.0
    #: The throttle's status (``ThrottleStatus.as_dict``): thresholds, state, waits.
    throttle: dict[str, Any] = field(default_factory=dict)
    #: The pacing's status (``PacingStatus.as_dict``): the latency target, writers held up.
    pacing: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "last": self.last,
            "hwm": self.hwm,
            "done": self.done,
            "total": self.total,
            "finished": self.finished,
            "batches": self.batches,
            "seconds": round(self.seconds, 3),
            "throttle": self.throttle,
            "pacing": self.pacing,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> TableBackfill:
        return cls(
            last=raw.get("last"),
            hwm=raw.get("hwm"),
            done=int(raw.get("done", 0)),
            total=int(raw.get("total", 0)),
            finished=bool(raw.get("finished", False)),
            batches=int(raw.get("batches", 0)),
            seconds=float(raw.get("seconds", 0.0)),
            throttle=dict(raw.get("throttle") or {}),
            pacing=dict(raw.get("pacing") or {}),
        )


@dataclass(frozen=True)
class KeySQL:
    """How a server spells the pieces of a keyset batch: each engine passes its own
    (``online/postgres.py``'s ``KEY_SQL``, ``online/mysql/sql.py``'s)."""

    quote: Callable[[str], str]
    #: A key column as text (checkpoints are stored as JSON strings), ``{}`` the column.
    as_text: str
    #: Rows estimate for the progress bar: one parameter, the qualified table.
    estimate_sql: str
    #: Statements that open and close a batch's transaction (and mark the session so the
    #: dual-write triggers step aside for the backfill's own writes). ``LOCK_WAIT`` in
    #: them is replaced by the batch's own limit for waiting on a row lock, in ms.
    begin: tuple[str, ...]
    end: tuple[str, ...]
    abort: tuple[str, ...]
    #: Errors after which the batch is taken again (it rolled back whole).
    retryable: Callable[[BaseException], bool]
    #: The batch gave up waiting for a lock at its own limit (``LOCK_WAIT``): taken again
    #: smaller after a pause, for as long as it takes (a long application transaction is
    #: not the backfill's failure).
    lock_wait_ended: Callable[[BaseException], bool]
    #: A stored key value back in the column's type: {param} and {type}.
    bound: Callable[[str, str], str] = lambda param, type_: f"CAST({param} AS {type_})"
    #: Every statement the backfill builds (key names, the table, the copy's own SQL),
    #: made to survive the driver's parameter pass, for a driver that %-formats every
    #: statement (PyMySQL: a ``%`` in a key column's name). None: only the migration's
    #: own SQL is doubled (PostgreSQL).
    escape: Callable[[str], str] | None = None


class Backfill:
    """One table's backfill: the SQL for its key, and the loop."""

    #: What a batch does: assign the hidden columns of the batch's rows, or run a copy
    #: statement whose ``RANGE`` is replaced by the batch's key range.
    Work = Sequence[Assignment] | str

    def __init__(
        self,
        qualified: str,
        key: Sequence[tuple[str, str]],
        work: Work,
        sql: KeySQL,
        estimate_params: dict[str, str] | None = None,
        lock: Sequence[str] = (),
    ) -> None:
        """``lock``: statements run first in every batch's transaction, ``RANGE`` replaced
        by the batch's key range as in ``work``, that lock the batch's source rows before
        it writes anything (none: the batch's statement locks as it goes)."""
        if not key:
            raise NoUsableKey(
                f"{qualified} has no primary key: online changes need one to backfill in "
                "keyset batches (add a primary key first, e.g. with create_index + raw_sql)"
            )
        self.qualified = qualified
        self.sql = sql
        self.estimate_params = estimate_params or {"rel": qualified}
        self.key_names = [self.sql.quote(name) for name, _ in key]
        self.key_types = [type_ for _, type_ in key]
        self.work = work
        self.lock = tuple(lock)
        # Qualified with the alias k: ``ORDER BY "id"`` beside ``SELECT id::text`` would
        # sort by the text output column ('9999' > '10000').
        cols = ", ".join(f"k.{c}" for c in self.key_names)
        self._row = f"({cols})"
        self._text = ", ".join(self.sql.as_text.format(f"k.{c}") for c in self.key_names)
        self._order = cols
        self._order_desc = ", ".join(f"k.{c} DESC" for c in self.key_names)

    def _bound(self, prefix: str) -> str:
        params = ", ".join(
            self.sql.bound(f"%({prefix}{i})s", t) for i, t in enumerate(self.key_types)
        )
        return f"({params})"

    @staticmethod
    def _params(prefix: str, values: Sequence[str]) -> dict[str, str]:
        return {f"{prefix}{i}": v for i, v in enumerate(values)}

    def _sql(self, sql: str) -> str:
        return self.sql.escape(sql) if self.sql.escape else sql

    def high_water(self, conn: Connection) -> list[str] | None:
        sql = f"SELECT {self._text} FROM {self.qualified} AS k ORDER BY {self._order_desc} LIMIT 1"
        if self.sql.escape:  # no parameters: nothing for the driver to format
            conn = conn.execution_options(no_parameters=True)
        row = conn.exec_driver_sql(sql).first()
        return [str(v) for v in row] if row else None

    def estimate(self, conn: Connection) -> int:
        """Rows in the table for the progress bar and ``status``. A PostgreSQL table never
        vacuumed or analyzed has no statistics (-1): counted instead, once, rather than
        reporting "about 0"."""
        found = conn.exec_driver_sql(self.sql.estimate_sql, self.estimate_params).scalar()
        if found is not None and int(found) < 0:
            counted = conn.exec_driver_sql(f"SELECT count(*) FROM {self.qualified}").scalar()
            return int(counted or 0)
        return int(found or 0)

    def _batch_end(self, conn: Connection, state: TableBackfill, size: int) -> list[str]:
        assert state.hwm is not None
        where = [f"{self._row} <= {self._bound('h')}"]
        params = self._params("h", state.hwm)
        if state.last is not None:
            where.append(f"{self._row} > {self._bound('l')}")
            params.update(self._params("l", state.last))
        row = conn.exec_driver_sql(
            self._sql(
                f"SELECT {self._text} FROM {self.qualified} AS k WHERE {' AND '.join(where)} "
                f"ORDER BY {self._order} LIMIT 1 OFFSET {int(size) - 1}"
            ),
            params,
        ).first()
        return [str(v) for v in row] if row else list(state.hwm)

    def condition(
        self, last: Sequence[str] | None, end: Sequence[str]
    ) -> tuple[str, dict[str, str]]:
        """``last < key <= end`` over the alias ``k``, and its parameters."""
        where = [f"{self._row} <= {self._bound('e')}"]
        params = self._params("e", end)
        if last is not None:
            where.append(f"{self._row} > {self._bound('l')}")
            params.update(self._params("l", last))
        return " AND ".join(where), params

    def ranges(self, conn: Connection, size: int) -> Iterator[tuple[list[str] | None, list[str]]]:
        """Key ranges of about ``size`` rows up to the current largest key, as (last, end)
        for ``condition``: for work done in pieces, like a verification."""
        state = TableBackfill(hwm=self.high_water(conn))
        while state.hwm is not None and not state.finished:
            end = self._batch_end(conn, state, size)
            yield state.last, end
            state.last, state.finished = list(end), list(end) == list(state.hwm)

    def _update(self, conn: Connection, state: TableBackfill, end: Sequence[str]) -> int:
        condition, params = self.condition(state.last, end)
        for sql in self.lock:
            if self.sql.escape:
                sql = self.sql.escape(sql.replace(RANGE, condition))
            else:
                sql = sql.replace("%", "%%").replace(RANGE, condition)
            conn.exec_driver_sql(sql, params)
        if self.sql.escape and isinstance(self.work, str):
            sql = self.sql.escape(self.work.replace(RANGE, condition))
            return int(conn.exec_driver_sql(sql, params).rowcount or 0)
        # '%' in the migration's own SQL (modulo, LIKE patterns) must survive the driver's
        # parameter pass, so it is doubled before the key bounds go in.
        if isinstance(self.work, str):
            sql = self.work.replace("%", "%%").replace(RANGE, condition)
        else:
            sets = ", ".join(
                f"{self.sql.quote(a.column)} = ({a.expression.replace('%', '%%')})"
                for a in self.work
            )
            sql = f"UPDATE {self.qualified} AS k SET {sets} WHERE {condition}"
        return int(conn.exec_driver_sql(sql, params).rowcount or 0)

    def run(
        self,
        conn: Connection,
        state: TableBackfill,
        options: BackfillOptions,
        *,
        save: Callable[[Connection, TableBackfill], None],
        paused: Callable[[Connection], bool],
        progress: Callable[[TableBackfill], None],
    ) -> bool:
        """Backfill from the checkpoint to the high-water mark. False if paused."""
        if state.hwm is None and not state.finished:
            state.hwm = self.high_water(conn)
            state.total = self.estimate(conn)
            if state.hwm is None:
                state.finished = True
            self._begin(conn, None)
            save(conn, state)
            for sql in self.sql.end:
                conn.exec_driver_sql(sql)
        size = options.batch_size
        failures = lock_waits = 0
        throttle = self._throttle(conn, state, options, save)
        dialect = named(conn.dialect.name)
        pacing = Pacing(
            options.target_seconds or DEFAULT_TARGET,
            adaptive=dialect.blocked_writers(conn) is not None,
            before=PacingStatus.from_dict(state.pacing) if state.pacing else None,
        )
        state.pacing = pacing.status().as_dict()
        while not state.finished:
            if paused(conn):
                return False
            try:
                waited = throttle.wait(stop=lambda: paused(conn))
            except ServerOverloaded as exc:
                raise ServerOverloaded(
                    f"{exc}: the backfill of {self.qualified} stopped after {state.done} rows, "
                    "its checkpoint saved; run 'dbshift online start' again to resume"
                ) from None
            if waited or throttle.status().state != "running":
                # (Still throttled: the wait ended because the backfill was paused.)
                # Smaller batches hold their row locks for less time while the server is
                # busy; the latency target grows them back once it is not.
                size = max(options.min_batch, size // 2)
                continue
            end = self._batch_end(conn, state, size)
            # The batch's transaction is what holds locks others may wait for: its length
            # is what the size adapts to.
            began = time.monotonic()
            self._begin(conn, max(MIN_LOCK_WAIT, pacing.status().ceiling))
            try:
                rows = self._update(conn, state, end)
                # Who queues for this batch's row locks now waits until it commits: all
                # of them, counted just before the commit (None: the server cannot say).
                held = dialect.blocked_writers(conn) if pacing.status().adaptive else None
                elapsed = time.monotonic() - began
                # (A batch that then fails still held those writers up: the lesson
                # stands, only its yield is replaced by the retry's back-off.)
                pause = pacing.learn(elapsed, held)
                trial = replace(
                    state,
                    last=list(end),
                    done=state.done + rows,
                    batches=state.batches + 1,
                    finished=list(end) == list(state.hwm or []),
                    seconds=state.seconds + elapsed,
                    throttle=throttle.status().as_dict(),
                    pacing=pacing.status().as_dict(),
                )
                save(conn, trial)
                for sql in self.sql.end:
                    conn.exec_driver_sql(sql)
            except BaseException as exc:
                for sql in self.sql.abort:
                    conn.exec_driver_sql(sql)
                if self.sql.lock_wait_ended(exc):
                    # An application transaction holds a row of this batch: the batch let
                    # go of its own rows rather than hold them while it waited. Smaller,
                    # after a pause that grows to 2 s while that transaction lasts.
                    lock_waits += 1
                    pacing.status().gave_way += 1
                    size = max(options.min_batch, size // 2)
                    time.sleep(min(2.0, 0.02 * 2 ** min(lock_waits, 7)) * random.uniform(0.5, 1.5))
                    continue
                if failures >= _RETRIES or not self.sql.retryable(exc):
                    raise
                # A deadlock or lock wait with the application: the batch rolled back
                # whole; take it again, smaller (pt-osc and gh-ost retry chunks too).
                failures += 1
                size = max(options.min_batch, size // 2)
                time.sleep(min(2.0, 0.05 * 2**failures) * random.uniform(0.5, 1.5))
                continue
            failures = lock_waits = 0
            for f in fields(state):
                setattr(state, f.name, getattr(trial, f.name))
            progress(state)
            if pause > 0:
                time.sleep(pause)
            size = _next_size(size, elapsed, pacing.target(), options)
            throttle.pace(elapsed)
            if options.rate:
                wanted = rows / options.rate
                if wanted > elapsed:
                    time.sleep(wanted - elapsed)
        return True

    def _begin(self, conn: Connection, lock_wait: float | None) -> None:
        """Open a batch's transaction: it waits at most ``lock_wait`` seconds for a lock
        (None: as long as it takes, for a checkpoint saved outside a batch)."""
        ms = "DEFAULT" if lock_wait is None else str(max(1, round(1000 * lock_wait)))
        for sql in self.sql.begin:
            conn.exec_driver_sql(sql.replace(LOCK_WAIT, ms))

    def _throttle(
        self,
        conn: Connection,
        state: TableBackfill,
        options: BackfillOptions,
        save: Callable[[Connection, TableBackfill], None],
    ) -> Throttle:
        """The load-aware throttle on the backfill's own connection (probed between
        batches, never inside one). Its status is saved with every batch, and also when
        it changes while the backfill waits, so ``online status`` shows a wait as it
        happens; the waits of an earlier run are carried over."""

        def report(status: ThrottleStatus) -> None:
            state.throttle = status.as_dict()
            self._begin(conn, None)
            save(conn, state)
            for sql in self.sql.end:
                conn.exec_driver_sql(sql)

        throttle = Throttle(named(conn.dialect.name), conn, options.throttle, report=report)
        before = ThrottleStatus.from_dict(state.throttle) if state.throttle else None
        if before is not None:
            throttle.status().waited, throttle.status().waits = before.waited, before.waits
        state.throttle = throttle.status().as_dict()
        return throttle


def _next_size(size: int, elapsed: float, target: float, options: BackfillOptions) -> int:
    """Scale the batch toward the target latency, at most x2 or /2 per step."""
    factor = 2.0 if elapsed <= 0 else max(0.5, min(2.0, target / elapsed))
    return max(options.min_batch, min(options.max_batch, int(size * factor)))
