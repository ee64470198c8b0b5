"""SQLite: transactional DDL, ``BEGIN IMMEDIATE`` per migration, a file lock per run.

SQLite has no named locks. Each migration opens with ``BEGIN IMMEDIATE`` (the write lock,
waited for with the busy timeout), and the whole run holds an ``flock`` on a sidecar file
``<database>.dbshift-lock`` so no-transaction migrations and rollbacks are serialised too.
The kernel drops an ``flock`` when its process dies, so a crashed runner never leaves a
stale lock (the failure mode of lock rows). A sidecar file, not the database file itself:
closing any descriptor of the database would drop SQLite's own POSIX locks.
"""

from __future__ import annotations

import os
import re
import time
from typing import TYPE_CHECKING, Any

from dbshift.dialects.base import Dialect, Product
from dbshift.dialects.client_syntax import ClientSyntax
from dbshift.errors import LockTimeoutError

_INTERNAL_TABLE = re.compile(
    r"\s*CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?[\"'`\[]?sqlite_(sequence|stat\d)\b",
    re.IGNORECASE,
)
_FOREIGN_KEYS_OFF = re.compile(
    r"PRAGMA\s+(?:main\s*\.\s*)?foreign_keys\s*=\s*(?:OFF|0|FALSE|NO)", re.IGNORECASE
)

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from dbshift.dialects.locks import Tracer
    from dbshift.dialects.safety import SafetyRules

try:  # Windows has no flock; there the per-migration BEGIN IMMEDIATE still applies.
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]


class SQLiteDialect(Dialect):
    # SQLite keeps identifiers of any length (bounded only by SQLITE_MAX_SQL_LENGTH).
    name = "sqlite"
    products = {Product.SQLITE: (3, 40)}
    sqlglot_name = "sqlite"
    default_driver = "pysqlite"  # the standard library's sqlite3
    version_text_sql = "SELECT sqlite_version()"
    url_schemes = {"sqlite": "sqlite"}
    driver_modules = {"pysqlite": "sqlite3"}
    max_identifier_length = 1_000_000_000
    transactional_ddl = True
    begin_sql = "BEGIN IMMEDIATE"
    # sqlite3_complete()'s rules: `` and [] quote names, trigger bodies hold semicolons.
    # No ALTER TABLE … ADD CONSTRAINT (SQLite 3.x): a foreign key goes in CREATE TABLE.
    foreign_keys_only_in_create_table = True
    # The sqlite3 shell's .dump is how SQLite schemas travel, and it is one transaction
    # (PRAGMA foreign_keys=OFF; BEGIN TRANSACTION; … COMMIT;): a file so made is a
    # migration as it stands.
    unwraps_file_transaction = True
    type_names_are_free_form = True
    client_syntax = ClientSyntax(
        backquoted_identifiers=True, bracketed_identifiers=True, trigger_bodies=True
    )
    database_is_a_file = True
    lock_trace_legend = (
        "locks: SQLite locks the whole database for writing; readers wait only while "
        "it commits (not at all in WAL mode). rewrite: a table back under its name on another "
        "root page. Times are on empty tables."
    )

    # No time type: ISO 8601 text, which sorts as the times do.
    utc_time_type = "text"
    utc_now_sql = "strftime('%Y-%m-%d %H:%M:%f', 'now')"
    locks_whole_database = True
    volatile_functions = frozenset({"random", "randomblob"})

    def driver_connect_args(
        self,
        *,
        connect_timeout: float,
        busy_timeout: float,
        read_timeout: float | None = None,
        driver: str = "",
    ) -> dict[str, Any]:
        # No server to wait for; sqlite3's timeout is how long a write waits for the lock.
        return {"timeout": busy_timeout}

    def lock_tracer(self, conn: Connection) -> Tracer:
        from dbshift.dialects.sqlite.locks import tracer

        return tracer(conn)

    def safety_rules(self) -> SafetyRules:
        from dbshift.dialects.sqlite.safety import RULES

        return RULES

    def __init__(self, url: Any = None) -> None:
        super().__init__(url)
        self._lock_fd: int | None = None

    def _lock_path(self) -> str | None:
        database = self.url.database
        if not database or database == ":memory:" or database.startswith("file:"):
            return None
        return f"{database}.dbshift-lock"

    def acquire_lock(self, conn: Connection, key: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not self.try_lock(conn, key):
            if time.monotonic() >= deadline:
                raise LockTimeoutError(
                    f"migration lock {self._lock_path()} not acquired within {timeout:g}s: "
                    "held by another process",
                    hint="another dbshift run is migrating this database; retry when it ends",
                )
            import random

            time.sleep(random.uniform(0.01, 0.05))

    def try_lock(self, conn: Connection, key: str) -> bool:
        path = self._lock_path()
        if path is None or fcntl is None or self._lock_fd is not None:
            return True
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._lock_fd = fd
        return True

    @staticmethod
    def is_internal_table(name: str) -> bool:
        # SQLite reserves the prefix: CREATE TABLE sqlite_x fails ("object name reserved
        # for internal use"); sqlite_sequence and sqlite_stat1..4 are its counters and
        # planner statistics.
        return name.lower().startswith("sqlite_")

    @staticmethod
    def runnable_form(sql: str) -> str | None:
        # The shell's .schema lists the internal tables ("CREATE TABLE
        # sqlite_sequence(name,seq);"), which SQLite refuses to be given ("object name
        # reserved for internal use", 3.x). sqlite_sequence comes with the first
        # AUTOINCREMENT table, listed before it; the statistics tables are made by ANALYZE,
        # as the shell's own .dump does for them.
        found = _INTERNAL_TABLE.match(sql)
        if found is None:
            return sql
        return None if found[1].lower() == "sequence" else "ANALYZE sqlite_schema"

    @staticmethod
    def in_migration_transaction(sql: str) -> str:
        # A .dump begins "PRAGMA foreign_keys=OFF;" so rows load in table order, children
        # before parents; inside a transaction that PRAGMA is a no-op (SQLite 3.x,
        # pragma.html#pragma_foreign_keys). defer_foreign_keys does the same there and
        # still checks every key at COMMIT, and resets itself when the transaction ends.
        if _FOREIGN_KEYS_OFF.fullmatch(sql.strip().rstrip(";").strip()):
            return "PRAGMA defer_foreign_keys = ON"
        return sql

    def session_state(self, conn: Connection) -> object:
        return conn.exec_driver_sql("PRAGMA foreign_keys").scalar()

    def restore_session(self, conn: Connection, state: object) -> None:
        # A dump's PRAGMA foreign_keys=OFF would otherwise outlive it. PRAGMA takes no
        # parameters; the value is the integer the same PRAGMA returned.
        if isinstance(state, int):
            conn.exec_driver_sql(f"PRAGMA foreign_keys = {int(state)}")

    def release_lock(self, conn: Connection, key: str) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # closing releases the flock
            self._lock_fd = None

    def user_tables(
        self, conn: Connection, *, every_database: bool = False
    ) -> list[tuple[str, str]]:
        rows = conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') "
            "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
        )
        return [("main", str(name)) for (name,) in rows]
