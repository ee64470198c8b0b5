"""The commands' service layer: one connection, one lock, one history table.

Each public method is one CLI command. Side effects stay here and in the executor; the
decisions (what is pending, what is wrong) come from ``plan``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from dbshift.config import Settings
from dbshift.connection import backend_name, connect, create_engine, parse_url
from dbshift.dialects import Dialect, dialect_for
from dbshift.errors import ConfigError, UsageError, ValidationFailed
from dbshift.migrations import loader, sumfile
from dbshift.migrations.model import Kind, Migration
from dbshift.runner.executor import Executor, display_path
from dbshift.runner.history import HistoryRow, HistoryTable, State
from dbshift.runner.indoubt import Probe, unknown_probe
from dbshift.runner.lockwait import LockPolicy
from dbshift.runner.plan import Analysis, analyse, problems, unfinished_problems

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection


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


@dataclass(frozen=True)
class Unfinished:
    """A migration that stopped midway, and whether a runner is still at it."""

    row: HistoryRow
    migration: Migration | None
    in_progress: bool

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
            return f"{verb} in progress ({done}; now at {where})"
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


class Session:
    """Everything a command needs about one database and one migrations directory."""

    #: Decides whether an interrupted run's last statement took effect (the CLI gives
    #: one built on the linter's parser, which this layer does not import).
    probe: Probe = staticmethod(unknown_probe)
    #: ``migrate --kill-orphaned``: KILL a dead runner's statement holding the lock.
    kill_orphaned: bool = False

    def __init__(self, settings: Settings, reporter: Reporter) -> None:
        if not settings.url:
            raise ConfigError(
                "no database URL: pass --url, set DBSHIFT_URL or DATABASE_URL, "
                "or put url = ... in dbshift.toml"
            )
        self.settings = settings
        self.reporter = reporter
        self.url = parse_url(settings.url)
        self.dialect: Dialect = dialect_for(self.url)
        if settings.history_schema and not self.dialect.supports_history_schema:
            raise ConfigError(
                f"history_schema is only supported on PostgreSQL, not {self.dialect.name}"
            )
        self._conn: Connection | None = None
        self._history: HistoryTable | None = None
        #: The executor of the current locked run: finished before the lock is released.
        self._active: Executor | None = None

    # -- resources -----------------------------------------------------------------------

    @property
    def backend(self) -> str:
        return backend_name(self.url)

    def migrations(self) -> list[Migration]:
        return loader.load(self.settings.migrations_dir, self.dialect.name)

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
            self._history = HistoryTable(self.settings.history_table, schema)
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
    def locked(self) -> Iterator[None]:
        """Hold the migration lock; create or upgrade the history tables under it."""
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
            self.history.ensure(self.conn)
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

    # -- read-only -------------------------------------------------------------------------

    def analysis(self, migrations: list[Migration] | None = None) -> Analysis:
        rows = self.history.rows(self.conn)
        return analyse(rows, self.migrations() if migrations is None else migrations)

    def status(self) -> Status:
        migrations = self.migrations()
        analysis = self.analysis(migrations)
        unfinished = [
            Unfinished(row=row, migration=analysis.file_for(row), in_progress=self._runner_alive())
            for row in analysis.unfinished
        ]
        found = problems(analysis, out_of_order_allowed=self.settings.out_of_order)
        return Status(analysis=analysis, unfinished=unfinished, problems=found)

    def validate(self) -> list[str]:
        """Every problem, sum file included; Python files must import."""
        found = []
        files = loader.scan(self.settings.migrations_dir)
        problem = sumfile.check(self.settings.migrations_dir, files)
        if problem is not None:
            found.append(problem.message)
        migrations = self.migrations()
        for migration in migrations:
            if migration.kind is Kind.PYTHON:
                loader.resolve(migration)  # raises a file:line error when it cannot import
        analysis = self.analysis(migrations)
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
    ) -> int:
        """Apply pending migrations (up to ``to``); return how many ran.

        ``confirm`` sees the migrations about to start, under the lock and before any
        runs, and raises to stop them: the CLI's check for destructive statements, which
        needs the linter's facts this layer does not import. Unfinished migrations being
        resumed are not shown again: they were confirmed when they started.
        """
        if dry_run:
            todo = self._pending(to)[1]
            for migration in todo:
                self.reporter.planned(migration, down=False)
            return len(todo)
        with self.locked():
            analysis, todo = self._pending(to)
            if confirm is not None and todo:
                confirm(todo)
            executor = self._executor()
            count = 0
            for row in analysis.unfinished:
                count += self._resume(executor, analysis, row, down=False)
            for migration in todo:
                self._apply(executor, migration, down=False, resume=None)
                count += 1
            return count

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
        )
        return self._active

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
        )

    def _pending(self, to: str | None) -> tuple[Analysis, list[Migration]]:
        """Validated analysis and the migrations to apply, in order."""
        migrations = self.migrations()
        self.check_sum()
        target = self._target(migrations, to)
        analysis = self.analysis(migrations)
        self._refuse_problems(analysis)
        return analysis, [m for m in analysis.pending if target is None or m.number <= target]

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
        self.reporter.started(
            migration, down=down, resumed_at=resume.statements_done if resume else None
        )
        ms = executor.run(migration, down=down, resume=resume)
        self.reporter.finished(migration, down=down, ms=ms)

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
        self, *, count: int | None = None, to: str | None = None, dry_run: bool = False
    ) -> int:
        """Revert the newest ``count`` applied migrations, or all above ``to``."""
        migrations = self.migrations()
        target = self._target(migrations, to)
        if count is not None and count < 1:
            raise UsageError("rollback count must be at least 1")
        context = contextlib.nullcontext() if dry_run else self.locked()
        with context:
            analysis = self.analysis(migrations)
            self._refuse_problems(analysis, reverting=True)
            victims = self._victims(analysis, count=count, target=target)
            if dry_run:
                for migration in victims:
                    self.reporter.planned(migration, down=True)
                return len(victims)
            executor = self._executor()
            done = 0
            for row in analysis.unfinished:
                done += self._resume(executor, analysis, row, down=True)
            if count is not None:
                victims = victims[: max(0, count - done)]
            for migration in victims:
                self._apply(executor, migration, down=True, resume=None)
                done += 1
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
            if not migration.down.present:
                raise ValidationFailed(
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

        done = []
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
