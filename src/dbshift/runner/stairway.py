"""``dbshift test``: every migration up, down and up again on a scratch database.

Per migration, in order: the schema before it is inspected; its data fixture (if any)
inserts rows; its up runs (through the lock tracer of ``plan``, so its cost is the locks it
took and its time); the fixture's ``after-up`` assertions run; its down runs and the schema
must equal the one before the up (inspector plus differ: any operation that would still be
needed is printed as the diff); ``after-down`` assertions; up again through the real
executor. At the end: ``migrate`` again must be a no-op, and the schema must equal the
configured desired schema (``[test] desired``) when there is one.

One scratch database for the whole run (a temporary SQLite file, or one created on
``dev_url`` and always dropped): each migration starts from the state its predecessors
left, which is what production sees, and nothing is rebuilt per migration.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from dbshift.errors import DbshiftError, MigrationFailed, UsageError
from dbshift.migrations import loader, sumfile
from dbshift.migrations.model import Kind, Migration
from dbshift.runner import data_fixtures, sources
from dbshift.runner.executor import Executor, display_path
from dbshift.runner.history import State
from dbshift.runner.session import QuietReporter, Session
from dbshift.runner.verdicts import (
    FAILED,
    PASSED,
    SKIPPED,
    Check,
    MigrationResult,
    Options,
    Snapshot,
    TestReport,
)

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from dbshift.config import Settings
    from dbshift.dialects import Dialect
    from dbshift.dialects.locks import Tracer
    from dbshift.model import Schema
    from dbshift.runner.history import HistoryTable


class _HasNumber(Protocol):
    @property
    def number(self) -> int: ...


_Numbered = TypeVar("_Numbered", bound=_HasNumber)


def run(
    settings: Settings,
    dialect: Dialect,
    options: Options | None = None,
    *,
    progress: Callable[[MigrationResult], None] | None = None,
) -> TestReport:
    """Test the migrations of ``settings.migrations_dir`` on a scratch ``dialect`` database."""
    options = options or Options()
    if options.jobs is not None and options.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    started = time.perf_counter()
    report = TestReport(dialect=dialect, locks_traced=options.locks)
    files = loader.scan(settings.migrations_dir)
    problem = sumfile.check(settings.migrations_dir, files)
    report.checks.append(
        Check("sum", FAILED, problem.message, where=str(settings.migrations_dir / loader.SUM_FILE))
        if problem
        else Check("sum", PASSED)
    )
    _select(files, options)  # --from/--only refused before a scratch database is made
    early = _Early(settings, dialect, options)
    try:
        migrations = loader.load(settings.migrations_dir, dialect)
        selected = _select(migrations, options)
        chunks = _chunks(selected, _jobs(options, dialect, len(selected), settings))
        if len(chunks) == 1:
            early.test(migrations, chunks[0], progress=progress, final=True)
            report.migrations += early.report.migrations
            report.checks += early.report.checks
        else:
            # Each chunk on its own scratch database, the migrations before it applied
            # first in one round trip: the server's round trips overlap instead of queueing.
            from concurrent.futures import ThreadPoolExecutor

            parts = [early.report]
            parts += [TestReport(dialect=dialect, locks_traced=options.locks) for _ in chunks[1:]]
            with ThreadPoolExecutor(len(chunks)) as pool:
                futures = [pool.submit(early.test, migrations, chunks[0], final=False)]
                futures += [
                    pool.submit(
                        _test_chunk,
                        settings,
                        dialect,
                        options,
                        part,
                        None,
                        migrations,
                        chunk,
                        index == len(chunks) - 1,
                    )
                    for index, (part, chunk) in enumerate(
                        zip(parts[1:], chunks[1:], strict=True), start=1
                    )
                ]
                for future in futures:
                    future.result()
            for part in parts:
                report.migrations += part.migrations
                report.checks += part.checks
                if progress is not None:
                    for result in part.migrations:
                        progress(result)
    finally:
        early.close()
    report.seconds = time.perf_counter() - started
    return report


class _Early:
    """The first chunk's scratch database, created and made ready (session settings,
    history table) in a thread while the migrations are read and parsed: on a server,
    ``CREATE DATABASE`` and the history's tables cost about as much as reading 200
    migrations. ``close`` (always) waits for it and drops it; ``test`` drops it when done.
    A SQLite scratch file is made when it is needed, in the thread that uses it."""

    def __init__(self, settings: Settings, dialect: Dialect, options: Options) -> None:
        from concurrent.futures import Future, ThreadPoolExecutor

        self.settings, self.dialect, self.options = settings, dialect, options
        self.report = TestReport(dialect=dialect, locks_traced=options.locks)
        self._stack = contextlib.ExitStack()
        self._pool: ThreadPoolExecutor | None = None
        self._future: Future[StairwayRun] | None = None
        if not dialect.database_is_a_file:
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="dbshift-scratch")
            self._future = self._pool.submit(self._open)

    def _open(self) -> StairwayRun:
        session = self._stack.enter_context(scratch_session(self.settings, self.dialect))
        return StairwayRun(session, self.settings, self.options, self.report, None)

    def test(
        self,
        migrations: list[Migration],
        chunk: list[Migration],
        *,
        progress: Callable[[MigrationResult], None] | None = None,
        final: bool,
    ) -> None:
        try:
            stairway = self._future.result() if self._future is not None else self._open()
            stairway.progress = progress
            stairway.run(migrations, chunk, final=final)
        finally:
            self.close()

    def close(self) -> None:
        try:
            if self._future is not None:
                self._future.exception()  # waits: a database being made is dropped below
        finally:
            self._stack.close()
            if self._pool is not None:
                self._pool.shutdown()


def _test_chunk(
    settings: Settings,
    dialect: Dialect,
    options: Options,
    report: TestReport,
    progress: Callable[[MigrationResult], None] | None,
    migrations: list[Migration],
    chunk: list[Migration],
    last: bool,
) -> None:
    with scratch_session(settings, dialect) as session:
        StairwayRun(session, settings, options, report, progress).run(migrations, chunk, final=last)


def _jobs(options: Options, dialect: Dialect, count: int, settings: Settings | None = None) -> int:
    if options.jobs is not None:
        if options.jobs < 1:
            raise UsageError("--jobs must be at least 1")
        return min(options.jobs, max(count, 1))
    if not dialect.multi_statement or options.only is not None:
        return 1
    jobs = max(1, min(4, count // 50))
    if settings is not None and _server_is_local(settings.dev_url):
        # The server's backends and this process share this machine's cores: a chunk more
        # than there are cores only adds the migrations its scratch database replays first
        # (a fourth chunk replays three quarters of them) without running anything sooner.
        jobs = min(jobs, max(1, os.cpu_count() or 1))
    return jobs


def _server_is_local(url: str | None) -> bool:
    """Whether ``url``'s server runs on this machine (loopback address or a socket)."""
    if not url:
        return False
    from dbshift.connection import parse_url

    host = parse_url(url).host
    return host is None or host in ("localhost", "::1") or host.startswith("127.")


def _chunks(selected: list[Migration], jobs: int) -> list[list[Migration]]:
    """``jobs`` contiguous runs of about equal length (at least one, maybe empty)."""
    if jobs <= 1 or len(selected) < 2:
        return [selected]
    size = -(-len(selected) // jobs)
    return [selected[i : i + size] for i in range(0, len(selected), size)]


@contextmanager
def scratch_session(settings: Settings, dialect: Dialect) -> Iterator[Session]:
    """A session on a new scratch database of ``dialect``, dropped on the way out."""
    with sources.scratch_database(settings, dialect) as url:
        scratch = replace(
            settings,
            url=url.render_as_string(hide_password=False),
            history_schema=None,
            out_of_order=False,
        )
        with Session(scratch, QuietReporter()) as session:
            yield session


def _select(migrations: Sequence[_Numbered], options: Options) -> list[_Numbered]:
    if options.start is not None and options.only is not None:
        raise UsageError("--from and --only cannot be combined")
    pick = options.only if options.only is not None else options.start
    if pick is None:
        return list(migrations)
    if not pick.isdigit() or int(pick) not in {m.number for m in migrations}:
        raise UsageError(
            f"{'--only' if options.only else '--from'} {pick}: no migration has that version"
        )
    number = int(pick)
    if options.only is not None:
        return [m for m in migrations if m.number == number]
    return [m for m in migrations if m.number >= number]


class StairwayRun:
    def __init__(
        self,
        session: Session,
        settings: Settings,
        options: Options,
        report: TestReport,
        progress: Callable[[MigrationResult], None] | None,
    ) -> None:
        self.session = session
        self.settings = settings
        self.options = options
        self.report = report
        self.progress = progress
        self.dialect = session.dialect
        self.conn: Connection = session.conn
        for sql in self.dialect.scratch_session_sql:
            self.conn.exec_driver_sql(sql)
        session.history.ensure(self.conn)
        self.executor = Executor(self.conn, self.dialect, session.history)
        self.exclude = sources.own_tables(settings)
        from dbshift.inspect.digest import fingerprint_for

        self.fingerprint = fingerprint_for(self.dialect, self.exclude)
        if self.fingerprint is not None:
            self.fingerprint.keep_prepared_on(self.conn.connection.dbapi_connection)
        self._tracer: Tracer | None = None
        self._up_scripts: UpScripts | None = None
        self.migrations: list[Migration] = []

    def schema(self) -> Schema:
        from dbshift.inspect import inspect_schema

        return inspect_schema(self.conn, exclude=self.exclude)

    def snapshot(self, *, keep: bool = True) -> Snapshot:
        """The schema's digest where the server has one, else the inspected schema.
        ``keep=False`` inside a transaction that is rolled back afterwards: the next
        digest must not be relative to a state the database goes back behind."""
        from dbshift.inspect.digest import schema_digest

        if self.fingerprint is not None:
            return Snapshot(self.fingerprint.read(self.conn, keep=keep), None)
        digest = schema_digest(self.conn, exclude=self.exclude)
        return Snapshot(digest, None) if digest is not None else Snapshot(None, self.schema())

    def _prefix(self, migrations: list[Migration], selected: list[Migration]) -> bool:
        """Apply the migrations before ``selected`` untested; False when that failed."""
        first = selected[0].number if selected else None
        prefix = [loader.resolve(m) for m in migrations if first is not None and m.number < first]
        batch = self.dialect.multi_statement and all(
            m.kind is Kind.SQL and m.transactional for m in prefix
        )
        if prefix and batch:
            from dbshift.runner.offline import render_script

            script = render_script(
                prefix,
                dialect=self.dialect,
                history=self.session.history,
                create_history=False,
                target="scratch database",
            )
            dbapi: Any = self.conn.connection.dbapi_connection
            cursor = dbapi.cursor()
            try:
                cursor.execute(script)
                return True
            except Exception as exc:
                with contextlib.suppress(Exception):
                    cursor.execute("ROLLBACK")
                reason = " ".join(str(exc).split())
                self.report.checks.append(
                    Check(
                        "setup",
                        FAILED,
                        f"applying the migrations before {selected[0].filename}: {reason}",
                    )
                )
                return False
            finally:
                cursor.close()
        for migration in prefix:
            try:
                if migration.kind is Kind.ONLINE:
                    self.session.apply_online(self.executor, migration)
                else:
                    self.executor.run(migration, down=False)
            except DbshiftError as exc:
                self.report.checks.append(
                    Check(
                        "setup",
                        FAILED,
                        f"applying {migration.filename} before the tested ones: {exc.message}",
                        where=_where(exc.message, migration),
                    )
                )
                return False
        return True

    def run(
        self, migrations: list[Migration], selected: list[Migration], *, final: bool = True
    ) -> None:
        if not self._prefix(migrations, selected):
            return
        self.migrations = migrations
        before = self.snapshot()
        for migration in selected:
            result = MigrationResult(
                migration.version, migration.filename, display_path(migration.path)
            )
            self.report.migrations.append(result)
            after = self._one(loader.resolve(migration), before, result)
            if self.progress is not None:
                self.progress(result)
            if after is None:  # the database is in no known state: stop here
                rest = len(selected) - len(self.report.migrations)
                if rest:
                    self.report.checks.append(
                        Check(
                            "stopped",
                            SKIPPED,
                            f"{rest} later migration(s) not tested after {migration.filename} failed",
                        )
                    )
                return
            before = after
        if not final:  # another chunk's scratch database ends the run
            return
        if self.options.only is not None:
            for name in ("idempotency", "models"):
                self.report.checks.append(Check(name, SKIPPED, "--only tests one migration"))
            return
        self._idempotency(self.snapshot())
        self._models()

    # -- one migration -------------------------------------------------------------------

    def _one(self, m: Migration, before: Snapshot, result: MigrationResult) -> Snapshot | None:
        """Test ``m``; the snapshot after it, or None when the database is in no known state."""
        if m.kind is Kind.ONLINE:
            return self._online(m, result)
        loaded, fixture = self._fixture(m, result)
        if not loaded:
            return None
        if fixture is not None and not self._fixture_phase(fixture, "before", result):
            return None
        # --locks asks for the whole cost: the up is then traced and the down timed apart.
        whole = (
            fixture is None
            and m.down.present
            and self.dialect.transactional_ddl
            and self._batchable(m)
            and not m.repeatable
            and not self.options.locks
        )
        up_done = False
        if whole:
            outcome = self._batched_stairway(m, before, result)
            if isinstance(outcome, Snapshot):
                return outcome
            up_done = outcome
        if not up_done:
            try:
                self._up(m, result, batch=not whole)
            except DbshiftError as exc:
                result.checks.append(Check("up", FAILED, exc.message, where=_where(exc.message, m)))
                return None
        result.checks.append(Check("up", PASSED))
        if fixture is not None:
            self._fixture_phase(fixture, "after-up", result, last=not m.down.present)
        if not m.down.present:
            self._no_down(m, result)
            return self.snapshot()
        if self.dialect.transactional_ddl and m.transactional:
            # --locks asks for the whole cost: the down is then timed on its own.
            if fixture is None and self._batchable(m) and not self.options.locks and not whole:
                fast = self._batched_round_trip(m, before, result)
                if fast is not None:
                    return fast
            return self._rolled_back_round_trip(m, before, result, fixture)
        return self._committed_round_trip(m, before, result, fixture)

    def _batched_up(self, m: Migration) -> bool:
        """The up as ``migrate --sql`` writes it (BEGIN, statements, history row, COMMIT) in
        one round trip. False after a failure, rolled back: the executor then runs it
        statement by statement and names the ``file:line``."""
        if self._up_scripts is None:
            self._up_scripts = UpScripts(self.dialect, self.session.history)
        cursor = self._cursor()
        try:
            cursor.execute(self._up_scripts.render(m))
            return True
        except Exception:
            cursor.execute("ROLLBACK")
            return False
        finally:
            cursor.close()

    def _cursor(self) -> Any:
        """A driver cursor on the session's connection, for several statements at once."""
        dbapi: Any = self.conn.connection.dbapi_connection
        return dbapi.cursor()

    def _batched_stairway(
        self, m: Migration, before: Snapshot, result: MigrationResult
    ) -> Snapshot | bool:
        """The whole test of ``m`` in one round trip: its up committed with its history
        row (as ``_batched_up``), the digest after it, then ``BEGIN``, the down, the digest
        after it, the up again and ``ROLLBACK``. The snapshot after the up when every step
        passed and the digest after the down is the one before the up. Otherwise all that
        was not committed is rolled back, and the answer is whether the up was: True, the
        caller runs the round trip statement by statement (which finds the ``file:line``
        and prints the diff); False, the up as well (a failed up is rolled back whole).

        The up's time is the server's, from the start of the round trip to the end of
        the up (kept in the session, so that it is known after a later failure too); the
        down's between two clock readings around it."""
        fingerprint = self.fingerprint
        if fingerprint is None or before.digest is None:
            return False
        if self._up_scripts is None:
            self._up_scripts = UpScripts(self.dialect, self.session.history)
        mark = "dbshift_stairway_"
        base = fingerprint.state
        first = fingerprint.batch_sql(base)  # prepares the probe when it is not yet
        again = fingerprint.batch_sql(base)
        up_script = self._up_scripts.render(
            m, before_commit=fingerprint.elapsed_sql(f"{mark}up_ms", keep=_UP_MS)
        )
        # "\n;\n": a statement ending in a -- comment must not swallow the separator.
        down = "\n;\n".join(s.sql for s in m.down.statements)
        up = "\n;\n".join(s.sql for s in m.up.statements)
        script = (
            f"{up_script}{first}\n;\n{self.dialect.begin_sql}\n;\n"
            f"{fingerprint.clock_sql(f'{mark}down0')}\n;\n{down}\n;\n"
            f"{fingerprint.clock_sql(f'{mark}down1')}\n;\n{again}\n;\n{up}\n;\nROLLBACK"
        )
        cursor = self._cursor()
        try:
            cursor.execute(script)
            named: dict[str, list[Any]] = {}
            after: dict[str, list[Any]] = {}  # the first result set after each mark
            last = ""
            while True:
                if cursor.description is not None:
                    column = cursor.description[0].name
                    rows = cursor.fetchall()
                    if column.startswith(mark):
                        named[column[len(mark) :]] = rows
                        last = column[len(mark) :]
                    elif last and last not in after:
                        after[last] = rows
                if not cursor.nextset():
                    break
        except Exception:
            fingerprint.forget_prepared()
            with contextlib.suppress(Exception):
                cursor.execute("ROLLBACK")
            return self._up_committed(m, result)
        finally:
            cursor.close()
        try:
            result.up_ms = float(named["up_ms"][0][0])
            down_ms = named["down1"][0][0] - named["down0"][0][0]
            after_up = fingerprint.digest(after["up_ms"], base, keep=False)
            after_down = fingerprint.digest(after["down1"], base, keep=False)
        except (KeyError, IndexError, TypeError, ValueError):  # a statement's own result set
            after_up = after_down = None
        if after_up is None or after_down != before.digest:
            return True  # all but the up rolled back: the round trip says what differs
        fingerprint.digest(after["up_ms"], base)  # kept: the probe after the committed up
        result.down_ms = down_ms.total_seconds() * 1000
        result.checks += [Check("up", PASSED), Check("down", PASSED), Check("stairway", PASSED)]
        return Snapshot(after_up, None)

    def _up_committed(self, m: Migration, result: MigrationResult) -> bool:
        """After a failed ``_batched_stairway``: whether its up was committed (its history
        row is there), with the up's time the session kept."""
        if self.session.history.row(self.conn, m.version) is None:
            return False
        assert self.fingerprint is not None  # only _batched_stairway's failures come here
        raw = self.conn.execution_options(no_parameters=True)
        kept = raw.exec_driver_sql(self.fingerprint.kept_sql(_UP_MS)).scalar()
        with contextlib.suppress(ValueError):
            result.up_ms = float(str(kept)) if kept else None
        return True

    def _batched_round_trip(
        self, m: Migration, before: Snapshot, result: MigrationResult
    ) -> Snapshot | None:
        """The rolled-back round trip in two round trips: the digest after up, ``BEGIN``,
        the down and the digest after it; then the up again and ``ROLLBACK``. None when
        anything is not as expected (a statement failed, the digests differ or cannot
        tell): everything is rolled back and the caller runs the round trip statement by
        statement, which finds the ``file:line`` and prints the diff."""
        fingerprint = self.fingerprint
        if fingerprint is None or before.digest is None:
            return None
        # Both probes are relative to the state before the up (the last kept one): the
        # one after the down then finds nothing to deparse when the down undid the up.
        base = fingerprint.state
        first = fingerprint.batch_sql(base)  # prepares the probe when it is not yet
        again = fingerprint.batch_sql(base)
        cursor = self._cursor()
        # "\n;\n": a statement ending in a -- comment must not swallow the separator.
        down = "\n;\n".join(s.sql for s in m.down.statements)
        up = "\n;\n".join(s.sql for s in m.up.statements)
        try:
            cursor.execute(f"{first}\n;\n{self.dialect.begin_sql}\n;\n{down}\n;\n{again}")
            found = []
            while True:
                if cursor.description is not None:
                    found.append(cursor.fetchall())
                if not cursor.nextset():
                    break
            after_up = fingerprint.digest(found[0], base, keep=False)
            after_down = fingerprint.digest(found[-1], base, keep=False)
            if after_up is None or after_down != before.digest:
                cursor.execute("ROLLBACK")
                return None
            cursor.execute(f"{up}\n;\nROLLBACK")
        except Exception:
            fingerprint.forget_prepared()
            cursor.execute("ROLLBACK")
            return None
        finally:
            cursor.close()
        # Kept only now: the probe after up ran outside the rolled-back transaction.
        fingerprint.digest(found[0], base)
        # The down's time is not measured apart from the digests in this mode.
        result.checks += [Check("down", PASSED), Check("stairway", PASSED)]
        return Snapshot(after_up, None)

    def _rolled_back_round_trip(
        self,
        m: Migration,
        before: Snapshot,
        result: MigrationResult,
        fixture: data_fixtures.Fixture | None,
    ) -> Snapshot:
        """Down, compare, up again, all in one transaction that is then rolled back: the
        database is back at the committed up whatever happened, so a failure here does not
        stop the later migrations from being tested."""
        after_up = self.snapshot()
        raw = self.conn.execution_options(no_parameters=True)
        raw.exec_driver_sql(self.dialect.begin_sql)
        try:
            self._down_and_up(m, before, result, fixture, run=self.executor.run_statements)
            return after_up
        finally:
            raw.exec_driver_sql("ROLLBACK")

    def _committed_round_trip(
        self,
        m: Migration,
        before: Snapshot,
        result: MigrationResult,
        fixture: data_fixtures.Fixture | None,
    ) -> Snapshot | None:
        """Down and up again through the executor, committed: for servers whose DDL
        commits (MySQL/MariaDB) and ``no-transaction`` migrations."""
        if not self._down_and_up(m, before, result, fixture, run=self.executor.run):
            return None
        return self.snapshot()

    def _down_and_up(
        self,
        m: Migration,
        before: Snapshot,
        result: MigrationResult,
        fixture: data_fixtures.Fixture | None,
        *,
        run: Callable[..., object],
    ) -> bool:
        """The round trip both modes share: down (timed), the schema compared with
        ``before``, the fixture's after-down phase, then up again, each through ``run``
        (the executor's ``run`` or ``run_statements``). Its checks go into ``result``;
        False when the down or the second up failed."""
        started = time.perf_counter()
        try:
            run(m, down=True)
        except DbshiftError as exc:
            result.checks.append(Check("down", FAILED, exc.message, where=_where(exc.message, m)))
            return False
        result.down_ms = (time.perf_counter() - started) * 1000
        result.checks.append(Check("down", PASSED))
        left = self._compare(m, before)
        if left:
            result.checks.append(self._stairway(m, left))
        if fixture is not None:
            self._fixture_phase(fixture, "after-down", result, last=True)
        try:
            run(m, down=False)
        except DbshiftError as exc:
            result.checks.append(self._again_failed(m, exc))
            return False
        if not left:
            result.checks.append(self._stairway(m, left))
        return True

    def _compare(self, m: Migration | None, before: Snapshot) -> list[str]:
        """What still differs from ``before`` now: the schema before ``m``'s up, or with
        ``m`` None the schema after every migration (not kept: this may run inside the
        round trip's transaction)."""
        now = self.snapshot(keep=False)
        if before.digest is not None and before.digest == now.digest:
            return []
        current = now.schema if now.schema is not None else self.schema()
        earlier = before.schema if before.schema is not None else self._schema_before(m)
        return _difference(current, earlier, self.dialect)

    def _schema_before(self, m: Migration | None) -> Schema:
        """The schema the migrations before ``m`` (all of them when None) build, on a
        second scratch database: only when the digests differ, so that the inspector and
        differ decide and name the change."""
        from dbshift.inspect import inspect_schema

        with scratch_session(self.settings, self.dialect) as other:
            other.history.ensure(other.conn)
            executor = Executor(other.conn, other.dialect, other.history)
            for earlier in self.migrations:
                if m is not None and earlier.number >= m.number:
                    break
                executor.run(loader.resolve(earlier), down=False)
            return inspect_schema(other.conn, exclude=self.exclude)

    def _stairway(self, m: Migration, left: list[str]) -> Check:
        if not left:
            return Check("stairway", PASSED)
        line = m.down.statements[0].line if m.down.statements else None
        return Check(
            "stairway",
            FAILED,
            "after down, the schema is not the one before up; still needed to restore it:",
            where=f"{display_path(m.path)}:{line}" if line else display_path(m.path),
            diff=tuple(left),
        )

    def _again_failed(self, m: Migration, exc: DbshiftError) -> Check:
        return Check(
            "stairway",
            FAILED,
            f"up again after down: {exc.message}",
            where=_where(exc.message, m),
        )

    def _no_down(self, m: Migration, result: MigrationResult) -> None:
        if m.headers.irreversible:
            result.checks.append(Check("down", SKIPPED, "marked irreversible"))
            return
        python = m.kind is Kind.PYTHON
        what = "down(ctx) function" if python else "'-- dbshift:down' section"
        mark = "irreversible = True" if python else "'-- dbshift:irreversible'"
        result.checks.append(
            Check(
                "down",
                FAILED,
                f"no {what}; write one, or mark the migration {mark}",
                where=display_path(m.path),
            )
        )

    def _online(self, m: Migration, result: MigrationResult) -> Snapshot | None:
        """An online file, applied whole as ``migrate`` applies it on a new database (the
        online engine's start and complete). Its down is ``dbshift online rollback``,
        which exists only before complete: there is no down to run here."""
        started = time.perf_counter()
        try:
            self.session.apply_online(self.executor, m)
        except DbshiftError as exc:
            result.checks.append(Check("up", FAILED, exc.message, where=display_path(m.path)))
            return None
        result.up_ms = (time.perf_counter() - started) * 1000
        result.checks.append(Check("up", PASSED))
        result.checks.append(
            Check(
                "down",
                SKIPPED,
                "online migration: 'dbshift online rollback' undoes it before complete",
            )
        )
        return self.snapshot()

    def _batchable(self, m: Migration) -> bool:
        # A COPY's rows travel by the COPY protocol, never inside a script.
        return (
            self.dialect.multi_statement
            and m.kind is Kind.SQL
            and m.transactional
            and not any(s.copy_data is not None for s in (*m.up.statements, *m.down.statements))
        )

    def _up(self, m: Migration, result: MigrationResult, *, batch: bool = True) -> None:
        """The up, committed with its history row; ``batch``: first as one script."""
        if not self.options.locks:
            started = time.perf_counter()
            if not (batch and self._batchable(m) and self._batched_up(m)):
                self.executor.run(m, down=False)
            result.up_ms = (time.perf_counter() - started) * 1000
            return
        from dbshift.runner.lock_trace import trace_migration, tracer_for

        if self._tracer is None:
            self._tracer = tracer_for(self.conn, self.dialect)
        traced = trace_migration(self._tracer, m, self.conn, self.dialect)
        result.up_ms = sum(s.observation.ms for s in traced.statements)
        locks = [lock for s in traced.statements for lock in s.observation.locks if not lock.new]
        from dbshift.dialects.locks import strongest

        result.locks = strongest(locks, self._tracer.rank)
        result.rewritten = tuple(
            sorted({t for s in traced.statements for t in s.observation.rewritten})
        )
        steps = m.up.steps if m.kind is Kind.SQL else 1
        self.session.history.insert(
            self.conn,
            version=m.version,
            description=m.description[:255],
            kind=m.kind.value,
            checksum=m.checksum,
            state=State.APPLIED,
            statements_total=steps,
            statements_done=steps,
            execution_ms=round(result.up_ms),
        )

    def _fixture(
        self, m: Migration, result: MigrationResult
    ) -> tuple[bool, data_fixtures.Fixture | None]:
        directory = self.options.fixtures or self.settings.test.fixtures
        try:
            return True, data_fixtures.find(directory, m.version, self.dialect)
        except DbshiftError as exc:
            result.checks.append(
                Check("data", FAILED, exc.message, where=exc.message.split(": ")[0])
            )
            return False, None

    def _fixture_phase(
        self,
        fixture: data_fixtures.Fixture,
        phase: str,
        result: MigrationResult,
        *,
        last: bool = False,
    ) -> bool:
        try:
            fixture.run(phase, self.conn, self.dialect)
        except data_fixtures.FixtureFailed as exc:
            result.checks.append(Check("data", FAILED, exc.message, where=exc.where))
            return False
        if last and not any(c.name == "data" for c in result.checks):
            result.checks.append(Check("data", PASSED, display_path(fixture.path)))
        return True

    # -- whole run -----------------------------------------------------------------------

    def _idempotency(self, before: Snapshot) -> None:
        """``migrate`` again applies nothing and leaves the schema as it was (compared by
        digest where the server has one: two inspections of a 200-table schema cost more
        than the rest of the check)."""
        try:
            count = self.session.migrate()
        except DbshiftError as exc:
            self.report.checks.append(
                Check("idempotency", FAILED, exc.message, where=_where(exc.message, None))
            )
            return
        if count:
            self.report.checks.append(
                Check("idempotency", FAILED, f"migrate again applied {count} migration(s)")
            )
            return
        left = self._compare(None, before)
        self.report.checks.append(
            Check("idempotency", FAILED, "migrate again changed the schema:", diff=tuple(left))
            if left
            else Check("idempotency", PASSED)
        )

    def _models(self) -> None:
        desired = self.options.desired or self.settings.test.desired
        if desired is None:
            self.report.checks.append(
                Check("models", SKIPPED, "no desired schema configured ([test] desired)")
            )
            return
        final = self.schema()
        try:
            wanted = sources.load(
                sources.Source.parse(desired), self.settings, dialect=self.dialect
            )
        except DbshiftError as exc:
            self.report.checks.append(Check("models", FAILED, f"{desired}: {exc.message}"))
            return
        from dbshift.diff.generated_names import adopt_generated_names

        wanted = adopt_generated_names(final, wanted, self.dialect)  # as diff matches them
        left = _difference(final, wanted, self.dialect)
        self.report.checks.append(
            Check(
                "models",
                FAILED,
                f"the migrations do not build {desired}; still needed to get there:",
                where=desired,
                diff=tuple(left),
            )
            if left
            else Check("models", PASSED, desired)
        )


class UpScripts:
    """Each migration's up as ``render_script`` writes it for one migration, less its
    header comments: SQLAlchemy compiles the history INSERT once, with marks where each
    migration's values go in as the dialect's literals (compiling it per migration cost
    about a millisecond each, a tenth of the run's client time at 200 migrations)."""

    _MARK = "dbshift_stairway_mark_"
    _TOTAL = 918273645  # marks for the two statement counts: numbers no value prints
    _DONE = 918273646

    def __init__(self, dialect: Dialect, history: HistoryTable) -> None:
        from dbshift.runner.offline import history_insert

        self.dialect = dialect
        self.history = history
        self._fields = ("version", "description", "kind", "checksum")
        self.template = history_insert(
            dialect,
            history,
            **{f: f"{self._MARK}{f}" for f in self._fields},
            statements_total=self._TOTAL,
            statements_done=self._DONE,
        )
        for mark in (*(f"{self._MARK}{f}" for f in self._fields), self._TOTAL, self._DONE):
            if self.template.count(str(mark)) != 1:
                raise AssertionError(f"history INSERT template: {mark} not once in it")

    def render(self, m: Migration, *, before_commit: str | None = None) -> str:
        """``before_commit``: a statement run at the end of a transactional up, before
        its COMMIT (on servers with transactional DDL)."""
        from dbshift.runner.offline import render_script, statement_sql

        if m.repeatable:  # its history row is replaced: the script's own form
            return render_script(
                [m], dialect=self.dialect, history=self.history, create_history=False, target=""
            )
        insert = self.template
        values = {
            "version": m.version,
            "description": m.description[:255],
            "kind": m.kind.value,
            "checksum": m.checksum,
        }
        for name, value in values.items():
            insert = insert.replace(
                self.dialect.literal(f"{self._MARK}{name}"), self.dialect.literal(value)
            )
        count = str(len(m.up.statements))
        insert = insert.replace(str(self._TOTAL), count).replace(str(self._DONE), count)
        body = [statement_sql(st.sql, self.dialect) for st in m.up.statements]
        if m.transactional and self.dialect.transactional_ddl:
            last = [f"{before_commit};"] if before_commit else []
            return "\n".join(
                [f"{self.dialect.begin_sql};", *body, insert + ";", *last, "COMMIT;", ""]
            )
        return "\n".join([*body, insert + ";", ""])


#: The session setting the up's time is kept in by ``_batched_stairway`` (committed with it)
_UP_MS = "dbshift.stairway_up_ms"


def _difference(current: Schema, wanted: Schema, dialect: Dialect) -> list[str]:
    """The operations that would still turn ``current`` into ``wanted``, as text."""
    from dbshift.diff import DiffOptions, diff

    ops = diff(
        current, wanted, DiffOptions(inline_foreign_keys=dialect.foreign_keys_only_in_create_table)
    )
    return [op.describe() for op in ops]


def _where(message: str, migration: Migration | None) -> str | None:
    """The ``file:line`` a runner error message starts with."""
    head = message.split(": ", 1)[0]
    if ":" in head or (migration is not None and head == display_path(migration.path)):
        return head
    return display_path(migration.path) if migration is not None else None


__all__ = [
    "FAILED",
    "PASSED",
    "SKIPPED",
    "Check",
    "MigrationFailed",
    "MigrationResult",
    "Options",
    "Snapshot",
    "TestReport",
    "run",
]
