"""MySQL and MariaDB: DDL commits implicitly, so the runner journals each statement."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from dbshift.dialects.base import Dialect, LockHolder, Product, TableLocks
from dbshift.dialects.client_syntax import ClientSyntax
from dbshift.errors import LockTimeoutError

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from dbshift.dialects.locks import Tracer
    from dbshift.dialects.safety import SafetyRules

# Statements that "cause an implicit commit" before they run (MySQL 8.0 reference 15.3.3,
# MariaDB "SQL statements that cause an implicit commit"): DDL, except the TEMPORARY
# table forms, which commit nothing. Comments before the verb are skipped.
_IMPLICIT_COMMIT = re.compile(
    r"(?:\s+|--[^\n]*\n|#[^\n]*\n|/\*.*?\*/)*"
    r"(?:(create|drop)\s+temporary\b|(create|alter|drop|rename|truncate)\b)",
    re.I | re.S,
)

#: ``LOCK TABLE(S) …`` and ``UNLOCK TABLE(S)``, as mysqldump wraps each table's rows in
#: them; comments before the verb skipped.
_TABLE_LOCKS = re.compile(
    r"(?:\s+|--[^\n]*\n|#[^\n]*\n|/\*.*?\*/)*(un)?lock\s+tables?\b", re.I | re.S
)


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
    # MariaDB 10.11 as on the test server; MySQL 8.0 at its latest patch level.
    products = {Product.MYSQL: (8, 0, 36), Product.MARIADB: (10, 11)}
    sqlglot_name = "mysql"  # MariaDB too: sqlglot 30 has no dialect of its own for it
    default_driver = "pymysql"  # pure Python: mysqlclient needs C headers to build
    url_schemes = {"mysql": "mysql", "mariadb": "mariadb"}
    driver_modules = {
        "pymysql": "pymysql",
        "mysqldb": "MySQLdb",
        "mysqlconnector": "mysql.connector",
    }
    driver_extra = "mysql"
    quote_char = "`"
    # The default sql_mode lacks NO_BACKSLASH_ESCAPES, so \ escapes inside '…'.
    backslash_escapes = True
    # MySQL 8.0 and MariaDB 10.x: 64 characters for tables, columns, indexes, constraints.
    max_identifier_length = 64
    transactional_ddl = False
    databases_are_schemas = True
    databases_have_a_default_collation = True
    ddl_commits_implicitly = True
    raw_bytes_in_literals = True
    # PyMySQL's default, the session dbshift inspects and migrates with.
    script_encoding = "SET NAMES utf8mb4"
    # mysql://host/ connects with no current database (DATABASE() is NULL).
    url_must_name_database = True
    # TEXT is 2^16 - 1 bytes (MEDIUMTEXT, LONGTEXT hold more), MySQL 8.0 and MariaDB 10.x.
    text_is_unbounded = False
    # The mysql client's rules (MySQL 8.0 and MariaDB 10.x, default sql_mode).
    client_syntax = ClientSyntax(
        delimiter_command=True,
        hash_comments=True,
        dash_comment_needs_space=True,
        executable_comments=True,
        backslash_escapes=True,
        double_quotes_are_strings=True,
        backquoted_identifiers=True,
    )
    lock_trace_legend = (
        "locks: the first ALGORITHM/LOCK the server accepted (INSTANT, NOCOPY, INPLACE, "
        "COPY; weakest LOCK first), which is what it picks by default; each also waits for open "
        "transactions on the table (metadata lock). rewrite: a new InnoDB TABLE_ID. Times are on "
        "empty tables."
    )

    # A TEXT column cannot be a key without a prefix length; LONGTEXT holds 4 GiB.
    key_text_type = "varchar(255)"
    long_text_type = "longtext"
    utc_time_type = "datetime(6)"
    utc_now_sql = "UTC_TIMESTAMP(6)"
    restates_column_to_alter = True
    # Metadata locks, what DDL waits for (innodb_lock_wait_timeout is for row locks).
    lock_timeout_setting = "lock_wait_timeout"
    # MariaDB 10.11 checked on the test server; MySQL 8.0 from its documentation.
    default_lock_wait = {
        Product.MYSQL: "for up to lock_wait_timeout's default of 31536000 s (a year)",
        Product.MARIADB: "for up to lock_wait_timeout's default of 86400 s (a day)",
    }
    # Per-call values (MySQL 8.0 and MariaDB 10.11 allow them as expression defaults).
    volatile_functions = frozenset({"rand", "uuid", "uuid_short", "sysdate"})

    @classmethod
    def product_of(cls, version: str) -> Product:
        # MariaDB says so in its version ("10.11.6-MariaDB-1:10.11.6+maria~ubu2204");
        # MySQL's is bare digits and a suffix ("8.0.36", "8.0.36-log").
        return Product.MARIADB if "mariadb" in version.lower() else Product.MYSQL

    def driver_connect_args(
        self,
        *,
        connect_timeout: float,
        busy_timeout: float,
        read_timeout: float | None = None,
        driver: str = "",
    ) -> dict[str, Any]:
        # PyMySQL and mysqlclient bound each read (the handshake's too, which
        # connect_timeout does not cover in PyMySQL) and each write themselves.
        args = super().driver_connect_args(
            connect_timeout=connect_timeout, busy_timeout=busy_timeout
        )
        if read_timeout is None or not _bounds_reads(driver):
            return args
        seconds = max(1, round(read_timeout))
        return {**args, "read_timeout": seconds, "write_timeout": seconds}

    def generated_constraint_name(self, table: str, kind: str, name: str) -> bool:
        # <table>_ibfk_<n>: InnoDB's count of the table's foreign keys; checks: MariaDB's
        # CONSTRAINT_<n>, MySQL 8's <table>_chk_<n>.
        if kind == "foreign_key":
            return re.fullmatch(rf"{re.escape(table)}_ibfk_\d+", name) is not None
        if kind == "check":
            return re.fullmatch(rf"CONSTRAINT_\d+|{re.escape(table)}_chk_\d+", name) is not None
        return False

    def create_database_sql(self, name: str, collation: str | None = None) -> str:
        # The character set is the collation's own.
        made = super().create_database_sql(name)
        return f"{made} COLLATE {self.quote(collation)}" if collation else made

    def drop_schema_sql(self, name: str) -> str:
        # A MySQL schema is a database; DROP DATABASE takes no CASCADE.
        return f"DROP DATABASE IF EXISTS {self.quote(name)}"

    load_metrics = frozenset({"running", "lock_waits", "replica_lag"})

    def load_sample(self, conn: Connection) -> dict[str, float]:
        from dbshift.dialects.mysql.load import sample

        return sample(conn)

    def blocked_writers(self, conn: Connection) -> tuple[int, float] | None:
        from dbshift.dialects.mysql.load import blocked

        return blocked(conn)

    def lock_tracer(self, conn: Connection) -> Tracer:
        from dbshift.dialects.mysql.locks import tracer

        return tracer(conn)

    def safety_rules(self) -> SafetyRules:
        from dbshift.dialects.mysql.safety import RULES

        return RULES

    @staticmethod
    def table_lock_effect(sql: str) -> TableLocks | None:
        found = _TABLE_LOCKS.match(sql)
        if found is None:
            return None
        return TableLocks.RELEASED if found.group(1) else TableLocks.TAKEN

    @staticmethod
    def commits_before(sql: str) -> bool:
        found = _IMPLICIT_COMMIT.match(sql)
        return found is not None and found.group(2) is not None

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

    def set_autocommit(self, conn: Connection, *, on: bool) -> None:
        conn.exec_driver_sql(f"SET autocommit = {1 if on else 0:d}")

    def set_lock_timeout(self, conn: Connection, seconds: float | None) -> None:
        # lock_wait_timeout (metadata locks, what DDL waits for) is whole seconds, >= 1.
        if seconds is None:
            conn.exec_driver_sql("SET SESSION lock_wait_timeout = DEFAULT")
        else:
            value = max(1, round(seconds))
            conn.exec_driver_sql(f"SET SESSION lock_wait_timeout = {value:d}")

    def is_lock_timeout(self, exc: BaseException) -> bool:
        # 1205 ER_LOCK_WAIT_TIMEOUT: a metadata lock (lock_wait_timeout) or a row lock
        # (innodb_lock_wait_timeout) was not granted in time.
        args = tuple(getattr(getattr(exc, "orig", exc), "args", ()))
        return bool(args) and args[0] == 1205

    def lock_holders(self, conn: Connection) -> list[str]:
        # An open InnoDB transaction holds the metadata locks of every table it touched.
        rows = conn.exec_driver_sql(
            "SELECT p.ID, p.USER, p.HOST, p.COMMAND, "
            "TIMESTAMPDIFF(SECOND, t.trx_started, NOW()), LEFT(COALESCE(p.INFO, ''), 80) "
            "FROM information_schema.INNODB_TRX t "
            "JOIN information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id "
            "WHERE p.ID <> CONNECTION_ID() ORDER BY t.trx_started LIMIT 5"
        ).all()
        return [
            f"connection {cid} ({user}@{host}, {command}, transaction open for {secs}s"
            + (f": {' '.join(str(info).split())})" if info else ")")
            for cid, user, host, command, secs, info in rows
        ]

    def session_activity(self, conn: Connection, session: int) -> str | None:
        row = conn.exec_driver_sql(
            "SELECT COMMAND, TIME, LEFT(COALESCE(INFO, ''), 80) "
            "FROM information_schema.PROCESSLIST WHERE ID = %s",
            (session,),
        ).first()
        if row is None:
            return None
        command, secs, info = row
        return f"{command} for {secs}s" + (f": {' '.join(str(info).split())}" if info else "")

    def kill_session(self, conn: Connection, session: int) -> None:
        conn.exec_driver_sql(f"KILL CONNECTION {int(session):d}")

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


def _bounds_reads(driver: str) -> bool:
    """Whether the driver takes ``read_timeout``/``write_timeout``: PyMySQL and mysqlclient
    do; mysql-connector-python only from 9.0 (8.x refuses the connection: "Unsupported
    argument 'read_timeout'"), so before it a replica probe goes unbounded rather than
    failing on every connection."""
    if driver != "mysqlconnector":
        return True
    from importlib.metadata import PackageNotFoundError, version

    try:
        major = version("mysql-connector-python").split(".")[0]
    except PackageNotFoundError:
        return False
    return major.isdigit() and int(major) >= 9
