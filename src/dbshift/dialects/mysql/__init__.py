"""MySQL and MariaDB: DDL commits implicitly, so the runner journals each statement."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dbshift.dialects.base import Dialect
from dbshift.errors import LockTimeoutError

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection


#: Session variables a migration may change that alter how the next one runs.
_SESSION_VARIABLES = (
    "sql_mode",
    "time_zone",
    "foreign_key_checks",
    "unique_checks",
    "sql_notes",
    "character_set_client",
    "character_set_results",
    "collation_connection",
    "lock_wait_timeout",
    "innodb_lock_wait_timeout",
    "autocommit",
)


class MySQLDialect(Dialect):
    name = "mysql"
    transactional_ddl = False

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

    def history_schema(self, conn: Connection) -> str | None:
        database = conn.exec_driver_sql("SELECT DATABASE()").scalar()
        return None if database is None else str(database)

    def session_state(self, conn: Connection) -> object:
        """The variables dump files and migrations change (``mysqldump`` sets sql_mode,
        time_zone, the character sets, foreign and unique checks, sql_notes) and the
        current database (``USE``)."""
        row = conn.exec_driver_sql(
            "SELECT " + ", ".join(f"@@SESSION.{name}" for name in _SESSION_VARIABLES)
        ).one()
        return (dict(zip(_SESSION_VARIABLES, row, strict=True)), self.history_schema(conn))

    def restore_session(self, conn: Connection, state: object) -> None:
        if not isinstance(state, tuple):
            return
        values, database = state
        if database is not None:
            conn.exec_driver_sql(f"USE {self.quote_ident(database)}")
        # character_set_client before collation_connection: each SET NAMES-like variable
        # is applied left to right, and the collation fixes the connection's charset.
        assignments = ", ".join(f"SESSION {name} = %s" for name in values)
        conn.exec_driver_sql(f"SET {assignments}", tuple(values.values()))

    def describe_error(self, exc: BaseException) -> str:
        orig = getattr(exc, "orig", None) or exc
        args: tuple[object, ...] = tuple(getattr(orig, "args", ()))
        if len(args) == 2 and isinstance(args[0], int):
            return f"{' '.join(str(args[1]).split())} (error {args[0]})"
        return super().describe_error(exc)
