"""MySQL and MariaDB: DDL commits implicitly, so the runner journals each statement."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dbshift.dialects.base import Dialect, LockHolder
from dbshift.errors import LockTimeoutError

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection


class MySQLDialect(Dialect):
    name = "mysql"
    transactional_ddl = False
    databases_are_schemas = True

    def _lock_name(self, key: str) -> str:
        # GET_LOCK names are server-wide and at most 64 characters (MySQL 5.7+).
        return f"dbshift:{self.lock_key_int(key) & 0xFFFFFFFFFFFFFFFF:016x}"

    def acquire_lock(self, conn: Connection, key: str, timeout: float) -> None:
        name = self._lock_name(key)
        got = conn.exec_driver_sql("SELECT GET_LOCK(%s, %s)", (name, max(0.0, timeout))).scalar()
        if got != 1:
            holder = conn.exec_driver_sql("SELECT IS_USED_LOCK(%s)", (name,)).scalar()
            who = f"connection id {holder}" if holder is not None else "another session"
            raise LockTimeoutError(
                f"migration lock not acquired within {timeout:g}s: held by {who}",
                hint="another dbshift run is migrating this database; retry when it ends",
            )

    def try_lock(self, conn: Connection, key: str) -> bool:
        return conn.exec_driver_sql("SELECT GET_LOCK(%s, 0)", (self._lock_name(key),)).scalar() == 1

    def release_lock(self, conn: Connection, key: str) -> None:
        conn.exec_driver_sql("SELECT RELEASE_LOCK(%s)", (self._lock_name(key),))

    def session_id(self, conn: Connection) -> int | None:
        return int(conn.exec_driver_sql("SELECT CONNECTION_ID()").scalar_one())

    def cancel_sql(self, session_id: int) -> str | None:
        # KILL QUERY, not KILL: the statement stops, and the session ends with our socket,
        # releasing GET_LOCK. Without it the server keeps running a statement whose
        # client has gone (a SLEEP(20) runs its 20 s) and holds the migration lock.
        return f"KILL QUERY {int(session_id)}"

    def lock_holder(self, conn: Connection, key: str) -> LockHolder | None:
        holder = conn.exec_driver_sql("SELECT IS_USED_LOCK(%s)", (self._lock_name(key),)).scalar()
        if holder is None:
            return None
        # PROCESSLIST shows other users' sessions only with the PROCESS privilege.
        since = conn.exec_driver_sql(
            "SELECT UTC_TIMESTAMP() - INTERVAL TIME SECOND "
            "FROM information_schema.PROCESSLIST WHERE ID = %s",
            (holder,),
        ).scalar()
        return LockHolder(pid=int(holder), since=since)

    def user_tables(
        self, conn: Connection, *, every_database: bool = False
    ) -> list[tuple[str, str]]:
        if every_database:
            rows = conn.exec_driver_sql(
                "SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES WHERE "
                "TABLE_SCHEMA NOT IN ('mysql', 'information_schema', 'performance_schema', "
                "'sys') ORDER BY 1, 2"
            )
        else:
            rows = conn.exec_driver_sql(
                "SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES "
                "WHERE TABLE_SCHEMA = DATABASE() ORDER BY 1, 2"
            )
        return [(str(schema), str(name)) for schema, name in rows]

    def describe_error(self, exc: BaseException) -> str:
        orig = getattr(exc, "orig", None) or exc
        args: tuple[object, ...] = tuple(getattr(orig, "args", ()))
        if len(args) == 2 and isinstance(args[0], int):
            return f"{' '.join(str(args[1]).split())} (error {args[0]})"
        return super().describe_error(exc)
