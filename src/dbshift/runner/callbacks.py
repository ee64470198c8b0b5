"""Running callbacks around ``migrate``: Flyway's events, SQL or Python files.

Each callback file runs in its own transaction (statement by statement on MySQL/MariaDB,
where DDL commits anyway), on the migration connection and under the migration lock, but
outside the migrations' own transactions: a migration's transaction and its history row
stay exactly what the executor journals, and a failing ``afterEachMigrate`` cannot undo a
migration that already committed. A failing callback stops ``migrate`` like a failing
migration (``file:line``, exit 1); the error callbacks then still run.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dbshift.errors import MigrationFailed, MigrationFileError
from dbshift.migrations.callbacks import Callback
from dbshift.migrations.model import Migration
from dbshift.runner.executor import display_path

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, CursorResult

    from dbshift.dialects import Dialect


@dataclass
class CallbackContext:
    """What a Python callback's ``run(ctx)`` receives.

    ``connection`` is inside the callback's transaction: do not commit on it.
    ``migration`` is ``"<version> <description>"`` for the *Each* events, else None;
    ``error`` is the failure's one-line message for the *Error* events.
    """

    connection: Connection
    #: The server's dialect, for what differs between servers (``sql_dialect.quote``).
    sql_dialect: Dialect
    event: str
    migration: str | None = None
    error: str | None = None
    placeholders: Mapping[str, str] = field(default_factory=dict)

    @property
    def dialect(self) -> str:
        """The dialect's name (``postgresql``, ``mysql``, ``sqlite``): documented for
        callbacks to branch on, so it stays the name."""
        return self.sql_dialect.name

    def execute(self, sql: str, params: Any = None) -> CursorResult[Any]:
        """Run one statement with bound parameters (``:name`` placeholders)."""
        from sqlalchemy import text

        return self.connection.execute(text(sql), params)


class Callbacks:
    """The callbacks of one migrations directory, bound to one connection."""

    def __init__(
        self,
        conn: Connection,
        dialect: Dialect,
        callbacks: Mapping[str, list[Callback]],
        placeholders: Mapping[str, str],
        notice: Callable[[str], None],
    ) -> None:
        self.conn = conn
        self.dialect = dialect
        self.callbacks = callbacks
        self.placeholders = placeholders
        self.notice = notice
        self._raw = conn.execution_options(no_parameters=True)
        #: A migration failed after its progress line was started ("applying x ..."):
        #: the first notice after that starts on a line of its own.
        self._line_open = False

    @contextlib.contextmanager
    def around_migrate(self) -> Iterator[None]:
        """beforeMigrate, the body, then afterMigrate or afterMigrateError."""
        self.fire("beforeMigrate")
        try:
            yield
        except Exception as exc:
            self._fire_on_error("afterMigrateError", exc, migration=None)
            raise
        self.fire("afterMigrate")

    @contextlib.contextmanager
    def around_each(self, migration: Migration) -> Iterator[None]:
        """beforeEachMigrate, one migration, then afterEachMigrate or afterEachMigrateError."""
        self.fire("beforeEachMigrate", migration=migration)
        try:
            yield
        except Exception as exc:
            self._line_open = True
            self._fire_on_error("afterEachMigrateError", exc, migration=migration)
            raise
        self.fire("afterEachMigrate", migration=migration)

    def _fire_on_error(self, event: str, exc: Exception, *, migration: Migration | None) -> None:
        """The original failure is what the user must see; a failing error callback is a notice."""
        try:
            self.fire(event, migration=migration, error=str(exc))
        except MigrationFailed as again:
            self.notice(f"warning: {again.message}")

    def fire(
        self, event: str, *, migration: Migration | None = None, error: str | None = None
    ) -> None:
        for callback in self.callbacks.get(event, ()):
            started = time.perf_counter()
            self._run(callback, migration=migration, error=error)
            ms = round((time.perf_counter() - started) * 1000)
            if self._line_open:
                self.notice("")
                self._line_open = False
            self.notice(f"callback {event}: {callback.path.name} done in {ms} ms")

    def _run(self, callback: Callback, *, migration: Migration | None, error: str | None) -> None:
        from sqlalchemy.exc import DBAPIError

        path = display_path(callback.path)
        steps = self._steps(callback, migration=migration, error=error)
        in_transaction = self.dialect.transactional_ddl or callback.is_python
        if in_transaction:
            self._raw.exec_driver_sql(self.dialect.begin_sql)
        try:
            for line, run in steps:
                try:
                    run()
                except DBAPIError as exc:
                    where = line if line != "?" else _python_line(callback, exc)
                    raise MigrationFailed(
                        f"{path}:{where}: {callback.event} callback failed: "
                        f"{self.dialect.describe_error(exc)}"
                    ) from exc
                except MigrationFailed:
                    raise
                except Exception as exc:
                    raise MigrationFailed(
                        f"{path}:{_python_line(callback, exc)}: {callback.event} callback failed: "
                        f"{type(exc).__name__}: {' '.join(str(exc).split())}"
                    ) from exc
        except BaseException:
            if in_transaction:
                with contextlib.suppress(Exception):
                    self._raw.exec_driver_sql("ROLLBACK")
            raise
        if in_transaction:
            self._raw.exec_driver_sql("COMMIT")

    def _steps(
        self, callback: Callback, *, migration: Migration | None, error: str | None
    ) -> list[tuple[int | str, Callable[[], object]]]:
        if not callback.is_python:
            return [(s.line, _sql_step(self._raw, s.sql)) for s in callback.statements]
        from dbshift.migrations.pyfile import import_file

        module = import_file(callback.path)
        function = getattr(module, "run", None)
        if not callable(function):
            raise MigrationFileError(display_path(callback.path), "defines no run(ctx) function")
        context = CallbackContext(
            connection=self.conn,
            sql_dialect=self.dialect,
            event=callback.event,
            migration=f"{migration.version} {migration.description}" if migration else None,
            error=error,
            placeholders=dict(self.placeholders),
        )
        return [("?", lambda: function(context))]


def _sql_step(conn: Connection, sql: str) -> Callable[[], object]:
    return lambda: conn.exec_driver_sql(sql)


def _python_line(callback: Callback, exc: BaseException) -> str:
    import traceback
    from pathlib import Path

    line = "?"
    for frame in traceback.extract_tb(exc.__traceback__):
        if Path(frame.filename).resolve() == callback.path.resolve():
            line = str(frame.lineno)
    return line
