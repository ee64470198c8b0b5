"""PostgreSQL: transactional DDL, session advisory lock, lock holder reporting."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from dbshift.dialects.base import Dialect, LockHolder, Product
from dbshift.dialects.client_syntax import ClientSyntax
from dbshift.dialects.postgres.volatile import VOLATILE_FUNCTIONS
from dbshift.errors import LockTimeoutError

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from dbshift.dialects.locks import Tracer
    from dbshift.dialects.safety import SafetyRules


class PostgresDialect(Dialect):
    name = "postgresql"
    products = {Product.POSTGRESQL: (15,)}
    sqlglot_name = "postgres"
    default_driver = "psycopg"  # psycopg 3: psycopg2 needs C headers to build
    url_schemes = {"postgresql": "postgresql", "postgres": "postgresql"}
    driver_modules = {"psycopg": "psycopg", "psycopg2": "psycopg2"}
    driver_extra = "postgres"
    # NAMEDATALEN - 1: longer names are truncated silently, with only a NOTICE.
    max_identifier_length = 63
    identifier_limit_in_bytes = True
    transactional_ddl = True
    # A commit need not wait for its WAL to reach disk on a database dropped afterwards.
    scratch_session_sql = ("SET synchronous_commit TO off",)
    # psycopg sends a parameterless string with several statements in one round trip.
    multi_statement = True
    supports_history_schema = True
    has_namespaces = True
    # server_version_num, e.g. 150004: which safe forms exist (NOT VALID checks, 11+ fast
    # defaults, 12+ REINDEX CONCURRENTLY) depends on the release.
    planner_version_sql = "SELECT current_setting('server_version_num')::int"
    version_text_sql = "SHOW server_version"
    # psql's rules: E'' and $$ strings, nested comments, meta-commands, BEGIN ATOMIC bodies.
    client_syntax = ClientSyntax(
        escape_string_prefix=True,
        dollar_quoting=True,
        parentheses_hold_semicolons=True,
        begin_atomic_routines=True,
        nested_block_comments=True,
        psql_meta_commands=True,
    )
    # CREATE INDEX CONCURRENTLY that fails or is cancelled keeps its INVALID index.
    interrupted_index_builds_leave_invalid_index = True
    lock_trace_legend = (
        "locks: pg_locks of the scratch session after each statement; rewrite: the "
        "table got a new relfilenode. Times are on empty tables."
    )

    utc_time_type = "timestamptz"
    utc_now_sql = "now()"
    volatile_functions = VOLATILE_FUNCTIONS
    nonblocking_forms = True
    lock_timeout_setting = "lock_timeout"
    # Checked on PostgreSQL 15.
    default_lock_wait = {
        Product.POSTGRESQL: "with no limit (PostgreSQL's default lock_timeout is 0)",
    }

    load_metrics = frozenset({"running", "lock_waits", "replica_lag"})
    primary_sees_replica_lag = True

    def generated_constraint_name(self, table: str, kind: str, name: str) -> bool:
        # <table>_<columns>_fkey / _check, a number added where that name is taken
        # (<table>_check, <table>_check1 for two table checks), all cut to 63 bytes.
        suffix = {"foreign_key": "fkey", "check": "check"}.get(kind)
        if suffix is None or not name.startswith(table[:16]):
            return False
        return re.search(rf"_{suffix}\d*$", name) is not None

    def load_sample(self, conn: Connection) -> dict[str, float]:
        from dbshift.dialects.postgres.load import sample

        return sample(conn)

    def blocked_writers(self, conn: Connection) -> tuple[int, float] | None:
        from dbshift.dialects.postgres.load import blocked

        return blocked(conn)

    def copy_in(self, conn: Connection, sql: str, data: str) -> None:
        # Through the driver's COPY protocol: libpq has no other way to send the rows, and
        # the driver's error comes back as SQLAlchemy's, as any statement's would.
        from sqlalchemy.exc import DBAPIError

        raw: Any = conn.connection.dbapi_connection
        module: Any = conn.dialect.dbapi
        cursor = raw.cursor()
        try:
            if hasattr(cursor, "copy"):  # psycopg 3
                with cursor.copy(sql) as copy:
                    copy.write(data)
            else:  # psycopg2
                import io

                cursor.copy_expert(sql, io.StringIO(data))
        except module.Error as exc:
            raise DBAPIError.instance(sql, None, exc, module.Error) from exc
        finally:
            cursor.close()

    def driver_connect_args(
        self,
        *,
        connect_timeout: float,
        busy_timeout: float,
        read_timeout: float | None = None,
        driver: str = "",
    ) -> dict[str, Any]:
        # application_name: pg_stat_activity shows which sessions are dbshift's. libpq's
        # connect_timeout bounds the whole handshake; reads after it, read_deadline.
        args = super().driver_connect_args(
            connect_timeout=connect_timeout, busy_timeout=busy_timeout
        )
        return {**args, "application_name": "dbshift"}

    @contextlib.contextmanager
    def read_deadline(self, conn: Connection, seconds: float) -> Iterator[list[bool]]:
        # libpq has no read timeout (statement_timeout needs a server that still runs
        # statements): a timer shuts the socket down, which ends a blocked read at once.
        raw: Any = conn.connection.dbapi_connection
        pgconn = getattr(raw, "pgconn", None)  # psycopg 3; psycopg2 has fileno()
        fd = int(pgconn.socket if pgconn is not None else raw.fileno())
        struck: list[bool] = []
        # Our own descriptor of this socket, taken now: by the time the timer fires, the
        # caller may have closed the connection and a new one may hold the same number.
        shared = socket.socket(fileno=os.dup(fd))

        def strike() -> None:
            struck.append(True)
            with contextlib.suppress(OSError):
                shared.shutdown(socket.SHUT_RDWR)

        timer = threading.Timer(seconds, strike)
        timer.daemon = True
        timer.start()
        try:
            yield struck
        finally:
            timer.cancel()
            timer.join()  # a strike under way ends before its socket is closed
            shared.close()

    def drop_database_sql(self, name: str) -> str:
        # WITH (FORCE), PostgreSQL 13+: ends the sessions still connected to it, which
        # would otherwise make the drop fail.
        return f"{super().drop_database_sql(name)} WITH (FORCE)"

    def lock_tracer(self, conn: Connection) -> Tracer:
        from dbshift.dialects.postgres.locks import tracer

        return tracer(conn)

    def safety_rules(self) -> SafetyRules:
        from dbshift.dialects.postgres.safety import RULES

        return RULES

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
        row = self._holder_row(conn, number)
        if row is None:
            return "another session (it has released it since)"
        pid, user, app, addr, _ = row
        return f"pid {pid} ({user or '?'}@{addr or 'local'}, application {app or '?'})"

    def _holder_row(self, conn: Connection, number: int) -> Any:
        # pg_locks splits a bigint advisory key into classid (high) and objid (low) halves.
        unsigned = number & 0xFFFFFFFFFFFFFFFF
        return conn.exec_driver_sql(
            "SELECT l.pid, a.usename, a.application_name, a.client_addr::text, "
            "coalesce(a.xact_start, a.query_start, a.backend_start) AT TIME ZONE 'UTC' "
            "FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted "
            "AND l.classid::bigint = %s AND l.objid::bigint = %s",
            (unsigned >> 32, unsigned & 0xFFFFFFFF),
        ).first()

    def session_id(self, conn: Connection) -> int | None:
        return int(conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())

    def cancel_sql(self, session_id: int) -> str | None:
        return f"SELECT pg_cancel_backend({int(session_id)})"

    def lock_holder(self, conn: Connection, key: str) -> LockHolder | None:
        row = self._holder_row(conn, self.lock_key_int(key))
        if row is None:
            return None
        pid, _, app, _, since = row  # app and since are NULL for sessions we may not see
        return LockHolder(pid=int(pid), since=since, label=app or "")

    def label_session(self, conn: Connection, label: str) -> None:
        # application_name is shown in pg_stat_activity as soon as it is set, while the
        # migration's own history row stays invisible until its transaction commits.
        # At most 63 bytes (NAMEDATALEN - 1): longer values are cut by the server.
        conn.exec_driver_sql("SELECT set_config('application_name', %s, false)", (label[:63],))

    def user_tables(
        self, conn: Connection, *, every_database: bool = False
    ) -> list[tuple[str, str]]:
        # Tables an extension created (PostGIS's spatial_ref_sys, ...) belong to it.
        rows = conn.exec_driver_sql(
            "SELECT n.nspname, c.relname FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') "
            "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
            "AND n.nspname NOT LIKE 'pg\\_%%' "
            "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass "
            "AND d.objid = c.oid AND d.deptype = 'e') "
            "ORDER BY 1, 2"
        )
        return [(str(schema), str(name)) for schema, name in rows]

    def set_lock_timeout(self, conn: Connection, seconds: float | None) -> None:
        if seconds is None:
            conn.exec_driver_sql("RESET lock_timeout")
        else:
            value = f"{max(1, round(seconds * 1000))}ms"
            conn.exec_driver_sql("SELECT set_config('lock_timeout', %s, false)", (value,))

    def is_lock_timeout(self, exc: BaseException) -> bool:
        # 55P03 lock_not_available: lock_timeout expired (or NOWAIT).
        return getattr(getattr(exc, "orig", exc), "sqlstate", None) == "55P03"

    def lock_holders(self, conn: Connection) -> list[str]:
        rows = conn.exec_driver_sql(
            "SELECT a.pid, a.usename, a.application_name, a.state, "
            "extract(epoch FROM now() - coalesce(a.xact_start, a.query_start))::int, "
            "left(regexp_replace(a.query, '\\s+', ' ', 'g'), 80) "
            "FROM pg_stat_activity a WHERE a.pid IN ("
            "  SELECT l.pid FROM pg_locks l WHERE l.granted AND l.locktype = 'relation' "
            "  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()))"
            " AND a.pid <> pg_backend_pid() ORDER BY 5 DESC NULLS LAST LIMIT 5"
        ).all()
        return [
            f"pid {pid} ({user}, application {app or '?'}, {state} for {secs}s: {query})"
            for pid, user, app, state, secs, query in rows
        ]

    def session_activity(self, conn: Connection, session: int) -> str | None:
        row = conn.exec_driver_sql(
            "SELECT state, extract(epoch FROM now() - query_start)::int, "
            "left(regexp_replace(query, '\\s+', ' ', 'g'), 80) "
            "FROM pg_stat_activity WHERE pid = %s",
            (session,),
        ).first()
        if row is None:
            return None
        state, secs, query = row
        return f"{state} for {secs}s: {query}"

    def kill_session(self, conn: Connection, session: int) -> None:
        conn.exec_driver_sql("SELECT pg_terminate_backend(%s)", (session,))

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

    def history_schema(self, conn: Connection) -> str | None:
        schema = conn.exec_driver_sql("SELECT current_schema()").scalar()
        return None if schema is None else str(schema)

    def session_state(self, conn: Connection) -> object:
        """The settings the session itself set before the first migration (dbshift's own
        or a caller's): ``RESET ALL`` returns to the connection's defaults (server,
        database, role and URL ``options``), and these are set again after it."""
        rows = conn.exec_driver_sql(
            "SELECT name, current_setting(name) FROM pg_settings "
            "WHERE source = 'session' AND name NOT IN ('role', 'session_authorization')"
        ).all()
        return tuple((str(name), str(value)) for name, value in rows)

    def restore_session(self, conn: Connection, state: object) -> None:
        # Not DISCARD ALL: it would also release the migration lock (advisory locks),
        # drop temporary tables and deallocate the driver's prepared statements. Role and
        # session authorization are outside RESET ALL (GUC_NO_RESET_ALL); resetting the
        # authorization resets the role too, and either form is allowed to any user.
        # One round trip (no parameters: psycopg sends both in one simple query).
        conn.execution_options(no_parameters=True).exec_driver_sql(
            "RESET SESSION AUTHORIZATION; RESET ALL"
        )
        for name, value in state if isinstance(state, tuple) else ():
            conn.exec_driver_sql("SELECT set_config(%s, %s, false)", (name, value))
