"""Python migrations: ``def up(ctx)`` and optionally ``def down(ctx)``.

They carry data migrations, where SQL alone is awkward. A module-level
``transactional = False`` runs the migration outside a transaction, like the SQL
``-- dbshift:no-transaction`` directive.

``ctx.backfill`` and ``ctx.batches`` cut a data migration into keyset batches, each
committed with a checkpoint (``dbshift.runner.batched``); they need ``transactional =
False``, since a migration in one transaction cannot commit batch by batch.
"""

from __future__ import annotations

import importlib.util
import sys
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Protocol

from dbshift.errors import MigrationFileError
from dbshift.migrations.model import Headers

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, CursorResult

    from dbshift.dialects import Dialect

Params = Mapping[str, Any] | Sequence[Mapping[str, Any]] | None


class Batcher(Protocol):
    """The runner's batch loop, as the context hands it to a migration (the runner layer
    sits above this one, so it is given, not imported)."""

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
    ) -> Any: ...

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
    ) -> Iterator[Any]: ...


@dataclass
class MigrationContext:
    """What a Python migration's ``up``/``down`` receives.

    ``connection`` is a SQLAlchemy connection inside the migration's transaction (when it
    has one): do not commit or roll back on it, dbshift does that together with the
    history row.
    """

    connection: Connection
    #: The server's dialect, for what differs between servers (``sql_dialect.quote``).
    sql_dialect: Dialect
    #: The batch loop behind ``backfill`` and ``batches`` (None: not available here).
    batcher: Batcher | None = None

    @property
    def dialect(self) -> str:
        """The dialect's name (``postgresql``, ``mysql``, ``sqlite``): documented for
        migrations to branch on, so it stays the name."""
        return self.sql_dialect.name

    def execute(self, sql: str, params: Params = None) -> CursorResult[Any]:
        """Run one statement with bound parameters (``:name`` placeholders)."""
        from sqlalchemy import text

        return self.connection.execute(text(sql), params)

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
    ) -> Any:
        """``UPDATE table SET column = (expression), … WHERE (where)`` in keyset batches.

        ``set`` maps column names (quoted by dbshift) to SQL expressions, and ``where`` is
        an SQL condition: both are SQL written by the migration's author and run as
        written; values go in ``params`` (``:name``). ``key``: the column(s) to batch by
        (default: the primary key). Returns the rows changed and batches committed.
        """
        return self._batcher().backfill(
            table,
            set=set,
            where=where,
            key=key,
            schema=schema,
            params=params,
            batch_size=batch_size,
            target_seconds=target_seconds,
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
    ) -> Iterator[Any]:
        """The table's keyset batches, for statements of your own: each batch has
        ``where`` (its key range, SQL over the table or ``alias``) and ``execute(sql,
        params)``, which binds the range's values and counts rows for the verification.
        A batch commits with its checkpoint when the loop asks for the next one."""
        return self._batcher().batches(
            table,
            where=where,
            key=key,
            schema=schema,
            alias=alias,
            params=params,
            batch_size=batch_size,
            target_seconds=target_seconds,
        )

    def _batcher(self) -> Batcher:
        if self.batcher is None:
            raise MigrationFileError("migration", "batches are not available in this context")
        return self.batcher


@dataclass(frozen=True)
class PythonMigration:
    up: Callable[[MigrationContext], object]
    down: Callable[[MigrationContext], object] | None
    transactional: bool
    headers: Headers = field(default_factory=Headers)


def load_python_migration(path: Path) -> PythonMigration:
    """Import the file in isolation; any failure is one ``file:line`` error."""
    return _functions(path, import_file(path))


def import_file(path: Path) -> ModuleType:
    """Import one file as a module of its own (migrations and callbacks alike)."""
    module_name = f"dbshift_migration_{path.stem}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise MigrationFileError(str(path), "cannot be loaded as a Python module")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        raise MigrationFileError(str(path), f"syntax error: {exc.msg}", line=exc.lineno) from None
    except Exception as exc:
        line = _line_in(path, exc)
        raise MigrationFileError(
            str(path), f"fails to import: {type(exc).__name__}: {exc}", line=line
        ) from None
    finally:
        sys.modules.pop(module_name, None)
    return module


def _functions(path: Path, module: ModuleType) -> PythonMigration:
    up = getattr(module, "up", None)
    down = getattr(module, "down", None)
    if not callable(up):
        raise MigrationFileError(str(path), "defines no up(ctx) function")
    if down is not None and not callable(down):
        raise MigrationFileError(str(path), "down is not a function")
    transactional = getattr(module, "transactional", True)
    if not isinstance(transactional, bool):
        raise MigrationFileError(str(path), "'transactional' must be True or False")
    from dbshift.migrations.headers import python_headers

    return PythonMigration(
        up=up, down=down, transactional=transactional, headers=python_headers(path, module)
    )


def _line_in(path: Path, exc: BaseException) -> int | None:
    """The deepest traceback line inside the migration file itself."""
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if Path(frame.filename) == path:
            line = frame.lineno
    return line
