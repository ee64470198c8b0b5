"""SQLite lock tracing: one lock for the whole database, rebuilds seen in ``rootpage``.

SQLite locks the database, not tables: every statement of a migration takes the write
lock (``BEGIN IMMEDIATE``), which other writers wait for; readers are not blocked in WAL
mode, and in rollback-journal mode only while the writer commits.

Most schema changes SQLite cannot do with ALTER TABLE are a rebuild spread over several
statements (create a new table, copy, drop the old one, rename the new one into its
place), so no single statement changes a table's ``rootpage``: the statement that puts a
table back under its name with another root page than it had when the migration started
is the one reported as the rewrite.
"""

from __future__ import annotations

import contextlib
import re
from typing import TYPE_CHECKING

from dbshift.dialects.locks import Observation, Step, TableLock, Tracer, timed

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

TABLES_SQL = (
    "SELECT name, rootpage FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
)
WRITE_LOCK = TableLock("(database)", "WRITE", blocks_reads=False, blocks_writes=True)
_PART = r'(?:"(?:[^"]|"")+"|`(?:[^`]|``)+`|\[[^\]]+\]|\w+)'
# SQLite 3.35+ drops a column by rewriting every row in place: the root page stays
# (verified on 3.40.1), so sqlite_master cannot show it; the statement's text does.
_DROP_COLUMN = re.compile(
    rf"^(?:\s+|--[^\n]*\n|/\*.*?\*/)*ALTER\s+TABLE\s+(?:{_PART}\s*\.\s*)?(?P<table>{_PART})"
    r"\s+DROP\s+(?:COLUMN\s+)?",
    re.I | re.S,
)


class SQLiteTracer(Tracer):
    def __init__(self, conn: Connection) -> None:
        super().__init__(conn)
        self._start: dict[str, int] = {}

    def start_migration(self, *, transactional: bool) -> None:
        super().start_migration(transactional=transactional)
        self._start = self._tables()

    def rank(self, mode: str) -> int:
        return 1

    def _trace(self, step: Step) -> Observation:
        from sqlalchemy.exc import DBAPIError

        before = self._tables()
        notes: tuple[str, ...] = ()
        self.raw.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            ms = timed(step.run)
        except DBAPIError as exc:
            with contextlib.suppress(DBAPIError):  # some errors end the transaction themselves
                self.raw.exec_driver_sql("ROLLBACK")
            if "within a transaction" not in str(exc.orig) or self.transactional:
                raise
            # VACUUM (SQLite 3.x: "cannot VACUUM from within a transaction") runs alone.
            ms = timed(step.run)
            notes = ("runs outside a transaction",)
        else:
            self.raw.exec_driver_sql("COMMIT")
        after = self._tables()
        rewritten = []
        for name, root in after.items():
            reference = self._start.get(name, before.get(name))
            if reference is not None and root != reference and before.get(name) != root:
                rewritten.append(name)
        dropped = _DROP_COLUMN.match(step.sql or "")
        if dropped:
            rewritten.append(_unquote(dropped.group("table")))
            notes += ("DROP COLUMN rewrites every row in place (documented)",)
        return Observation(
            ms=ms,
            locks=(WRITE_LOCK,),
            rewritten=tuple(sorted(rewritten)),
            source="database lock",
            notes=notes,
        )

    def _tables(self) -> dict[str, int]:
        return {
            str(name): int(root)
            for name, root in self.raw.exec_driver_sql(TABLES_SQL)
            if not str(name).startswith("sqlite_")  # LIKE's _ matches any character
        }


def _unquote(name: str) -> str:
    if name[0] == "[":
        return name[1:-1]
    if name[0] in '"`':
        return name[1:-1].replace(name[0] * 2, name[0])
    return name


def tracer(conn: Connection) -> Tracer:
    return SQLiteTracer(conn)
