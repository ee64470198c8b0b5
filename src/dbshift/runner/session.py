"""The commands' service layer: one connection, one lock, one history table.

Each public method is one CLI command. Side effects stay here and in the executor; the
decisions (what is pending, what is wrong) come from ``plan``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Literal, Protocol

from dbshift.config import Settings
from dbshift.connection import (
    backend_name,
    connect,
    create_engine,
    parse_url,
    require_database,
)
from dbshift.dialects import Dialect, dialect_for
from dbshift.errors import (
    ConfigError,
    DbshiftError,
    Interrupted,
    Irreversible,
    UsageError,
    ValidationFailed,
)
from dbshift.migrations import loader, sumfile
from dbshift.migrations.loader import MigrationFile
from dbshift.migrations.model import Kind, Migration
from dbshift.runner import online_files, sumcheck
from dbshift.runner.executor import Executor, display_path
from dbshift.runner.history import (
    Event,
    HistoryRow,
    HistoryTable,
    OnlineMode,
    OnlinePhase,
    OnlineRow,
    State,
)
from dbshift.runner.indoubt import Probe, unknown_probe
from dbshift.runner.lockwait import LockPolicy
from dbshift.runner.plan import Analysis, analyse, in_flight, problems, unfinished_problems
from dbshift.runner.repeatable import Repeatable, repeatable_status

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from dbshift.runner.callbacks import Callbacks


class Reporter(Protocol):
    """How a session tells the CLI what it is doing (the CLI decides how it looks)."""

    def started(self, migration: Migration, *, down: bool, resumed_at: int | None) -> None: ...

    def finished(self, migration: Migration, *, down: bool, ms: int) -> None: ...

    def planned(self, migration: Migration, *, down: bool) -> None: ...

    def notice(self, text: str) -> None: ...


class QuietReporter:
    """A reporter that prints nothing: for sessions dbshift runs for itself (replaying
    migrations on a scratch database, reading what is pending)."""

    def started(self, migration: Migration, *, down: bool, resumed_at: int | None) -> None:
        pass

    def finished(self, migration: Migration, *, down: bool, ms: int) -> None:
        pass

    def planned(self, migration: Migration, *, down: bool) -> None:
        pass

    def notice(self, text: str) -> None:
        pass


#: What ``Session.locked`` does when the history table does not exist yet but the
#: database holds tables: refuse (``migrate``), adopt them (``migrate --init-existing``),
#: or allow (``baseline``, whose whole point is adopting; commands that only read).
Existing = Literal["refuse", "adopt", "allow"]

_LABEL = "dbshift"


@dataclass(frozen=True)
class Runner:
    """A dbshift run holding the migration lock right now, as the server reports it."""

    pid: int | None
    since: datetime | None
    #: The migration it is applying ("up") or reverting ("down"), when it says.
    direction: str | None = None
    version: str | None = None

    @classmethod
    def from_label(cls, pid: int | None, since: datetime | None, label: str) -> Runner:
        words = label.split()
        if len(words) == 3 and words[0] == _LABEL and words[1] in ("up", "down"):
            return cls(pid, since, words[1], words[2])
        return cls(pid, since)

    def describe(self) -> str:
        """``pid 123, since 2026-01-02 10:11:12 UTC``"""
        parts = [f"pid {self.pid}"] if self.pid is not None else []
        if self.since is not None:
            parts.append(f"since {self.since:%Y-%m-%d %H:%M:%S} UTC")
        return ", ".join(parts)  # empty where the lock names no holder (SQLite's flock)


@dataclass(frozen=True)
class Unfinished:
    """A migration that stopped midway, and whether a runner is still at it."""

    row: HistoryRow
    migration: Migration | None
    in_progress: bool
    runner: Runner | None = None

    @property
    def down(self) -> bool:
        return self.row.state in (State.REVERTING, State.REVERT_FAILED)

    @property
    def next_statement(self) -> str | None:
        """``file:line`` of the statement that was running or failed, when known."""
        if self.migration is None:
            return None
        statements = self.migration.section(down=self.down).statements
        index = self.row.statements_done
        if index < len(statements):
            return f"{display_path(self.migration.path)}:{statements[index].line}"
        return display_path(self.migration.path)

    def explain(self) -> str:
        """The whole truth in one line: where it stopped and what the next command does."""
        row = self.row
        where = self.next_statement or f"file of {row.version} is missing"
        verb, finish = ("revert", "rollback") if self.down else ("apply", "migrate")
        done = f"{row.statements_done} of {row.statements_total} statement(s) done"
        if self.in_progress:
            who = f"{self.runner.describe()}; " if self.runner and self.runner.describe() else ""
            return f"{verb} in progress ({who}{done}; now at {where})"
        if row.state in (State.FAILED, State.REVERT_FAILED):
            return (
                f"{verb} FAILED at {where} ({done}): {row.error}; fix it and run "
                f"'dbshift {finish}' to resume, or 'dbshift repair'"
            )
        return (
            f"{verb} INTERRUPTED ({done}); the statement at {where} was not recorded as done "
            f"and may or may not have taken effect; 'dbshift {finish}' checks the catalog and "
            "continues after it or runs it again ('dbshift repair --statement-done' or "
            "'--statement-retry' decides where the catalog cannot)"
        )


@dataclass(frozen=True)
class Status:
    analysis: Analysis
    unfinished: list[Unfinished]
    problems: list[str]
    #: The run holding the migration lock, if any: on PostgreSQL a migration applied in
    #: one transaction has no visible history row until it commits, so this is how
    #: ``status`` knows it is in progress.
    runner: Runner | None = None

    #: Repeatable migrations (``R__<name>.sql``) with their state, in run order.
    repeatable: list[Repeatable] = field(default_factory=list)
    #: Online migrations' phases (``<history>_online``), by version.
    online: dict[str, OnlineRow] = field(default_factory=dict)

    def in_flight(self) -> list[Migration]:
        """Pending online files started and not completed (``dbshift online start``)."""
        return in_flight(self.analysis, self.online)

    def in_progress(self, version: str, *, down: bool) -> Runner | None:
        runner = self.runner
        direction = "down" if down else "up"
        if runner is not None and runner.version == version and runner.direction == direction:
            return runner
        return None


class Session:
    """Everything a command needs about one database and one migrations directory."""

    #: Decides whether an interrupted run's last statement took effect (the CLI gives
    #: one built on the linter's parser, which this layer does not import).
    probe: Probe = staticmethod(unknown_probe)
    #: ``migrate --kill-orphaned``: KILL a dead runner's statement holding the lock.
    kill_orphaned: bool = False
    #: ``migrate --offline-ok``: online files are applied whole even on tables with rows.
    offline_ok: bool = False

    def __init__(self, settings: Settings, reporter: Reporter) -> None:
        if not settings.url:
            raise ConfigError(
                "no database URL: pass --url, set DBSHIFT_URL or DATABASE_URL, "
                "or put url = ... in dbshift.toml"
            )
        self.settings = settings
        self.reporter = reporter
        self.url = parse_url(settings.url)
        require_database(self.url)
        self.dialect: Dialect = dialect_for(self.url)
        if settings.history_schema and not self.dialect.supports_history_schema:
            raise ConfigError(
                f"history_schema is only supported on PostgreSQL, not {self.dialect.name}"
            )
        self._conn: Connection | None = None
        self._history: HistoryTable | None = None
        self._callbacks: Callbacks | None = None  # set while migrate runs
        #: Set when a lenient run found dbshift.sum out of date with pending files only.
        self.sum_to_rehash: sumcheck.SumVerdict | None = None
        #: The executor of the current locked run: finished before the lock is released.
        self._active: Executor | None = None

    # -- resources -----------------------------------------------------------------------

    @property
    def backend(self) -> str:
        return backend_name(self.url)

    def migrations(self) -> list[Migration]:
        return loader.load(self.settings.migrations_dir, self.dialect, self.settings.placeholders)

    def repeatable_migrations(self) -> list[Migration]:
        return loader.load_repeatable(
            self.settings.migrations_dir, self.dialect, self.settings.placeholders
        )

    def repeatable(self) -> list[Repeatable]:
        """Each repeatable migration with its last run (read-only)."""
        rows = self.history.repeatable_rows(self.conn)
        return repeatable_status(rows, self.repeatable_migrations())

    def check_sum(self) -> None:
        problem = sumfile.check(
            self.settings.migrations_dir, loader.scan(self.settings.migrations_dir)
        )
        if problem is not None:
            raise ValidationFailed(problem.message)

    @property
    def conn(self) -> Connection:
        if self._conn is None:
            engine = create_engine(
                self.url,
                connect_timeout=self.settings.connect_timeout,
                busy_timeout=self.settings.lock_timeout,
            )
            self._conn = connect(engine)
        return self._conn

    @property
    def history(self) -> HistoryTable:
        if self._history is None:
            schema = self.settings.history_schema
            qualifier = None if schema else self.dialect.history_schema(self.conn)
            self._history = HistoryTable(self.settings.history_table, schema, qualifier=qualifier)
        return self._history

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.close()
            self._conn = None

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def locked(self, *, existing: Existing = "allow") -> Iterator[None]:
        """Hold the migration lock; create or upgrade the history tables under it.

        Whether the history table exists is read under the lock, before creating it: a
        concurrent runner may have created it (and applied migrations) meanwhile."""
        from dbshift.runner.orphan import record_runner, take_lock

        key = self.dialect.lock_key(self.history.name, self.history.schema)
        take_lock(
            self.conn,
            self.dialect,
            self.history,
            key=key,
            timeout=self.settings.lock_timeout,
            kill_orphaned=self.kill_orphaned,
            notice=self.reporter.notice,
        )
        try:
            adopted = None
            if existing != "allow" and not self.history.exists(self.conn):
                adopted = self._unmanaged(refuse=existing == "refuse")
            self.history.ensure(self.conn)
            if adopted:
                self.history.log_event(
                    self.conn,
                    Event.ADOPT,
                    description=f"adopted {len(adopted)} existing table(s): "
                    + ", ".join(adopted[:5])
                    + (", ..." if len(adopted) > 5 else ""),
                )
            record_runner(self.conn, self.dialect, self.history)
            yield
            if self._active is not None:
                self._active.finish()  # the last journal update, before the lock goes
        finally:
            if self._active is not None:
                self._active.close_quietly()
                self._active = None
            with contextlib.suppress(Exception):
                self.dialect.release_lock(self.conn, key)

    def _unmanaged(self, *, refuse: bool) -> list[str]:
        """Tables of a database dbshift has never migrated (no history table); refused
        unless adopting. Flyway's rule: running every migration over objects someone
        else created fails halfway, or worse, half-succeeds."""
        from dbshift.runner.sources import own_tables

        ours = set(own_tables(self.settings))
        # Qualified where the database has several schemas (PostgreSQL) and it is not
        # the default one; MySQL lists the current database only.
        plain = {"main", self.dialect.default_schema(self.conn)}
        found = [
            name if schema in plain or self.dialect.databases_are_schemas else f"{schema}.{name}"
            for schema, name in self.dialect.user_tables(self.conn)
            if name not in ours
        ]
        if found and refuse:
            shown = ", ".join(found[:5]) + (", ..." if len(found) > 5 else "")
            raise ValidationFailed(
                f"the database already holds {len(found)} table(s) or view(s) ({shown}) and "
                f"no dbshift history ({self.history.display}): 'dbshift baseline VERSION' "
                "records that the migrations up to VERSION built them, or 'dbshift migrate "
                "--init-existing' keeps them and applies every migration"
            )
        return found

    # -- read-only -------------------------------------------------------------------------

    def analysis(self, migrations: list[Migration] | None = None) -> Analysis:
        rows = self.history.rows(self.conn)
        return analyse(rows, self.migrations() if migrations is None else migrations)

    def status(self) -> Status:
        migrations = self.migrations()
        analysis = self.analysis(migrations)
        runner = self.runner()
        unfinished = [
            Unfinished(
                row=row,
                migration=analysis.file_for(row),
                in_progress=runner is not None,
                runner=runner,
            )
            for row in analysis.unfinished
        ]
        found = problems(analysis, out_of_order_allowed=self.settings.out_of_order)
        verdict = sumcheck.judge(self.settings, analysis)
        if verdict.problem is not None:
            found.append(verdict.status_line())
        return Status(
            analysis=analysis,
            unfinished=unfinished,
            problems=found,
            runner=runner,
            repeatable=self.repeatable(),
            online=self.history.online_rows(self.conn),
        )

    def runner(self) -> Runner | None:
        """The dbshift run holding the migration lock, or None when it is free."""
        key = self.dialect.lock_key(self.history.name, self.history.schema)
        holder = self.dialect.lock_holder(self.conn, key)
        if holder is not None:
            return Runner.from_label(holder.pid, holder.since, holder.label)
        return Runner(pid=None, since=None) if self._runner_alive() else None

    def validate(self) -> list[str]:
        """Every problem, sum file included; Python files must import."""
        found = []
        migrations = self.migrations()
        self.repeatable_migrations()  # raises a file:line error when one cannot be read
        self._load_callbacks()
        for migration in migrations:
            if migration.kind is Kind.PYTHON:
                loader.resolve(migration)  # raises a file:line error when it cannot import
        analysis = self.analysis(migrations)
        # validate is the CI gate: it reports the sum file whatever the strictness.
        verdict = sumcheck.judge(self.settings, analysis)
        if verdict.problem is not None:
            found.append(
                verdict.refusal()
                if verdict.strict or not verdict.pending_only
                else verdict.status_line()
            )
        found.extend(problems(analysis, out_of_order_allowed=self.settings.out_of_order))
        found.extend(unfinished_problems(analysis))
        return found

    def _runner_alive(self) -> bool:
        key = self.dialect.lock_key(self.history.name, self.history.schema)
        if self.dialect.try_lock(self.conn, key):
            self.dialect.release_lock(self.conn, key)
            return False
        return True

    # -- migrate -------------------------------------------------------------------------

    def migrate(
        self,
        *,
        to: str | None = None,
        dry_run: bool = False,
        confirm: Callable[[list[Migration]], None] | None = None,
        init_existing: bool = False,
        callbacks: bool = True,
    ) -> int:
        """Apply pending migrations (up to ``to``); return how many ran.

        ``confirm`` sees the migrations about to start, under the lock and before any
        runs, and raises to stop them: the CLI's check for destructive statements, which
        needs the linter's facts this layer does not import. Unfinished migrations being
        resumed are not shown again: they were confirmed when they started.

        A database with tables but no history table is refused (see ``_unmanaged``)
        unless ``init_existing``.
        """
        if dry_run:
            if not init_existing and not self.history.exists(self.conn):
                self._unmanaged(refuse=True)
            analysis, todo = self._pending(to)
            todo = todo + self._due_repeatable(analysis, to)
            for migration in todo:
                self.reporter.planned(migration, down=False)
            return len(todo)
        existing: Existing = "adopt" if init_existing else "refuse"
        with self.interruptible(), self.locked(existing=existing):
            analysis, todo = self._pending(to, applying=True)
            if confirm is not None and todo:
                confirm(todo)
            executor = self._executor()
            count = 0
            self._callbacks = self._load_callbacks(enabled=callbacks)
            try:
                with self._callbacks.around_migrate():
                    for row in analysis.unfinished:
                        count += self._resume(executor, analysis, row, down=False)
                    for migration in todo:
                        self._apply(executor, migration, down=False, resume=None)
                        count += 1
                    count += self._apply_repeatable(executor, analysis, to)
            finally:
                self._callbacks = None
            self._label(None)
            if count:
                self._refresh_versions()
                self.take_snapshot()
            return count

    def to_resume(self, *, to: str | None = None) -> list[tuple[Migration, int]]:
        """The stopped migrations ``migrate`` resumes before the pending ones, each with
        how many of its statements already ran (read-only)."""
        analysis = self._pending(to)[0]
        out = []
        for row in analysis.unfinished:
            migration = analysis.file_for(row)
            if migration is not None and row.state in (State.RUNNING, State.FAILED):
                out.append((loader.resolve(migration), row.statements_done))
        return out

    # -- Ctrl-C --------------------------------------------------------------------------

    @contextlib.contextmanager
    def interruptible(self) -> Iterator[None]:
        """Turn Ctrl-C into ``Interrupted`` after cancelling, from a second connection,
        the statement this session runs on the server.

        Closing our socket does not stop the server: MariaDB runs a ``SLEEP(20)`` to its
        end (and keeps our migration lock meanwhile), and PostgreSQL notices a client
        gone only when it next writes to it. psycopg cancels on Ctrl-C itself; asking
        again is harmless and covers every driver.
        """
        session_id = self.dialect.session_id(self.conn)
        try:
            yield
        except KeyboardInterrupt:
            raise Interrupted(self._cancel(session_id)) from None

    def _cancel(self, session_id: int | None) -> str:
        from sqlalchemy.exc import SQLAlchemyError

        sql = self.dialect.cancel_sql(session_id) if session_id is not None else None
        after = "'dbshift status' shows where the run stopped"
        if sql is None:
            return f"interrupted; {after}"
        try:
            engine = create_engine(self.url, connect_timeout=5, busy_timeout=5)
            try:
                with connect(engine) as other:
                    other.exec_driver_sql(sql)
            finally:
                engine.dispose()
        except (DbshiftError, SQLAlchemyError) as exc:
            return (
                f"interrupted; cancelling the statement of server session {session_id} failed "
                f"({exc}), it may still be running; {after}"
            )
        return (
            f"interrupted; cancelled the statement running in server session {session_id}; {after}"
        )

    def _label(self, migration: Migration | None, *, down: bool = False) -> None:
        """Tell other sessions which migration this one is running (see ``runner``)."""
        if migration is None:
            self.dialect.label_session(self.conn, _LABEL)
        else:
            direction = "down" if down else "up"
            self.dialect.label_session(self.conn, f"{_LABEL} {direction} {migration.version}")

    def _executor(self) -> Executor:
        self._active = Executor(
            self.conn,
            self.dialect,
            self.history,
            probe=self.probe,
            locks=LockPolicy(
                timeout=self.settings.ddl_lock_timeout, retries=self.settings.ddl_lock_retries
            ),
            notice=self.reporter.notice,
            before_batch=self._throttle(),
        )
        return self._active

    def _throttle(self) -> Callable[[], None]:
        """Batched data migrations (``ctx.backfill``, ``-- dbshift:batched``) wait for a
        loaded server as the online backfill does: the config's ``[throttle]`` thresholds,
        probed on this session's connection between batches (never inside one)."""
        from dbshift.throttle import Throttle, ThrottleStatus

        def told(status: ThrottleStatus) -> None:
            if status.state != "running":
                self.reporter.notice(status.describe())

        throttle = Throttle(self.dialect, self.conn, self.settings.throttle, report=told)

        def before_batch() -> None:
            throttle.wait()

        return before_batch

    def _load_callbacks(self, *, enabled: bool = True) -> Callbacks:
        """``enabled=False``: replays on scratch databases build a schema, not run grants."""
        from dbshift.migrations.callbacks import load_callbacks
        from dbshift.runner.callbacks import Callbacks

        found = (
            load_callbacks(self.settings.migrations_dir, self.dialect, self.settings.placeholders)
            if enabled
            else {}
        )
        return Callbacks(
            self.conn, self.dialect, found, self.settings.placeholders, self.reporter.notice
        )

    def _due_repeatable(self, analysis: Analysis, to: str | None) -> list[Migration]:
        """Repeatable migrations to run after the versioned ones.

        With ``--to`` below the newest version they wait: they are written against the
        newest schema (a view may read a column a later migration adds)."""
        newest = max((m.number for m in analysis.files.values()), default=0)
        if to is not None and int(to) < newest:
            return []
        return [item.migration for item in self.repeatable() if item.due]

    def _apply_repeatable(self, executor: Executor, analysis: Analysis, to: str | None) -> int:
        due = self._due_repeatable(analysis, to)
        for migration in due:
            # One row per repeatable migration, replaced by each run (see runner.repeatable).
            previous = self.history.row(self.conn, migration.version)
            self.history.delete(self.conn, migration.version)
            try:
                self._apply(executor, migration, down=False, resume=None)
            except Exception:
                # Rolled back (PostgreSQL, SQLite): the last successful run is still the
                # truth, so its row comes back and the file shows as outdated.
                if previous is not None and self.history.row(self.conn, migration.version) is None:
                    with contextlib.suppress(Exception):
                        self.history.insert(self.conn, **dataclasses.asdict(previous))
                raise
        return len(due)

    def pending(self, *, to: str | None = None) -> list[Migration]:
        """What ``migrate`` would apply, validated as it validates (read-only)."""
        return self._pending(to)[1]

    def offline_sql(self, *, to: str | None = None) -> str:
        """The script ``migrate`` would run, for review or for applying by hand."""
        from dbshift.connection import mask_url
        from dbshift.runner.offline import render_script

        analysis, todo = self._pending(to)
        if analysis.unfinished:
            raise ValidationFailed(
                unfinished_problems(analysis)[0] + "; finish it with 'dbshift migrate' first"
            )
        return render_script(
            todo,
            dialect=self.dialect,
            history=self.history,
            create_history=not self.history.exists(self.conn),
            target=mask_url(self.url),
            repeatable=self._due_repeatable(analysis, to),
        )

    def _pending(
        self, to: str | None, *, applying: bool = False
    ) -> tuple[Analysis, list[Migration]]:
        """Validated analysis and the migrations to apply, in order.

        A lenient run goes on with an out-of-date sum file (see sumcheck) and keeps the
        verdict in ``sum_to_rehash``: the CLI's ``migrate`` rewrites the file after the run
        (never a session dbshift runs for itself, such as plan's replay on a scratch
        database). Read-only callers (``applying`` false) get a notice that it would.
        """
        migrations = self.migrations()
        target = self._target(migrations, to)
        analysis = self.analysis(migrations)
        self._refuse_problems(analysis)
        verdict = sumcheck.judge(self.settings, analysis)
        if verdict.problem is not None:
            if not verdict.rehash:
                raise ValidationFailed(verdict.refusal())
            self.sum_to_rehash = verdict
            if not applying:
                self.reporter.notice(verdict.notice(done=False))
        todo = [m for m in analysis.pending if target is None or m.number <= target]
        return analysis, self._stop_at_in_flight(analysis, todo)

    def _stop_at_in_flight(self, analysis: Analysis, todo: list[Migration]) -> list[Migration]:
        """Up to the first online migration in flight: ``migrate`` never passes one (the
        later migrations were written against the schema its complete leaves)."""
        started = {m.version for m in in_flight(analysis, self.history.online_rows(self.conn))}
        for index, migration in enumerate(todo):
            if migration.version not in started:
                continue
            name = migration.path.stem
            if index + 1 < len(todo):
                raise ValidationFailed(
                    f"{display_path(migration.path)}: online migration in flight (started, not "
                    f"completed): run 'dbshift online complete {name}' (or 'dbshift online "
                    f"rollback {name}') before migrating past it; nothing was applied"
                )
            self.reporter.notice(
                f"{migration.filename}: online migration in flight; "
                f"'dbshift online complete {name}' finishes it"
            )
            return todo[:index]
        return todo

    def _refuse_problems(self, analysis: Analysis, *, reverting: bool = False) -> None:
        """Stop before touching anything when files and history disagree.

        Unfinished migrations in the direction we are going are resumed, not refused;
        one stopped in the other direction must be finished or repaired first.
        """
        if not reverting:
            found = problems(analysis, out_of_order_allowed=self.settings.out_of_order)
            if found:
                more = (
                    f" (and {len(found) - 1} more; see 'dbshift validate')"
                    if len(found) > 1
                    else ""
                )
                raise ValidationFailed(found[0] + more)
        other_way = (
            (State.RUNNING, State.FAILED) if reverting else (State.REVERTING, State.REVERT_FAILED)
        )
        for row in analysis.unfinished:
            if row.state in other_way:
                verb, finish = ("applied", "migrate") if reverting else ("rolled back", "rollback")
                raise ValidationFailed(
                    f"migration {row.version} ({row.description}) was being {verb} and stopped "
                    f"after {row.statements_done} of {row.statements_total} statement(s); finish it "
                    f"with 'dbshift {finish}' or resolve it with 'dbshift repair'"
                )

    def _resume(
        self, executor: Executor, analysis: Analysis, row: HistoryRow, *, down: bool
    ) -> int:
        migration = analysis.file_for(row)
        if migration is None:
            raise ValidationFailed(
                f"migration {row.version} ({row.description}) stopped midway and its file is gone; "
                "resolve it with 'dbshift repair'"
            )
        self._apply(executor, migration, down=down, resume=row)
        return 1

    def _apply(
        self, executor: Executor, migration: Migration, *, down: bool, resume: HistoryRow | None
    ) -> None:
        migration = loader.resolve(migration)
        self._label(migration, down=down)
        hooks = self._callbacks
        each = hooks.around_each(migration) if hooks and not down else contextlib.nullcontext()
        with each:
            self.reporter.started(
                migration, down=down, resumed_at=resume.statements_done if resume else None
            )
            if migration.kind is Kind.ONLINE and not down:
                ms = self.apply_online(executor, migration)
            else:
                ms = executor.run(migration, down=down, resume=resume)
            self.reporter.finished(migration, down=down, ms=ms)

    def apply_online(self, executor: Executor, migration: Migration) -> int:
        """An online file as one migration: the online engine's start and complete, over
        a connection of its own (see ``online_files``), then its history rows.

        The runner's connection is idle meanwhile, outside any transaction (journal
        updates committed, MySQL's autocommit back on): ``CREATE INDEX CONCURRENTLY``
        waits for every open transaction, this one's included. The migration lock stays
        held, so no other ``migrate`` runs in between; the engine takes its own lock."""
        started = time.perf_counter()
        executor.finish()
        applier = online_files.applier(migration)
        applier.apply_whole(
            self.settings, migration, offline_ok=self.offline_ok, notice=self.reporter.notice
        )
        ms = round((time.perf_counter() - started) * 1000)
        self.conn.exec_driver_sql(self.dialect.begin_sql)
        try:
            self._record_online(migration, OnlinePhase.COMPLETED, OnlineMode.WHOLE, ms=ms)
        except BaseException:
            with contextlib.suppress(Exception):
                self.conn.exec_driver_sql("ROLLBACK")
            raise
        self.conn.exec_driver_sql("COMMIT")
        return ms

    def _record_online(
        self, migration: Migration | MigrationFile, phase: OnlinePhase, mode: OnlineMode, *, ms: int
    ) -> None:
        self.history.set_online_phase(
            self.conn,
            version=migration.version,
            name=migration.path.stem,
            phase=phase,
            mode=mode,
            checksum=migration.checksum,
        )
        if (
            phase is OnlinePhase.COMPLETED
            and self.history.row(self.conn, migration.version) is None
        ):
            self.history.insert(
                self.conn,
                version=migration.version,
                description=migration.description[:255],
                kind=Kind.ONLINE.value,
                checksum=migration.checksum,
                state=State.APPLIED,
                statements_total=1,
                statements_done=1,
                execution_ms=ms,
            )

    def record_online(self, migration: MigrationFile, phase: OnlinePhase) -> bool:
        """``dbshift online start|complete|rollback`` of a file of the migrations directory:
        its phase, and once completed its history row (so ``migrate`` passes it). Only
        where the history table exists: False otherwise."""
        if not self.history.exists(self.conn):
            return False
        with self.locked():
            self._record_online(migration, phase, OnlineMode.ONLINE, ms=0)
        return True

    def _refresh_versions(self) -> None:
        """A table the run made (or dropped) while an online migration is in flight shows
        in (goes from) that migration's new version (``online_files.refresh_versions``).
        The migrations are applied and recorded whatever happens here: a failure is a
        notice, and ``dbshift online refresh`` does it again."""
        from sqlalchemy.exc import SQLAlchemyError

        from dbshift.errors import DbshiftError

        try:
            if self._active is not None:
                self._active.finish()  # what the run did is committed before it is read
            online_files.refresh_versions(self.settings, self.reporter.notice)
        except (SQLAlchemyError, DbshiftError) as exc:
            reason = " ".join(str(exc).split())[:200]
            self.reporter.notice(
                f"new version of an online migration not refreshed ({reason}); "
                "run 'dbshift online refresh'"
            )

    def take_snapshot(self) -> None:
        """Store the schema as this run left it, for ``dbshift drift`` (see runner.snapshot).

        The migrations ran and are recorded whatever happens here: a snapshot that cannot be
        stored is a notice, and drift falls back to replaying the history."""
        if not self.settings.drift_snapshots:
            return
        from sqlalchemy.exc import SQLAlchemyError

        from dbshift.errors import DbshiftError
        from dbshift.runner.snapshot import SnapshotTable
        from dbshift.runner.sources import inspect_url

        try:
            if self._active is not None:
                self._active.finish()  # what the run did is durable before it is read
            applied = [r for r in self.history.rows(self.conn) if r.state is State.APPLIED]
            version = applied[-1].version if applied else None
            # Over a second, bare-driver connection (dbshift.direct): half the time of
            # inspecting through SQLAlchemy, and everything the run did is committed.
            schema = inspect_url(self.settings.url or "", self.settings)
            SnapshotTable(self.history.name, self.history.schema).take(self.conn, schema, version)
        except (SQLAlchemyError, DbshiftError, ValueError) as exc:
            reason = " ".join(str(exc).split())[:200]
            self.reporter.notice(f"schema snapshot not stored ({reason}); drift will replay")

    def _target(self, migrations: list[Migration], to: str | None) -> int | None:
        if to is None:
            return None
        if not to.isdigit():
            raise UsageError(f"--to expects a version number, got {to!r}")
        number = int(to)
        if number != 0 and number not in {m.number for m in migrations}:
            raise UsageError(f"--to {to}: no migration has that version")
        return number

    # -- rollback ------------------------------------------------------------------------

    def rollback(
        self,
        *,
        count: int | None = None,
        to: str | None = None,
        dry_run: bool = False,
        confirm: Callable[[list[Migration]], None] | None = None,
    ) -> int:
        """Revert the newest ``count`` applied migrations, or all above ``to``.

        ``confirm`` sees the migrations about to be reverted, as in ``migrate``. Asking
        for more than are applied is refused (nothing is reverted), as Alembic and
        golang-migrate do: ``rollback 99`` is more often a typo for a version than an
        intent to revert everything.
        """
        migrations = self.migrations()
        target = self._target(migrations, to)
        if count is not None and count < 1:
            raise UsageError("rollback count must be at least 1")
        if not self.history.exists(self.conn):
            return 0
        context = contextlib.nullcontext() if dry_run else self.locked()
        with self.interruptible(), context:
            analysis = self.analysis(migrations)
            self._refuse_problems(analysis, reverting=True)
            stopped = [
                r for r in analysis.unfinished if r.state in (State.REVERTING, State.REVERT_FAILED)
            ]
            if count is not None:
                revertible = [r for r in analysis.applied if r.kind != Kind.BASELINE]
                if count > len(revertible) + len(stopped):
                    have = len(revertible) + len(stopped)
                    raise UsageError(
                        f"cannot roll back {count} migration(s): only {have} "
                        f"{'is' if have == 1 else 'are'} applied"
                        + (" (the baseline cannot be rolled back)" if analysis.baseline else "")
                        + "; nothing was reverted ('dbshift rollback --to 0' reverts all)"
                    )
            victims = self._victims(analysis, count=count, target=target)
            if count is not None:
                victims = victims[: max(0, count - len(stopped))]
            if dry_run:
                for migration in victims:
                    self.reporter.planned(migration, down=True)
                return len(victims)
            if confirm is not None and victims:
                confirm(victims)
            executor = self._executor()
            done = 0
            for row in analysis.unfinished:
                done += self._resume(executor, analysis, row, down=True)
            for migration in victims:
                self._apply(executor, migration, down=True, resume=None)
                done += 1
            self._label(None)
            if done:
                self.take_snapshot()
            return done

    def _victims(
        self, analysis: Analysis, *, count: int | None, target: int | None
    ) -> list[Migration]:
        rows = [r for r in reversed(analysis.applied) if r.kind != Kind.BASELINE]
        rows = [r for r in rows if r.number > target] if target is not None else rows[: count or 1]
        edited = {row.version for _, row in analysis.edited}
        victims = []
        for row in rows:
            migration = analysis.file_for(row)
            if migration is None:
                raise ValidationFailed(
                    f"cannot roll back {row.version} ({row.description}): its file is gone"
                )
            if row.version in edited:
                raise ValidationFailed(
                    f"{display_path(migration.path)}: edited after it was applied; its down section "
                    "may not undo what ran. Check it, run 'dbshift repair', then roll back"
                )
            migration = loader.resolve(migration)
            if migration.kind is Kind.ONLINE:
                raise Irreversible(
                    f"{display_path(migration.path)}: a completed online migration has no "
                    "down ('dbshift online rollback' undoes one only before complete); write "
                    "a new migration that undoes it; nothing was rolled back"
                )
            if not migration.down.present:
                raise Irreversible(
                    f"{display_path(migration.path)}: has no down section; nothing was rolled back"
                )
            victims.append(migration)
        return victims

    # -- repair / baseline ---------------------------------------------------------------------

    def repair(
        self,
        *,
        remove_failed: bool = False,
        forget_missing: bool = False,
        statement_done: bool = False,
        statement_retry: bool = False,
    ) -> list[str]:
        """Accept edited checksums; mark unfinished migrations resolved (or remove them)."""
        from dbshift.runner.repair import never_ran, settle_statement

        done: list[str] = []
        if not self.history.exists(self.conn):
            return done
        with self.locked():
            analysis = self.analysis()
            if statement_done or statement_retry:
                if not analysis.unfinished:
                    raise UsageError("repair: no migration stopped midway; nothing is in doubt")
                return [
                    settle_statement(
                        self.conn,
                        self.history,
                        row,
                        analysis.file_for(row),
                        took_effect=statement_done,
                    )
                    for row in analysis.unfinished
                ]
            for migration, row in analysis.edited:
                self.history.update(
                    self.conn,
                    row.version,
                    checksum=migration.checksum,
                    description=migration.description,
                )
                done.append(f"accepted the new checksum of {migration.filename}")
            for row in analysis.unfinished:
                reverting = row.state in (State.REVERTING, State.REVERT_FAILED)
                unrun = never_ran(row, analysis.file_for(row))
                if remove_failed or reverting:
                    self.history.delete(self.conn, row.version)
                    what = "rolled back" if reverting else "not applied (it will run again)"
                    ran = (
                        f"; its first {row.statements_done} statement(s) ran and were not undone"
                        if row.statements_done and not reverting
                        else unrun
                    )
                    done.append(f"marked {row.version} ({row.description}) as {what}{ran}")
                else:
                    self.history.update(
                        self.conn,
                        row.version,
                        state=State.APPLIED,
                        error=None,
                        checksum=(analysis.file_for(row) or row).checksum,
                    )
                    done.append(f"marked {row.version} ({row.description}) as applied{unrun}")
            if forget_missing:
                for row in analysis.missing:
                    self.history.delete(self.conn, row.version)
                    done.append(f"forgot {row.version} ({row.description}), whose file is gone")
        return done

    def baseline(self, version: str) -> None:
        if not version.isdigit():
            raise UsageError(f"baseline expects a version number, got {version!r}")
        with self.locked():
            if self.history.rows(self.conn):
                raise UsageError(
                    f"cannot baseline: {self.history.display} already has rows (baseline starts a history)"
                )
            self.history.insert(
                self.conn,
                version=version,
                description="baseline",
                kind=Kind.BASELINE.value,
                checksum="",
                state=State.APPLIED,
                statements_total=0,
                statements_done=0,
            )
            # What is there now is, by adoption, what the history up to the baseline built.
            self.take_snapshot()
