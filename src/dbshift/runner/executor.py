"""Running one migration, up or down, with its history row.

Two paths. Where the server has transactional DDL and the file allows a transaction,
the statements and the history row commit together: a crash or a failure leaves nothing.
Otherwise (MySQL/MariaDB, ``-- dbshift:no-transaction``) each statement is journaled in
the history row as it completes (``statements_done`` plus a hash of the statements run),
so ``status`` says exactly where a run stopped and ``migrate`` resumes after the last
completed statement, refusing if those statements were edited since.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from dbshift.errors import MigrationFailed, MigrationFileError, ValidationFailed
from dbshift.migrations.checksum import statements_checksum
from dbshift.migrations.model import Kind, Migration
from dbshift.runner.history import HistoryRow, HistoryTable, State, applied_by, now

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


def display_path(path: Path) -> str:
    """Paths relative to the working directory read better in one-line errors."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


class Executor:
    def __init__(self, conn: Connection, dialect: Dialect, history: HistoryTable) -> None:
        self.conn = conn
        self.dialect = dialect
        self.history = history
        self._raw = conn.execution_options(no_parameters=True)

    def run(self, migration: Migration, *, down: bool, resume: HistoryRow | None = None) -> int:
        """Apply (or revert) ``migration``; return its execution time in milliseconds."""
        steps = self._steps(migration, down=down)
        started = time.perf_counter()
        if migration.transactional and self.dialect.transactional_ddl and resume is None:
            self._run_in_transaction(migration, steps, down=down, started=started)
        else:
            self._run_journaled(migration, steps, down=down, resume=resume, started=started)
        return _ms_since(started)

    def run_statements(self, migration: Migration, *, down: bool) -> None:
        """Only the section's statements: no history row, no transaction of its own.

        For ``dbshift test``, which runs a down and the up again inside one transaction it
        then rolls back; errors are the same ``file:line`` ones ``run`` raises."""
        for step in self._steps(migration, down=down):
            self._execute(migration, step, down=down)

    # -- the two paths -----------------------------------------------------------------

    def _run_in_transaction(
        self, migration: Migration, steps: list[Step], *, down: bool, started: float
    ) -> None:
        self._raw.exec_driver_sql(self.dialect.begin_sql)
        try:
            for step in steps:
                self._execute(migration, step, down=down)
            if down:
                self.history.delete(self.conn, migration.version)
            else:
                self.history.insert(
                    self.conn,
                    **self._row_values(migration, len(steps)),
                    state=State.APPLIED,
                    statements_done=len(steps),
                    execution_ms=_ms_since(started),
                )
        except BaseException:
            self._raw.exec_driver_sql("ROLLBACK")
            raise
        self._raw.exec_driver_sql("COMMIT")

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
        start = 0
        if resume is not None and resume.state in (running, failed):
            start = resume.statements_done
            if statements_checksum([s.sql for s in steps[:start]]) != resume.done_checksum:
                raise ValidationFailed(
                    f"{display_path(migration.path)}: its first {start} statement(s) already ran "
                    "but were edited since; restore them, or resolve by hand and run "
                    "'dbshift repair'"
                )
            self.history.update(
                self.conn, migration.version, state=running, checksum=migration.checksum, error=None
            )
        elif down:
            self.history.update(
                self.conn,
                migration.version,
                state=running,
                statements_total=len(steps),
                statements_done=0,
                done_checksum=statements_checksum([]),
                error=None,
            )
        else:
            self.history.insert(
                self.conn,
                **self._row_values(migration, len(steps)),
                state=running,
                statements_done=0,
                done_checksum=statements_checksum([]),
            )
        for index in range(start, len(steps)):
            step = steps[index]
            journal = {
                "statements_done": index + 1,
                "done_checksum": statements_checksum([s.sql for s in steps[: index + 1]]),
            }
            try:
                if step.is_data:
                    self._raw.exec_driver_sql("BEGIN")
                    try:
                        self._execute(migration, step, down=down)
                        self.history.update(self.conn, migration.version, **journal)
                    except BaseException:
                        self._raw.exec_driver_sql("ROLLBACK")
                        raise
                    self._raw.exec_driver_sql("COMMIT")
                else:
                    self._execute(migration, step, down=down)
                    self.history.update(self.conn, migration.version, **journal)
            except MigrationFailed as exc:
                self.history.update(self.conn, migration.version, state=failed, error=exc.message)
                raise
        if down:
            self.history.delete(self.conn, migration.version)
        else:
            self.history.update(
                self.conn,
                migration.version,
                state=State.APPLIED,
                applied_at=now(),
                applied_by=applied_by(),
                execution_ms=_ms_since(started),
                error=None,
            )

    # -- steps -------------------------------------------------------------------------

    def _steps(self, migration: Migration, *, down: bool) -> list[Step]:
        if migration.kind is Kind.PYTHON:
            return [self._python_step(migration, down=down)]
        section = migration.section(down=down)
        if not section.present:
            raise MigrationFileError(
                display_path(migration.path), "has no '-- dbshift:down' section"
            )

        def runner(sql: str) -> Callable[[], None]:
            def run() -> None:
                self._raw.exec_driver_sql(sql)

            return run

        return [
            Step(
                sql=s.sql,
                line=s.line,
                run=runner(s.sql),
                is_data=self.dialect.is_data_statement(s.sql),
            )
            for s in section.statements
        ]

    def _python_step(self, migration: Migration, *, down: bool) -> Step:
        from dbshift.migrations.pyfile import MigrationContext, load_python_migration

        module = load_python_migration(migration.path)
        function = module.down if down else module.up
        if function is None:
            raise MigrationFileError(display_path(migration.path), "defines no down(ctx) function")
        context = MigrationContext(connection=self.conn, dialect=self.dialect.name)
        name = "down" if down else "up"

        def run() -> None:
            function(context)

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
            raise MigrationFailed(
                f"{where}: {direction} failed: {self.dialect.describe_error(exc)}"
            ) from exc
        except (SQLAlchemyError, Exception) as exc:
            if isinstance(exc, MigrationFailed):
                raise
            where = f"{path}:{_python_line(migration.path, exc)}"
            raise MigrationFailed(
                f"{where}: {direction} failed: {type(exc).__name__}: {' '.join(str(exc).split())}"
            ) from exc

    def _row_values(self, migration: Migration, total: int) -> dict[str, object]:
        return {
            "version": migration.version,
            "description": migration.description[:255],
            "kind": migration.kind.value,
            "checksum": migration.checksum,
            "statements_total": total,
        }


def _python_line(path: Path, exc: BaseException) -> str:
    import traceback

    line = "?"
    for frame in traceback.extract_tb(exc.__traceback__):
        if Path(frame.filename).resolve() == path.resolve():
            line = str(frame.lineno)
    return line


def _ms_since(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)
