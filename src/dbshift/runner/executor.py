"""Running one migration, up or down, with its history row.

Two paths. Where the server has transactional DDL and the file allows a transaction,
the statements and the history row commit together: a crash or a failure leaves nothing.
Otherwise (MySQL/MariaDB, ``-- dbshift:no-transaction``) each statement is journaled in
the history row as it completes (``statements_done`` plus a hash of the statements run),
so ``status`` says exactly where a run stopped and ``migrate`` resumes after the last
completed statement, refusing if those statements were edited since.

A journal update is written in an open transaction right after its statement. Where the
next statement commits that transaction anyway (MySQL/MariaDB DDL commits implicitly
before it runs; a data statement's own transaction) the update is left for it to make
durable, and only the last one pays a commit of its own. After a crash exactly one
statement is in doubt, the one after the last durable update, and a resume asks the
catalog whether it took effect (``indoubt``).

Every statement waits for its lock at most ``ddl_lock_timeout`` (PostgreSQL
``lock_timeout``, MySQL ``lock_wait_timeout``): a DDL statement queued behind a long
transaction blocks every query queued behind it. On a lock timeout the statement (the
whole migration, where it is one transaction) runs again after a bounded, jittered,
exponential backoff; when the attempts run out the error names the sessions holding locks.

A ``-- dbshift:batched`` statement, and a Python migration's ``ctx.backfill`` /
``ctx.batches``, commit batch by batch with a checkpoint of their own
(``dbshift.runner.batched``): after a crash such a step is never in doubt, it runs again
and continues after its last committed batch.
"""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, cast

from dbshift.dialects.base import TableLocks
from dbshift.errors import (
    MigrationFailed,
    MigrationFileError,
    ServerOverloaded,
    UsageError,
    ValidationFailed,
)
from dbshift.migrations.checksum import statements_checksum
from dbshift.migrations.model import Kind, Migration
from dbshift.migrations.splitter import Statement
from dbshift.runner.batched import StepBatcher, no_throttle
from dbshift.runner.checkpoints import CheckpointStore
from dbshift.runner.history import HistoryRow, HistoryTable, State, applied_by, now
from dbshift.runner.indoubt import Probe, Verdict, unknown_probe
from dbshift.runner.lockwait import LockPolicy, LockRetry, retrying

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from dbshift.dialects import Dialect


@dataclass(frozen=True)
class Step:
    """One journaled unit: a SQL statement, or a Python migration's function."""

    sql: str
    line: int | None
    run: Callable[[], None]
    is_data: bool
    #: Runs in keyset batches that commit with their checkpoint: never in doubt.
    batched: bool = False


def display_path(path: Path) -> str:
    """Paths relative to the working directory read better in one-line errors."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


class Executor:
    def __init__(
        self,
        conn: Connection,
        dialect: Dialect,
        history: HistoryTable,
        *,
        probe: Probe = unknown_probe,
        locks: LockPolicy | None = None,
        notice: Callable[[str], None] = lambda text: None,
        before_batch: Callable[[], None] = no_throttle,
    ) -> None:
        self.conn = conn
        self.dialect = dialect
        self.history = history
        self.probe = probe
        self.locks = locks or LockPolicy(timeout=0.0)
        self.notice = notice
        #: Runs before every batch of a batched step: where the load-aware throttle goes.
        self.before_batch = before_batch
        self._checkpoints = CheckpointStore(history.name, history.table.schema)
        #: The batch loops of the migration being run.
        self._batchers: list[StepBatcher] = []
        self._raw = conn.execution_options(no_parameters=True)
        #: A transaction is open holding journal writes not yet durable.
        self._open = False
        #: MySQL/MariaDB: the session runs with autocommit off (see ``_enter_manual``).
        self._manual = False
        #: The lock timeout set on the session in seconds (0: the server's own, untouched).
        self._timeout = 0.0
        #: The session as it was before the first migration; each one starts from it.
        self._session = dialect.session_state(conn)

    def run(self, migration: Migration, *, down: bool, resume: HistoryRow | None = None) -> int:
        """Apply (or revert) ``migration``; return its execution time in milliseconds."""
        running = (State.REVERTING, State.REVERT_FAILED) if down else (State.RUNNING, State.FAILED)
        fresh = resume is None or resume.state not in running
        self._batchers = []
        steps = self._steps(migration, down=down, fresh=fresh)
        if fresh and any(not b.in_transaction for b in self._batchers):
            self._forget_checkpoints(migration, down=down)
        started = time.perf_counter()
        timeout = self.locks.timeout if migration.lock_timeout is None else migration.lock_timeout
        if timeout != self._timeout:
            # Set once per run while nothing resets it: both are round trips on the bench's
            # path (restore_session does reset it on PostgreSQL, hence _timeout below).
            self.dialect.set_lock_timeout(self.conn, timeout or None)
            self._timeout = timeout
        try:
            if migration.transactional and self.dialect.transactional_ddl and resume is None:
                # restore_session runs inside the transaction (see _run_in_transaction).
                self._retrying(
                    migration,
                    functools.partial(
                        self._run_in_transaction, migration, steps, down=down, started=started
                    ),
                    what="the migration",
                )
            else:
                self._run_journaled(migration, steps, down=down, resume=resume, started=started)
                self._restore_session()
        except BaseException:
            # The migration's own error is the one to report, not a reset on a broken
            # connection.
            self.close_quietly()
            with contextlib.suppress(Exception):
                self._restore_session()
            raise
        finally:
            self._timeout = -1.0  # the session was reset: set the lock timeout again
        return _ms_since(started)

    def _forget_checkpoints(self, migration: Migration, *, down: bool) -> None:
        """A fresh run starts its batched work from the top: checkpoints an earlier run of
        this version left (applied, reverted, applied again) are not its own. Cleared
        before the first step, since a run that fails before reaching its batches and is
        resumed must not find them either."""
        if self._checkpoints.exists(self.conn):
            self._checkpoints.clear(self.conn, migration.version, "down" if down else "up")

    def finish(self) -> None:
        """Make the last journal update durable and give the session back as it was.

        Call it after the last migration, before the migration lock is released.
        """
        self._commit()
        if self._manual:
            self._manual = False
            self.dialect.set_autocommit(self.conn, on=True)

    def _restore_session(self) -> None:
        """The session as it was before the first migration, after a journaled one.

        On MySQL that includes ``autocommit`` (on, as captured), which ends the manual
        mode of ``_enter_manual``: the open journal update is committed first, and the
        next journaled migration enters manual mode again. Without this the executor
        believed autocommit was off while the server had it on, and a data statement
        committed before its journal row.
        """
        self._commit()
        self.dialect.restore_session(self.conn, self._session)
        self._manual = False

    def close_quietly(self) -> None:
        """``finish`` on the way out of a failure: an open journal update is true either
        way, so commit it if the connection still can."""
        try:
            self.finish()
        except Exception:
            self._open = self._manual = False

    def run_statements(self, migration: Migration, *, down: bool) -> None:
        """Only the section's statements: no history row, no transaction of its own.

        For ``dbshift test``, which runs a down and the up again inside one transaction it
        then rolls back; errors are the same ``file:line`` ones ``run`` raises."""
        for step in self._steps(migration, down=down, fresh=True, inline=True):
            self._execute(migration, step, down=down)

    # -- the two paths -----------------------------------------------------------------

    def _run_in_transaction(
        self, migration: Migration, steps: list[Step], *, down: bool, started: float
    ) -> None:
        self._raw.exec_driver_sql(self.dialect.begin_sql)
        try:
            for step in steps:
                self._execute(migration, step, down=down)
            # Inside the transaction, before the history row: the row is written as the
            # runner's own role, and the reset commits with the migration (a rolled-back
            # transaction undoes its SETs by itself on PostgreSQL).
            self.dialect.restore_session(self.conn, self._session)
            if down:
                self._record_rollback(migration, started)
            else:
                self.history.insert(
                    self.conn,
                    **self._row_values(migration, len(steps)),
                    state=State.APPLIED,
                    statements_done=len(steps),
                    execution_ms=_ms_since(started),
                )
        except BaseException:
            self._rollback()
            raise
        self._raw.exec_driver_sql("COMMIT")

    def _rollback(self) -> None:
        """Roll back after a failure, never hiding it: after Ctrl-C inside the driver,
        SQLAlchemy has invalidated the connection and a ROLLBACK would raise instead
        (the server rolls back when the connection closes)."""
        with contextlib.suppress(Exception):
            self._raw.exec_driver_sql("ROLLBACK")

    def _run_journaled(
        self,
        migration: Migration,
        steps: list[Step],
        *,
        down: bool,
        resume: HistoryRow | None,
        started: float,
    ) -> None:
        running, failed = (
            (State.REVERTING, State.REVERT_FAILED) if down else (State.RUNNING, State.FAILED)
        )
        self._enter_manual()
        start = 0
        if resume is not None and resume.state in (running, failed):
            start = resume.statements_done
            if statements_checksum([s.sql for s in steps[:start]]) != resume.done_checksum:
                raise ValidationFailed(
                    f"{display_path(migration.path)}: its first {start} statement(s) already ran "
                    "but were edited since; restore them, or resolve by hand and run "
                    "'dbshift repair'"
                )
            if resume.state is running and start < len(steps):
                start = self._decide_in_doubt(migration, steps, start, down=down)
            self._begin()
            self.history.update(
                self.conn,
                migration.version,
                state=running,
                checksum=migration.checksum,
                error=None,
                **self._journal(steps, start),
            )
        elif down:
            self._begin()
            self.history.update(
                self.conn,
                migration.version,
                state=running,
                statements_total=len(steps),
                error=None,
                **self._journal(steps, 0),
            )
        else:
            self._begin()
            self.history.insert(
                self.conn,
                **self._row_values(migration, len(steps)),
                state=running,
                **self._journal(steps, 0),
            )
        locked = False  # inside LOCK TABLES … UNLOCK TABLES (see _locked_step)
        for index in range(start, len(steps)):
            step = steps[index]
            effect = self.dialect.table_lock_effect(step.sql)
            try:
                if locked:
                    self._locked_step(migration, step, down=down)
                else:
                    self._retrying(
                        migration,
                        functools.partial(self._journaled_step, migration, step, down=down),
                        what="the statement",
                    )
            except MigrationFailed as exc:
                if locked:
                    self._release_table_locks(keep=False)
                self._commit()  # the journal of the statements before it is true
                self._begin()
                self.history.update(self.conn, migration.version, state=failed, error=exc.message)
                self._commit()
                raise
            if effect is TableLocks.TAKEN:
                locked = True
            elif effect is TableLocks.RELEASED:
                locked = False
                self._open = False  # UNLOCK TABLES committed what ran under the locks
            if locked:
                continue  # the history table is not among the locked ones
            # The journal update stays open: the next statement commits it (see module doc).
            self._begin()
            done = self._journal(steps, index + 1)
            if index + 1 < len(steps):
                self.history.update(self.conn, migration.version, **done)
                if not self._commits_open(steps[index + 1]):
                    self._commit()
        if locked:
            self._release_table_locks(keep=True)  # as the server's client does at its end
        self._begin()
        if down:
            self._record_rollback(migration, started)
        else:
            self.history.update(
                self.conn,
                migration.version,
                state=State.APPLIED,
                applied_at=now(),
                applied_by=applied_by(),
                execution_ms=_ms_since(started),
                error=None,
                **self._journal(steps, len(steps)),
            )
        if not self._manual:
            self._commit()
        # Else the next migration's first DDL commits it, or ``finish`` does.

    def _journaled_step(self, migration: Migration, step: Step, *, down: bool) -> None:
        if step.is_data:
            # Its own transaction, so a failure rolls back the statement and nothing else.
            self._commit()
            self._begin()
            try:
                self._execute(migration, step, down=down)
            except BaseException:
                self._open = False
                self._rollback()
                raise
            return
        implicit = self.dialect.commits_before(step.sql)
        if not implicit:
            self._commit()
        try:
            self._execute(migration, step, down=down)
        except (MigrationFailed, LockRetry):
            # Where the statement failed before the server's implicit commit (a syntax
            # error), our journal update is still open: a COMMIT makes it durable.
            self._commit()
            raise
        if implicit:
            self._open = False  # the server committed it before the statement ran

    def _locked_step(self, migration: Migration, step: Step, *, down: bool) -> None:
        """A statement between ``LOCK TABLES`` and ``UNLOCK TABLES`` (mysqldump's
        frame around each table's rows).

        The session may touch only the tables it locked, so the history table takes no
        journal update until ``UNLOCK TABLES``; the rows inserted meanwhile commit with
        it, in one transaction, so that a failure or a crash inside leaves none of them
        and the run resumes at the ``LOCK TABLES``. No lock retry: the locks are held.
        """
        if self.dialect.commits_before(step.sql) or self.dialect.table_lock_effect(step.sql):
            self._open = False
        else:
            self._begin()
        self._execute(migration, step, down=down)

    def _release_table_locks(self, *, keep: bool) -> None:
        """End a ``LOCK TABLES`` span the migration did not close: its rows kept
        (``UNLOCK TABLES`` commits them) or, after a failure, rolled back first."""
        if not keep:
            self._rollback()
        self._raw.exec_driver_sql("UNLOCK TABLES")
        self._open = False

    def _commits_open(self, step: Step) -> bool:
        """The next step makes the open journal update durable without a COMMIT of ours."""
        return step.is_data or self.dialect.commits_before(step.sql)

    def _journal(self, steps: list[Step], done: int) -> dict[str, object]:
        return {
            "statements_done": done,
            "done_checksum": statements_checksum([s.sql for s in steps[:done]]),
        }

    def _enter_manual(self) -> None:
        """MySQL/MariaDB: autocommit off for the rest of the run.

        Every journal update then opens a transaction by itself and the next DDL commits
        it: no BEGIN round trip per statement, and a migration's last update waits for the
        next migration's first DDL (or ``finish``). The servers' own floor is a BEGIN, the
        statements, a history INSERT and a COMMIT per migration; this is as many round
        trips.
        """
        if not self._manual and self.dialect.ddl_commits_implicitly:
            self.dialect.set_autocommit(self.conn, on=False)
            self._manual = True

    def _begin(self) -> None:
        if not self._open:
            if not self._manual:  # with autocommit off the server opens it by itself
                self._raw.exec_driver_sql("BEGIN")
            self._open = True

    def _commit(self) -> None:
        if self._open:
            self._open = False
            self._raw.exec_driver_sql("COMMIT")

    # -- the statement in doubt ----------------------------------------------------------

    def _decide_in_doubt(
        self, migration: Migration, steps: list[Step], index: int, *, down: bool
    ) -> int:
        """The index to resume at after an interrupted run stopped before ``index``.

        A data statement commits with its journal row, so after a crash it did not
        happen. A DDL statement may have been finished by the server after the runner
        died: the catalog decides, and where it cannot, the operator does.
        """
        step = steps[index]
        where = _where(migration, step)
        if step.is_data:
            return index
        if step.batched or (
            migration.kind is Kind.PYTHON
            and self._checkpoints.any(self.conn, migration.version, "down" if down else "up")
        ):
            self.notice(
                f"{where}: the interrupted run stopped in batched work; running it again, "
                "from the batch after the last one committed"
            )
            return index
        decision = self.probe(self.conn, step.sql)
        if decision.verdict is Verdict.DONE:
            self.notice(
                f"{where}: the interrupted run's last statement took effect ({decision.reason}); "
                "recorded it as done, continuing after it"
            )
            return index + 1
        if decision.verdict is Verdict.NOT_DONE:
            self.notice(
                f"{where}: the interrupted run's last statement did not take effect "
                f"({decision.reason}); running it again"
            )
            return index
        raise ValidationFailed(
            f"{where}: the run was interrupted during this statement and dbshift cannot tell "
            f"whether it took effect ({decision.reason}); check the database, then run "
            "'dbshift repair --statement-done' (it did) or 'dbshift repair --statement-retry' "
            "(it did not), and 'dbshift migrate' again"
        )

    def _record_rollback(self, migration: Migration, started: float) -> None:
        self.history.record_rollback(
            self.conn,
            migration.version,
            description=migration.description,
            checksum=migration.checksum,
            ms=_ms_since(started),
        )

    # -- steps -------------------------------------------------------------------------

    def _steps(
        self, migration: Migration, *, down: bool, fresh: bool, inline: bool = False
    ) -> list[Step]:
        if migration.kind is Kind.ONLINE:
            # It has no statements of its own: run here it would be recorded as applied
            # with nothing done. The online engine runs it (Session.apply_online).
            raise MigrationFileError(
                display_path(migration.path),
                "an online migration runs through the online engine ('dbshift migrate' "
                "applies it whole, 'dbshift online start' in phases), not statement by "
                "statement",
            )
        if migration.kind is Kind.PYTHON:
            return [self._python_step(migration, down=down, fresh=fresh, inline=inline)]
        section = migration.section(down=down)
        if not section.present:
            raise MigrationFileError(
                display_path(migration.path), "has no '-- dbshift:down' section"
            )

        def runner(statement: Statement) -> Callable[[], None]:
            sql, data = statement.sql, statement.copy_data

            def run() -> None:
                if data is not None:
                    self.dialect.copy_in(self._raw, sql, data)
                else:
                    self._raw.exec_driver_sql(_as_sent(sql))

            return run

        if not any(s.batched for s in section.statements):
            return [
                Step(
                    sql=s.sql,
                    line=s.line,
                    run=runner(s),
                    is_data=self.dialect.is_data_statement(s.sql),
                )
                for s in section.statements
            ]
        batcher = self._batcher(migration, down=down, fresh=fresh, inline=inline, where=None)

        def batched(statement: Statement, index: int) -> Callable[[], None]:
            assert statement.batched is not None
            form = statement.batched

            def run() -> None:
                batcher.location = f"{display_path(migration.path)}:{statement.line}"
                batcher.run_statement(form, label=f"statement {index + 1}")

            return run

        return [
            Step(
                sql=s.sql,
                line=s.line,
                run=batched(s, i) if s.batched is not None and not inline else runner(s),
                is_data=s.batched is None and self.dialect.is_data_statement(s.sql),
                batched=s.batched is not None,
            )
            for i, s in enumerate(section.statements)
        ]

    def _batcher(
        self, migration: Migration, *, down: bool, fresh: bool, inline: bool, where: str | None
    ) -> StepBatcher:
        batcher = StepBatcher(
            self.conn,
            self.dialect,
            self._checkpoints,
            version=migration.version,
            direction="down" if down else "up",
            where=where or display_path(migration.path),
            fresh=fresh,
            inline=inline,
            in_transaction=migration.transactional,
            notice=self.notice,
            before_batch=self.before_batch,
        )
        self._batchers.append(batcher)
        return batcher

    def _python_step(self, migration: Migration, *, down: bool, fresh: bool, inline: bool) -> Step:
        from dbshift.migrations.pyfile import MigrationContext, load_python_migration

        module = load_python_migration(migration.path)
        function = module.down if down else module.up
        if function is None:
            raise MigrationFileError(display_path(migration.path), "defines no down(ctx) function")
        batcher = self._batcher(migration, down=down, fresh=fresh, inline=inline, where=None)
        context = MigrationContext(connection=self.conn, sql_dialect=self.dialect, batcher=batcher)
        name = "down" if down else "up"

        def run() -> None:
            batcher.restart()
            try:
                function(context)
            finally:
                # A batch still open when the function ends (an error inside a
                # ``ctx.batches`` loop) is not known to be whole: it never commits.
                batcher.abort()

        return Step(
            sql=f"{migration.filename}:{name}()",
            line=None,
            run=run,
            is_data=migration.transactional,
        )

    def _execute(self, migration: Migration, step: Step, *, down: bool) -> None:
        from sqlalchemy.exc import DBAPIError, SQLAlchemyError

        path = display_path(migration.path)
        direction = "down" if down else "up"
        try:
            step.run()
        except DBAPIError as exc:
            where = (
                f"{path}:{step.line}"
                if step.line
                else f"{path}:{_python_line(migration.path, exc)}"
            )
            failure = MigrationFailed(
                f"{where}: {direction} failed: {self.dialect.describe_error(exc)}"
            )
            if self._timeout and self.dialect.is_lock_timeout(exc):
                raise LockRetry(failure) from exc
            raise failure from exc
        except (SQLAlchemyError, Exception) as exc:
            if isinstance(exc, MigrationFailed | LockRetry):
                raise
            if isinstance(exc, ServerOverloaded | UsageError):
                # Nothing is wrong with the file, so it keeps its kind: the server was too
                # busy (exit 3; the batches' checkpoint is committed and migrate resumes),
                # or the configuration asks what cannot be (exit 2, as everywhere else).
                where = f"{path}:{step.line}" if step.line else path
                verb = "stopped" if isinstance(exc, ServerOverloaded) else "refused"
                raise exc.located(f"{where}: {direction} {verb}") from None
            where = f"{path}:{_python_line(migration.path, exc)}"
            raise MigrationFailed(
                f"{where}: {direction} failed: {type(exc).__name__}: {' '.join(str(exc).split())}"
            ) from exc

    def _retrying(self, migration: Migration, attempt: Callable[[], None], *, what: str) -> None:
        retrying(
            attempt,
            policy=self.locks,
            holders=lambda: self.dialect.lock_holders(self.conn),
            notice=self.notice,
            label=f"{migration.filename}: {what}",
        )

    def _row_values(self, migration: Migration, total: int) -> dict[str, object]:
        return {
            "version": migration.version,
            "description": migration.description[:255],
            "kind": migration.kind.value,
            "checksum": migration.checksum,
            "statements_total": total,
        }


def _where(migration: Migration, step: Step) -> str:
    path = display_path(migration.path)
    return f"{path}:{step.line}" if step.line else path


def _python_line(path: Path, exc: BaseException) -> str:
    import traceback

    line = "?"
    for frame in traceback.extract_tb(exc.__traceback__):
        if Path(frame.filename).resolve() == path.resolve():
            line = str(frame.lineno)
    return line


def _ms_since(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)


def _as_sent(sql: str) -> str:
    """The statement as the driver sends it. A file read with raw bytes kept
    (``Dialect.raw_bytes_in_literals``) goes as those bytes: the driver would not encode
    them, and the server reads a statement as bytes anyway (PyMySQL passes bytes
    through, and SQLAlchemy hands the statement to it untouched)."""
    if sql.isascii():  # most statements: no copy made to find out
        return sql
    try:
        sql.encode("utf-8")
    except UnicodeEncodeError:
        return cast("str", sql.encode("utf-8", "surrogateescape"))
    return sql
