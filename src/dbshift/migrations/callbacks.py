"""Callback files in ``migrations/callbacks/``, named as Flyway names them.

``<event>.sql`` or ``<event>__<description>.sql`` (or ``.py`` with ``def run(ctx)``); several
files for one event run in name order. A SQL callback is plain SQL (no ``-- dbshift:up``
line: it has no down), split like a migration, with ``${name}`` placeholders. Callbacks are
not migrations: they have no history row and are not in ``dbshift.sum``, because they run
every time (grants, ``ANALYZE``, refreshing a materialized view) rather than once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from dbshift.errors import MigrationFileError, SplitError
from dbshift.migrations.placeholders import protect, restore, substitute
from dbshift.migrations.splitter import Statement, split_sql

if TYPE_CHECKING:
    from dbshift.dialects import Dialect

DIRECTORY = "callbacks"
#: Flyway's names for the events ``migrate`` raises, in the order they can happen.
EVENTS = (
    "beforeMigrate",
    "beforeEachMigrate",
    "afterEachMigrate",
    "afterEachMigrateError",
    "afterMigrate",
    "afterMigrateError",
)
_NAME = re.compile(r"^(?P<event>[A-Za-z]+)(?:__(?P<description>.+))?\.(?P<ext>sql|py)$")


@dataclass(frozen=True)
class Callback:
    event: str
    path: Path
    #: SQL callbacks: the statements, placeholders replaced. Python ones: empty.
    statements: tuple[Statement, ...] = ()

    @property
    def is_python(self) -> bool:
        return self.path.suffix == ".py"


def load_callbacks(
    migrations_dir: Path, dialect: Dialect, placeholders: Mapping[str, str]
) -> dict[str, list[Callback]]:
    """Callbacks by event; an unknown event name is a file error (a typo would never run)."""
    directory = migrations_dir / DIRECTORY
    found: dict[str, list[Callback]] = {}
    if not directory.is_dir():
        return found
    for path in sorted(directory.iterdir(), key=lambda p: p.name):
        if path.name.startswith((".", "_")) or path.suffix not in (".sql", ".py"):
            continue
        match = _NAME.match(path.name)
        if match is None or match.group("event") not in EVENTS:
            raise MigrationFileError(
                str(path),
                "not a callback name: expected <event>.sql, <event>__<description>.sql "
                f"or .py, where <event> is one of {', '.join(EVENTS)}",
            )
        event = match.group("event")
        statements: tuple[Statement, ...] = ()
        if path.suffix == ".sql":
            statements = _statements(path, dialect, placeholders)
        found.setdefault(event, []).append(Callback(event, path, statements))
    return found


def _statements(
    path: Path, dialect: Dialect, placeholders: Mapping[str, str]
) -> tuple[Statement, ...]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MigrationFileError(str(path), f"not UTF-8 text (byte {exc.start})") from None
    try:
        split = split_sql(protect(text), dialect)
    except SplitError as exc:
        raise MigrationFileError(str(path), str(exc), line=exc.line) from None
    return tuple(
        Statement(
            sql=substitute(restore(s.sql), placeholders, path=str(path), line=s.line),
            line=s.line,
        )
        for s in split
    )
