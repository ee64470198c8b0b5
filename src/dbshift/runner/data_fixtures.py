"""Data fixtures for ``dbshift test``: rows inserted before a migration, checked after its
up and after its down.

``<fixtures>/<version>.sql`` has up to three sections::

    -- dbshift:before
    INSERT INTO users (id, email) VALUES (1, 'a@example.com');
    -- dbshift:after-up
    SELECT count(*) = 1 FROM users WHERE email_domain = 'example.com';
    -- dbshift:after-down
    SELECT email = 'a@example.com' FROM users WHERE id = 1;

Every statement under ``after-up``/``after-down`` is a query whose first row's first value
must be true (a missing row fails too), so an assertion is plain SQL the author can run by
hand. ``<version>.py`` defines ``before(ctx)``, ``after_up(ctx)``, ``after_down(ctx)``
(any of them) and asserts with ``assert``; ``ctx`` is a Python migration's context.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from dbshift.errors import MigrationFileError
from dbshift.runner.executor import display_path

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from dbshift.dialects import Dialect
    from dbshift.migrations.splitter import Statement

_SECTION = re.compile(r"^--\s*dbshift:([A-Za-z][\w-]*)\s*$")
_PHASES = ("before", "after-up", "after-down")


class FixtureFailed(Exception):
    """A fixture statement failed or an assertion did not hold; ``where`` is file:line."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message


@dataclass(frozen=True)
class Fixture:
    path: Path
    #: SQL fixtures: phase → statements; Python fixtures: empty.
    sections: dict[str, tuple[Statement, ...]]

    def run(self, phase: str, conn: Connection, dialect: Dialect) -> None:
        """Run one phase (``before``, ``after-up``, ``after-down``); raise FixtureFailed."""
        if self.path.suffix == ".py":
            self._run_python(phase, conn, dialect)
            return
        from sqlalchemy.exc import DBAPIError

        raw = conn.execution_options(no_parameters=True)
        for statement in self.sections.get(phase, ()):
            where = f"{display_path(self.path)}:{statement.line}"
            try:
                result = raw.exec_driver_sql(statement.sql)
                row = result.first() if phase != "before" and result.returns_rows else None
            except DBAPIError as exc:
                reason = " ".join(str(exc.orig or exc).split())
                raise FixtureFailed(where, f"{phase} failed: {reason}") from None
            if phase != "before" and (row is None or not _true(row[0])):
                got = "no row" if row is None else repr(row[0])
                first = " ".join(statement.sql.split())[:100]
                raise FixtureFailed(where, f"{phase} assertion does not hold ({got}): {first}")

    def _run_python(self, phase: str, conn: Connection, dialect: Dialect) -> None:
        import importlib.util
        import traceback

        from dbshift.migrations.pyfile import MigrationContext

        spec = importlib.util.spec_from_file_location(
            f"dbshift_fixture_{self.path.stem}", self.path
        )
        if spec is None or spec.loader is None:
            raise MigrationFileError(str(self.path), "cannot be loaded as a Python module")
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
            function = getattr(module, phase.replace("-", "_"), None)
            if function is not None:
                function(MigrationContext(connection=conn, sql_dialect=dialect))
        except Exception as exc:
            line = "?"
            for frame in traceback.extract_tb(exc.__traceback__):
                if Path(frame.filename).resolve() == self.path.resolve():
                    line = str(frame.lineno)
            what = "assertion does not hold" if isinstance(exc, AssertionError) else "failed"
            detail = " ".join(str(exc).split()) or type(exc).__name__
            raise FixtureFailed(
                f"{display_path(self.path)}:{line}", f"{phase} {what}: {detail}"
            ) from None


def _true(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "t", "true", "yes")
    return bool(value)


def find(directory: Path, version: str, dialect: Dialect) -> Fixture | None:
    """The fixture for ``version`` (``007`` and ``7`` match), or None."""
    if not directory.is_dir():
        return None
    for path in sorted(directory.iterdir()):
        if path.suffix not in (".sql", ".py") or not path.stem.isdigit():
            continue
        if int(path.stem) == int(version):
            return load(path, dialect)
    return None


def load(path: Path, dialect: Dialect) -> Fixture:
    if path.suffix == ".py":
        return Fixture(path, {})
    from dbshift.errors import SplitError
    from dbshift.migrations.splitter import split_sql

    parts: dict[str, tuple[int, list[str]]] = {}
    current: str | None = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = _SECTION.match(line.strip())
        if match is None:
            if current is not None:
                parts[current][1].append(line)
            elif line.strip() and not line.strip().startswith("--"):
                raise MigrationFileError(
                    str(path),
                    "SQL before the first '-- dbshift:before' (or after-up, after-down) line",
                    line=number,
                )
            continue
        name = match.group(1)
        if name not in _PHASES or name in parts:
            what = "second" if name in parts else "unknown section"
            raise MigrationFileError(
                str(path), f"{what} 'dbshift:{name}' (sections: {', '.join(_PHASES)})", line=number
            )
        parts[name] = (number + 1, [])
        current = name
    sections = {}
    for name, (first, lines) in parts.items():
        try:
            sections[name] = tuple(split_sql("\n".join(lines), dialect, first_line=first))
        except SplitError as exc:
            raise MigrationFileError(str(path), str(exc), line=exc.line) from None
    return Fixture(path, sections)
