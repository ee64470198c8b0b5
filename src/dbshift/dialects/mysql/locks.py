"""MySQL/MariaDB lock tracing: ask the server which online DDL algorithm it accepts.

Metadata locks cannot be read after the fact: DDL commits implicitly and releases them
when it ends. ``performance_schema.metadata_locks`` is off by default on MariaDB 10.11
(``performance_schema=OFF``) and ``information_schema.METADATA_LOCK_INFO`` needs a plugin
that is not loaded by default; and where either exists, a second session polling it
races a statement that takes milliseconds on an empty scratch table.

What decides whether writers wait is the algorithm and lock level the server picks, and
the server tells exactly that when asked: each ALTER TABLE / CREATE INDEX is run first
with ``ALGORITHM=INSTANT``, then NOCOPY (MariaDB 10.3+), INPLACE and COPY with the
weakest LOCK first. The server picks the same way when the statement names neither (the
most efficient algorithm, then the least locking level), so the first one accepted is what
the plain statement does; a refused attempt (error 1845/1846) changes nothing. A rebuild
gives the table a new InnoDB ``TABLE_ID``, so rewrites are read, not inferred.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from dbshift.dialects.base import Product
from dbshift.dialects.locks import Observation, Step, TableLock, Tracer, timed
from dbshift.dialects.mysql import MySQLDialect

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

# ER_ALTER_OPERATION_NOT_SUPPORTED, ER_ALTER_OPERATION_NOT_SUPPORTED_REASON
_REFUSED = (1845, 1846)
_LEAD = r"^(?:\s+|--[^\n]*\n|#[^\n]*\n|/\*.*?\*/)*"
_NAME = r"(?:`(?:[^`]|``)+`|[\w$]+)(?:\s*\.\s*(?:`(?:[^`]|``)+`|[\w$]+))?"
_ALTER = re.compile(
    _LEAD + rf"ALTER\s+(?:ONLINE\s+)?(?:IGNORE\s+)?TABLE\s+(?:IF\s+EXISTS\s+)?(?P<table>{_NAME})",
    re.I | re.S,
)
_CREATE_INDEX = re.compile(
    _LEAD + r"CREATE\s+(?:OR\s+REPLACE\s+)?(?:ONLINE\s+)?(?:UNIQUE\s+|FULLTEXT\s+|SPATIAL\s+)?"
    rf"INDEX\s+(?:IF\s+NOT\s+EXISTS\s+)?{_NAME}\s+(?:USING\s+\w+\s+)?ON\s+(?P<table>{_NAME})",
    re.I | re.S,
)
# MariaDB 10.11 refuses ALGORITHM/LOCK after DROP INDEX (a syntax error, verified), but it
# is ALTER TABLE ... DROP INDEX inside the server, which takes them.
_DROP_INDEX = re.compile(
    _LEAD + rf"DROP\s+INDEX\s+(?P<exists>IF\s+EXISTS\s+)?(?P<index>{_NAME})\s+ON\s+"
    rf"(?P<table>{_NAME})\s*;?\s*$",
    re.I | re.S,
)
_ALGORITHM = re.compile(r"\bALGORITHM\s*=?\s*(DEFAULT|INSTANT|NOCOPY|INPLACE|COPY)\b", re.I)
_LOCK = re.compile(r"\bLOCK\s*=?\s*(DEFAULT|NONE|SHARED|EXCLUSIVE)\b", re.I)

_LOCK_LEVELS = ("NONE", "SHARED", "EXCLUSIVE")
# Most efficient first, as the server itself chooses. NOCOPY is MariaDB's (10.3+): in
# place without rebuilding the table, where INPLACE may rebuild.
_MARIADB: tuple[tuple[str, str | None], ...] = (
    ("INSTANT", None),
    *((algorithm, lock) for algorithm in ("NOCOPY", "INPLACE") for lock in _LOCK_LEVELS),
    ("COPY", "SHARED"),
    ("COPY", "EXCLUSIVE"),
)
_MYSQL = tuple(candidate for candidate in _MARIADB if candidate[0] != "NOCOPY")
_RANK = {"INSTANT": 0, "NONE": 1, "SHARED": 2, "EXCLUSIVE": 3, "DROP": 3}


class MySQLTracer(Tracer):
    holds_until_commit = False  # every DDL statement commits on its own

    def __init__(self, conn: Connection) -> None:
        from sqlalchemy.exc import DBAPIError

        super().__init__(conn)
        version = str(self.raw.exec_driver_sql("SELECT VERSION()").scalar())
        self.mariadb = MySQLDialect.product_of(version) is Product.MARIADB
        self._ids_from: str | None = None
        self._existing: set[str] = set()
        for view in ("INNODB_SYS_TABLES", "INNODB_TABLES"):  # MariaDB, MySQL 8
            try:
                self.raw.exec_driver_sql(f"SELECT TABLE_ID FROM information_schema.{view} LIMIT 0")  # noqa: S608 - a fixed view name
            except DBAPIError:  # not on this server
                continue
            self._ids_from = view
            break

    def start_migration(self, *, transactional: bool) -> None:
        super().start_migration(transactional=transactional)
        self._existing = set(self._tables())

    def rank(self, mode: str) -> int:
        return _RANK.get(mode.rpartition("=")[2], 0)

    def _trace(self, step: Step) -> Observation:
        from sqlalchemy.exc import DBAPIError

        sql = step.sql
        match = table = None
        if sql is not None:
            dropped = _DROP_INDEX.match(sql)
            if dropped:
                sql = (
                    f"ALTER TABLE {dropped.group('table')} DROP INDEX "
                    f"{dropped.group('exists') or ''}{dropped.group('index')}"
                )
            match = _ALTER.match(sql) or _CREATE_INDEX.match(sql)
            table = _display(match.group("table")) if match else None
        before = self._tables()
        if sql is None or match is None or table is None:
            ms = timed(step.run)
            return self._other(ms, before, self._tables())
        # ALTER TABLE separates its clauses with commas, CREATE INDEX with spaces; on a new
        # line, so that a trailing -- comment cannot swallow them.
        separator = ", " if match.re is _ALTER else " "
        lead = "\n, " if match.re is _ALTER else "\n"
        declared_algorithm = _declared(_ALGORITHM, sql)
        declared_lock = _declared(_LOCK, sql)
        declared = ", ".join(
            f"{what}={value}"
            for what, value in (("ALGORITHM", declared_algorithm), ("LOCK", declared_lock))
            if value
        )
        for algorithm, lock in _MARIADB if self.mariadb else _MYSQL:
            if declared_algorithm and algorithm != declared_algorithm:
                continue
            if declared_lock and lock not in (declared_lock, None):
                continue
            extra = [f"ALGORITHM={algorithm}"] if not declared_algorithm else []
            if lock and not declared_lock:
                extra.append(f"LOCK={lock}")
            attempt = sql.rstrip().rstrip(";") + (lead + separator.join(extra) if extra else "")
            try:
                ms = self._timed_sql(attempt)
            except DBAPIError as exc:
                if _code(exc) not in _REFUSED or not extra:
                    break  # not about the algorithm: the plain statement says what is wrong
                continue
            chosen_lock = lock or declared_lock
            return self._online(
                table, algorithm, chosen_lock, ms, before, declared=declared or None
            )
        ms = self._timed_sql(sql)
        return self._other(ms, before, self._tables(), note="the server took it only as written")

    def _timed_sql(self, sql: str) -> float:
        return timed(lambda: self.raw.exec_driver_sql(sql))

    def _online(
        self,
        table: str,
        algorithm: str,
        lock: str | None,
        ms: float,
        before: dict[str, int | None],
        *,
        declared: str | None,
    ) -> Observation:
        after = self._tables()
        chosen = f"ALGORITHM={algorithm}" + (f", LOCK={lock}" if lock else "")
        mode = "INSTANT" if algorithm == "INSTANT" else f"{algorithm}, LOCK={lock or 'DEFAULT'}"
        level = "INSTANT" if algorithm == "INSTANT" else (lock or "EXCLUSIVE")
        new = table not in self._existing
        rewritten: tuple[str, ...] = _rebuilt(before, after)
        if not rewritten and self._ids_from is None and algorithm == "COPY":
            rewritten = (table,)
        return Observation(
            ms=ms,
            locks=(
                TableLock(
                    table,
                    mode,
                    blocks_reads=level == "EXCLUSIVE" and not new,
                    blocks_writes=level in ("SHARED", "EXCLUSIVE") and not new,
                    new=new,
                ),
            ),
            rewritten=rewritten,
            source="online DDL probe",
            declared=declared,
            chosen=chosen,
        )

    def _other(
        self,
        ms: float,
        before: dict[str, int | None],
        after: dict[str, int | None],
        *,
        note: str | None = None,
    ) -> Observation:
        """Statements without ALGORITHM/LOCK: what appeared and vanished is all we know."""
        appeared = set(after) - set(before)
        renamed = {
            old: new
            for old in set(before) - set(after)
            for new in appeared
            if before[old] is not None and before[old] == after[new]
        }
        locks = [
            TableLock(name, "CREATE", blocks_reads=False, blocks_writes=False, new=True)
            for name in sorted(appeared - set(renamed.values()))
        ]
        # Documented: DROP and RENAME TABLE take an exclusive metadata lock.
        locks += [
            TableLock(
                name,
                f"RENAME TO {renamed[name]}" if name in renamed else "DROP",
                blocks_reads=name in self._existing,
                blocks_writes=name in self._existing,
                new=name not in self._existing,
            )
            for name in sorted(set(before) - set(after))
        ]
        notes = [note] if note else []
        if not locks:
            notes.append("not online DDL: metadata and row locks not traced")
        return Observation(
            ms=ms,
            locks=tuple(locks),
            rewritten=_rebuilt(before, after),
            source="documented" if locks else "",
            notes=tuple(notes),
        )

    def _tables(self) -> dict[str, int | None]:
        """Base tables of the scratch database, with their InnoDB TABLE_ID where known."""
        names = [
            str(name)
            for (name,) in self.raw.exec_driver_sql(
                "SELECT TABLE_NAME FROM information_schema.TABLES "
                "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE'"
            )
        ]
        ids: dict[str, int] = {}
        if self._ids_from is not None:
            database = str(self.raw.exec_driver_sql("SELECT DATABASE()").scalar())
            prefix = f"{_decode(database)}/"
            # The LIKE only narrows the scan (a dev server may hold many databases); the
            # prefix test below is the exact one.
            for name, table_id in self.raw.exec_driver_sql(
                f"SELECT NAME, TABLE_ID FROM information_schema.{self._ids_from} "  # noqa: S608 - a fixed view name
                "WHERE NAME LIKE CONCAT(DATABASE(), '/%')"
            ):
                decoded = _decode(str(name))
                if decoded.startswith(prefix):
                    ids[decoded.removeprefix(prefix)] = int(table_id)
        return {name: ids.get(name) for name in names}


def _rebuilt(before: dict[str, int | None], after: dict[str, int | None]) -> tuple[str, ...]:
    return tuple(
        sorted(
            name
            for name, table_id in after.items()
            if table_id is not None and before.get(name) is not None and before[name] != table_id
        )
    )


def _declared(pattern: re.Pattern[str], sql: str) -> str | None:
    found = pattern.search(sql)
    value = found.group(1).upper() if found else None
    return None if value == "DEFAULT" else value


def _display(name: str) -> str:
    """The table part of a possibly qualified, possibly quoted name."""
    last = re.findall(r"`((?:[^`]|``)+)`|([\w$]+)", name)[-1]
    quoted, bare = last
    return str(quoted or bare).replace("``", "`")


def _decode(name: str) -> str:
    """InnoDB names are file names: other than ASCII letters, digits and ``_`` become
    ``@xxxx`` (hex code point). Non-ASCII letters use another table, not decoded here."""
    return re.sub(r"@([0-9a-f]{4})", lambda m: chr(int(m.group(1), 16)), name)


def _code(exc: BaseException) -> int | None:
    args = getattr(getattr(exc, "orig", None), "args", ())
    return args[0] if args and isinstance(args[0], int) else None


def tracer(conn: Connection) -> Tracer:
    return MySQLTracer(conn)
