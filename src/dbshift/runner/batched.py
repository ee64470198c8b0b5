"""The batch loop of data migrations: ``ctx.backfill``, ``ctx.batches``, ``-- dbshift:batched``.

A data migration over a large table as one statement is one long transaction: row locks
held for its whole length, replication lag, and a kill loses all of it. Here the work is
cut into keyset batches (``dbshift.runner.keyset``), each its own short transaction that
also writes the piece's checkpoint (``dbshift.runner.checkpoints``):

- exactly once: a batch's rows and its checkpoint commit together, so after a SIGKILL
  the committed batches are recorded and the one in flight rolled back whole; the resume
  starts at the batch that did not commit, and a finished piece is never run again;
- bounded: a high-water mark (the largest key at the start) ends the work even while
  rows are inserted faster than batches copy them;
- adaptive: each batch's size is scaled toward ``target_seconds`` (at most x2 or /2 a
  step), so row locks stay short whatever a row costs;
- throttled: ``before_batch`` runs before every batch (the load-aware throttle hooks in
  there; a no-op by default);
- visible: a progress bar with ETA on a terminal; elsewhere only notices;
- verified: each batch counts, before it commits, the rows of its range that match the
  piece's condition once it is done (0 where the change makes the condition false, the
  ``WHERE email_lower IS NULL`` idiom; every row where it does not). At the end the rows
  up to the high-water key matching the condition are counted again and may not exceed
  that sum: a row added behind the batches, or one they missed, fails the migration with
  both numbers. Concurrent deletes only lower the end's count.

A piece is keyed by (version, direction, label); a fresh run (not a resume) forgets the
version's old checkpoints first, so a migration reverted and applied again starts over.
"""

from __future__ import annotations

import hashlib
import re
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dbshift.errors import MigrationFailed, NoUsableKey
from dbshift.runner.checkpoints import Checkpoint, CheckpointStore
from dbshift.runner.keyset import Keyset, table_key

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, CursorResult

    from dbshift.dialects import Dialect
    from dbshift.migrations.batched import BatchedStatement


def no_throttle() -> None:
    """The default ``before_batch``: run the next batch at once."""


@dataclass(frozen=True)
class BatchOptions:
    batch_size: int = 1000
    min_batch: int = 50
    max_batch: int = 50_000
    #: Seconds per batch the size adapts to: short enough that a batch's row locks never
    #: stall the application for long, long enough that commits are a small overhead.
    target_seconds: float = 0.2

    def next_size(self, size: int, elapsed: float) -> int:
        """Scale toward the target latency, at most x2 or /2 per step."""
        factor = 2.0 if elapsed <= 0 else max(0.5, min(2.0, self.target_seconds / elapsed))
        return max(self.min_batch, min(self.max_batch, int(size * factor)))


def options_from(
    batch_size: int | None, target_seconds: float | None, *, where: str
) -> BatchOptions:
    options = BatchOptions()
    if batch_size is not None:
        if not isinstance(batch_size, int) or batch_size < 1:
            raise MigrationFailed(
                f"{where}: batch_size must be a positive integer, got {batch_size!r}"
            )
        options = BatchOptions(
            batch_size=batch_size,
            min_batch=min(options.min_batch, batch_size),
            max_batch=max(options.max_batch, batch_size),
            target_seconds=options.target_seconds,
        )
    if target_seconds is not None:
        if not isinstance(target_seconds, int | float) or target_seconds <= 0:
            raise MigrationFailed(
                f"{where}: target_seconds must be a positive number, got {target_seconds!r}"
            )
        options = BatchOptions(
            batch_size=options.batch_size,
            min_batch=options.min_batch,
            max_batch=options.max_batch,
            target_seconds=float(target_seconds),
        )
    return options


@dataclass(frozen=True)
class BatchResult:
    """What one piece did, over every run: rows changed, batches committed."""

    rows: int
    batches: int
    #: Rows of the range matching the piece's condition after the last batch.
    remaining: int | None


class Batch:
    """One keyset batch, handed to a ``ctx.batches`` loop.

    ``where`` is the batch's key range as SQL over the table (``"users"."id" > :kl0 AND
    ...``); its values are in ``params``. ``execute`` runs a statement with them bound and
    counts the rows it changed toward the final verification.
    """

    def __init__(self, conn: Connection, where: str, params: dict[str, Any]) -> None:
        self._conn = conn
        self.where = where
        self.params = params
        #: Rows changed in this batch (``execute`` adds to it; a loop may set it too).
        self.rows = 0

    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> CursorResult[Any]:
        """Run ``sql`` (``:name`` placeholders; the batch's own are bound too)."""
        from sqlalchemy import text

        result = self._conn.execute(text(sql), {**self.params, **(params or {})})
        self.rows += max(0, int(result.rowcount or 0))
        return result


def escape_colons(sql: str) -> str:
    """SQL as written (``-- dbshift:batched``) through ``sqlalchemy.text``: a ``:word``
    is text there (a string literal, a PostgreSQL ``::cast`` stays as it is)."""
    return re.sub(r"(?<![:\w\\]):(?=\w)", r"\\:", sql)


class StepBatcher:
    """The batch loops of one migration step (a SQL statement or a Python function)."""

    def __init__(
        self,
        conn: Connection,
        dialect: Dialect,
        store: CheckpointStore,
        *,
        version: str,
        direction: str,
        where: str,
        fresh: bool,
        inline: bool = False,
        in_transaction: bool = False,
        notice: Callable[[str], None] = lambda text: None,
        before_batch: Callable[[], None] = no_throttle,
    ) -> None:
        self.conn = conn
        self.dialect = dialect
        self.store = store
        self.version = version
        self.direction = direction
        self.location = where
        self.fresh = fresh
        #: ``dbshift test``: inside a transaction it rolls back; no commits, no checkpoints.
        self.inline = inline
        self.in_transaction = in_transaction
        self.notice = notice
        self.before_batch = before_batch
        self._raw = conn.execution_options(no_parameters=True)
        self._cleared = False
        self._open = False
        self._result: BatchResult | None = None
        self._calls = 0

    # -- the Python migration's API (``MigrationContext.backfill`` / ``batches``) --------

    def backfill(
        self,
        table: str,
        *,
        set: Mapping[str, str],
        where: str | None = None,
        key: str | Sequence[str] | None = None,
        schema: str | None = None,
        params: Mapping[str, Any] | None = None,
        batch_size: int | None = None,
        target_seconds: float | None = None,
    ) -> BatchResult:
        if not set:
            raise MigrationFailed(f"{self.location}: ctx.backfill needs set={{column: expression}}")
        keyset = self._keyset(schema, table, key, alias=None)
        assignments = ", ".join(
            f"{self.dialect.quote(column)} = ({expression})" for column, expression in set.items()
        )
        head = f"UPDATE {keyset.table} SET {assignments}"
        label = self._label(table)
        bound = dict(params or {})

        def statement(batch: Batch) -> None:
            condition = batch.where if not where else f"{batch.where} AND ({where})"
            batch.execute(f"{head} WHERE {condition}", bound)

        return self._run(
            keyset,
            label=label,
            fingerprint=_fingerprint(head, where, keyset.columns),
            where=where,
            params=bound,
            options=options_from(batch_size, target_seconds, where=self.location),
            body=statement,
            what=f"backfill of {table}",
        )

    def batches(
        self,
        table: str,
        *,
        where: str | None = None,
        key: str | Sequence[str] | None = None,
        schema: str | None = None,
        alias: str | None = None,
        params: Mapping[str, Any] | None = None,
        batch_size: int | None = None,
        target_seconds: float | None = None,
    ) -> Iterator[Batch]:
        keyset = self._keyset(schema, table, key, alias=alias)
        return self._iterate(
            keyset,
            label=self._label(table),
            fingerprint=_fingerprint(f"batches {keyset.table} {alias}", where, keyset.columns),
            where=where,
            params=dict(params or {}),
            options=options_from(batch_size, target_seconds, where=self.location),
            what=f"batches over {table}",
        )

    # -- the SQL form ------------------------------------------------------------------

    def run_statement(self, form: BatchedStatement, *, label: str) -> BatchResult:
        """A ``-- dbshift:batched`` UPDATE or DELETE, its key range added to its WHERE."""
        keyset = self._keyset(
            form.schema, form.table, form.key or None, alias=form.alias, unquoted=True
        )
        # The statement names its table (and alias) as written: the range does the same.
        keyset = Keyset(
            self.dialect,
            table=form.table_sql,
            qualifier=form.alias_sql or form.table_sql,
            columns=keyset.columns,
        )
        head = escape_colons(form.head)
        where = escape_colons(form.where) if form.where else None

        def statement(batch: Batch) -> None:
            condition = batch.where if not where else f"{batch.where} AND ({where})"
            batch.execute(f"{head} WHERE {condition}")

        return self._run(
            keyset,
            label=label,
            fingerprint=_fingerprint(form.head, form.where, keyset.columns),
            where=where,
            params={},
            options=options_from(form.batch_size, form.target_seconds, where=self.location),
            body=statement,
            what=f"batched {form.verb} on {form.table}",
        )

    def restart(self) -> None:
        """The step runs (again): its calls are numbered from the first, so a retried or
        resumed Python function finds the checkpoints of its earlier run."""
        self._calls = 0

    def abort(self) -> None:
        """Roll back the batch in flight (the step failed inside it)."""
        if self._open:
            self._open = False
            self._rollback()

    # -- the loop ----------------------------------------------------------------------

    def _run(
        self,
        keyset: Keyset,
        *,
        label: str,
        fingerprint: str,
        where: str | None,
        params: dict[str, Any],
        options: BatchOptions,
        body: Callable[[Batch], None],
        what: str,
    ) -> BatchResult:
        loop = self._iterate(
            keyset,
            label=label,
            fingerprint=fingerprint,
            where=where,
            params=params,
            options=options,
            what=what,
        )
        for batch in loop:
            try:
                body(batch)
            except BaseException:
                self.abort()
                raise
        assert self._result is not None
        return self._result

    def _iterate(
        self,
        keyset: Keyset,
        *,
        label: str,
        fingerprint: str,
        where: str | None,
        params: dict[str, Any],
        options: BatchOptions,
        what: str,
    ) -> Iterator[Batch]:
        self._result = None
        if self.in_transaction and not self.inline:
            raise MigrationFailed(
                f"{self.location}: {what}: batches commit one by one, so the migration "
                "cannot run in one transaction: set 'transactional = False' in the file"
            )
        if self.inline:
            yield from self._inline(keyset, where, params, options)
            return
        point = self._start(keyset, label, fingerprint, where, params, what)
        size = options.batch_size
        bar = _Progress.open(what, point) if sys.stderr.isatty() else None
        #: Rows the batches walked over (the bar's measure: ``done`` counts only the rows
        #: a condition let through). Estimated on a resume from the rows done.
        covered = min(point.done, point.total)
        try:
            while not point.finished and point.hwm is not None:
                self.before_batch()
                end = keyset.batch_end(self.conn, point.last, point.hwm, size)
                condition, bounds = keyset.between(point.last, end)
                began = time.monotonic()
                self._begin()
                batch = Batch(self.conn, condition, {**params, **bounds})
                before = point.last
                try:
                    yield batch
                except GeneratorExit:
                    # The loop was left (break, or an error in its body): its batch is not
                    # known to be whole, so it rolls back and a resume takes it again.
                    self.abort()
                    raise
                if not self._open:
                    return  # aborted by the step while the body ran
                point.last = end
                point.done += batch.rows
                point.batches += 1
                point.finished = tuple(end) == tuple(point.hwm)
                # Rows of the batch's range that match the condition once it is done (0
                # where the change makes the condition false): the end's count may not
                # exceed their sum.
                point.seen += keyset.count_between(
                    self.conn, before, end, where=where, params=params
                )
                self.store.save(self.conn, self.version, self.direction, label, point)
                self._commit()
                covered += size
                size = options.next_size(size, time.monotonic() - began)
                if bar is not None:
                    bar.advance(
                        total=point.total, covered=point.total if point.finished else covered
                    )
        finally:
            if bar is not None:
                bar.close()
        self._result = self._verify(keyset, point, where, params, what)

    def _inline(
        self, keyset: Keyset, where: str | None, params: dict[str, Any], options: BatchOptions
    ) -> Iterator[Batch]:
        hwm = keyset.high_water(self.conn)
        last = None
        done = batches = 0
        while hwm is not None and last != hwm:
            end = keyset.batch_end(self.conn, last, hwm, options.max_batch)
            condition, bounds = keyset.between(last, end)
            batch = Batch(self.conn, condition, {**params, **bounds})
            yield batch
            done += batch.rows
            batches += 1
            last = end
        self._result = BatchResult(rows=done, batches=batches, remaining=None)

    def _start(
        self,
        keyset: Keyset,
        label: str,
        fingerprint: str,
        where: str | None,
        params: dict[str, Any],
        what: str,
    ) -> Checkpoint:
        self.store.ensure(self.conn)
        if self.fresh and not self._cleared:
            self._begin()
            self.store.clear(self.conn, self.version, self.direction)
            self._commit()
            self._cleared = True
        point = self.store.load(self.conn, self.version, self.direction, label)
        if point is not None and point.fingerprint != fingerprint:
            raise MigrationFailed(
                f"{self.location}: the {what} was changed since the interrupted run "
                f"({point.batches} batch(es) committed); restore it as it was, or resolve "
                "by hand and run 'dbshift repair'"
            )
        if point is not None:
            if point.finished:
                self.notice(f"{self.location}: {what} finished in an earlier run; not run again")
            else:
                self.notice(
                    f"{self.location}: resuming the {what} after batch {point.batches} "
                    f"({point.done} row(s) done)"
                )
            return point
        point = Checkpoint(fingerprint=fingerprint)
        point.hwm = keyset.high_water(self.conn)
        point.total = keyset.count(self.conn, point.hwm) if point.hwm is not None else 0
        point.finished = point.hwm is None
        self._begin()
        self.store.save(self.conn, self.version, self.direction, label, point)
        self._commit()
        return point

    def _verify(
        self,
        keyset: Keyset,
        point: Checkpoint,
        where: str | None,
        params: dict[str, Any],
        what: str,
    ) -> BatchResult:
        if point.hwm is None:
            return BatchResult(rows=0, batches=0, remaining=0)
        remaining = keyset.count(self.conn, point.hwm, where=where, params=params)
        if remaining > point.seen:
            raise MigrationFailed(
                f"{self.location}: {what}: verification failed: {remaining} row(s) up to the "
                f"high-water key {list(point.hwm)} match its condition, but only "
                f"{point.seen} did right after their batch ({point.done} changed); rows were "
                "added behind the batches (keys that do not increase?) or changed back by the "
                "application: check them, then run 'dbshift migrate' again"
            )
        self.notice(
            f"{self.location}: {what}: {point.done} row(s) changed in {point.batches} "
            f"batch(es); verified: {remaining} row(s) up to the high-water key match its "
            f"condition now, {point.seen} right after their batch"
        )
        return BatchResult(rows=point.done, batches=point.batches, remaining=remaining)

    # -- helpers -----------------------------------------------------------------------

    def _keyset(
        self,
        schema: str | None,
        table: str,
        key: str | Sequence[str] | None,
        *,
        alias: str | None,
        unquoted: bool = False,
    ) -> Keyset:
        if not isinstance(table, str) or not table:
            raise MigrationFailed(f"{self.location}: a batched table must be named by a string")
        columns = [key] if isinstance(key, str) else list(key or [])
        try:
            table, chosen = table_key(
                self.conn, self.dialect, schema, table, columns or None, unquoted=unquoted
            )
        except NoUsableKey as exc:
            # MigrationFailed, so the history row records the failure (exit 1).
            raise MigrationFailed(f"{self.location}: {exc.message}") from None
        written = self.dialect.qualify(schema, table)
        qualifier = self.dialect.quote(alias) if alias else written
        return Keyset(self.dialect, table=written, qualifier=qualifier, columns=chosen)

    def _label(self, table: str) -> str:
        self._calls += 1
        return f"call {self._calls}: {table}"[:191]

    def _begin(self) -> None:
        self._raw.exec_driver_sql(self.dialect.begin_sql)
        self._open = True

    def _commit(self) -> None:
        self._raw.exec_driver_sql("COMMIT")
        self._open = False

    def _rollback(self) -> None:
        import contextlib

        with contextlib.suppress(Exception):
            self._raw.exec_driver_sql("ROLLBACK")


def _fingerprint(statement: str, where: str | None, key: Sequence[str]) -> str:
    text = "\x00".join([statement, where or "", *key])
    return hashlib.sha256(text.encode()).hexdigest()


class _Progress:
    """A rich progress bar on stderr with rows, rate and ETA (terminals only)."""

    def __init__(self, progress: Any, task: Any) -> None:
        self._progress = progress
        self._task = task

    @classmethod
    def open(cls, what: str, point: Checkpoint) -> _Progress:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=False,
        )
        progress.start()
        task = progress.add_task(
            what, total=max(point.total, 1), completed=min(point.done, point.total)
        )
        return cls(progress, task)

    def advance(self, *, total: int, covered: int) -> None:
        self._progress.update(self._task, completed=min(covered, total), total=max(total, 1))

    def close(self) -> None:
        self._progress.stop()
