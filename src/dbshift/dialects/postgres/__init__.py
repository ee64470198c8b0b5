"""PostgreSQL: transactional DDL, session advisory lock, lock holder reporting."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dbshift.dialects.base import Dialect
from dbshift.errors import LockTimeoutError

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection


class PostgresDialect(Dialect):
    name = "postgresql"
    transactional_ddl = True
    # A commit need not wait for its WAL to reach disk on a database dropped afterwards.
    scratch_session_sql = ("SET synchronous_commit TO off",)
    # psycopg sends a parameterless string with several statements in one round trip.
    multi_statement = True
    supports_history_schema = True

    def acquire_lock(self, conn: Connection, key: str, timeout: float) -> None:
        """A session-level advisory lock, waited for under ``lock_timeout``.

        Session-level (not ``pg_advisory_xact_lock``) so it survives our per-migration
        COMMITs, and it is taken outside any transaction so ``CREATE INDEX CONCURRENTLY``
        in a no-transaction migration does not wait on our own snapshot (Flyway 9.1.2's
        transactional lock deadlocked exactly there). Waiting in the server instead of
        polling hands the lock over the moment it is released.
        """
        from sqlalchemy.exc import OperationalError

        number = self.lock_key_int(key)
        conn.exec_driver_sql(
            "SELECT set_config('lock_timeout', %s, false)", (f"{max(1, int(timeout * 1000))}ms",)
        )
        try:
            conn.exec_driver_sql("SELECT pg_advisory_lock(%s)", (number,))
        except OperationalError as exc:
            if getattr(exc.orig, "sqlstate", None) != "55P03":
                raise
            holder = self._holder(conn, number)
            raise LockTimeoutError(
                f"migration lock not acquired within {timeout:g}s: held by {holder}",
                hint="another dbshift run is migrating this database; retry when it ends",
            ) from None
        finally:
            conn.exec_driver_sql("RESET lock_timeout")

    def try_lock(self, conn: Connection, key: str) -> bool:
        number = self.lock_key_int(key)
        return bool(conn.exec_driver_sql("SELECT pg_try_advisory_lock(%s)", (number,)).scalar())

    def release_lock(self, conn: Connection, key: str) -> None:
        conn.exec_driver_sql("SELECT pg_advisory_unlock(%s)", (self.lock_key_int(key),))

    def _holder(self, conn: Connection, number: int) -> str:
        # pg_locks splits a bigint advisory key into classid (high) and objid (low) halves.
        unsigned = number & 0xFFFFFFFFFFFFFFFF
        row = conn.exec_driver_sql(
            "SELECT a.pid, a.usename, a.application_name, a.client_addr::text "
            "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted "
            "AND l.classid::bigint = %s AND l.objid::bigint = %s",
            (unsigned >> 32, unsigned & 0xFFFFFFFF),
        ).first()
        if row is None:
            return "another session (it has released it since)"
        pid, user, app, addr = row
        return f"pid {pid} ({user}@{addr or 'local'}, application {app or '?'})"

    def describe_error(self, exc: BaseException) -> str:
        orig = getattr(exc, "orig", None) or exc
        diag = getattr(orig, "diag", None)
        primary = getattr(diag, "message_primary", None) if diag is not None else None
        code = getattr(orig, "sqlstate", None)
        if primary:
            return f"{primary} (SQLSTATE {code})" if code else str(primary)
        return super().describe_error(exc)

    def default_schema(self, conn: Connection) -> str | None:
        return str(conn.exec_driver_sql("SELECT current_schema()").scalar())
