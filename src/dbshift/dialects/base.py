"""The contract every server module fulfils: quoting, transactions, locks, error text."""

from __future__ import annotations

import contextlib
import enum
import functools
import re
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from dbshift.frozen import frozen

if TYPE_CHECKING:
    from sqlalchemy.engine import URL, Connection
    from sqlalchemy.engine.interfaces import Dialect as SADialect

    from dbshift.dialects.client_syntax import ClientSyntax
    from dbshift.dialects.locks import Tracer
    from dbshift.dialects.render import Renderer
    from dbshift.dialects.safety import SafetyRules
    from dbshift.ops import Operation, Safety


class Product(enum.Enum):
    """A server product: MySQL and MariaDB share a dialect (``MySQLDialect``) but not every
    answer (which ALTER forms are INSTANT, default lock waits)."""

    POSTGRESQL = "postgresql"
    MYSQL = "mysql"
    MARIADB = "mariadb"
    SQLITE = "sqlite"


@frozen
class LockHolder:
    """The session holding the migration lock, as the server reports it."""

    pid: int
    #: When its current transaction (else its current statement) started, UTC, naive.
    since: datetime | None
    #: What the runner said it is doing (``Dialect.label_session``), or "".
    label: str = ""


@functools.cache
def _calls(names: frozenset[str]) -> re.Pattern[str]:
    """A pattern for a call of any of ``names`` (longest first, whole words)."""
    spelled = sorted(map(re.escape, names), key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(spelled) + r")\s*\(", re.I)


class TableLocks(enum.Enum):
    """What a statement does to the session's explicit table locks (``LOCK TABLES``)."""

    TAKEN = "taken"
    RELEASED = "released"


_DML = re.compile(r"\s*(?:\(\s*)*(insert|update|delete|replace|select|with|values|copy)\b", re.I)


class Dialect:
    """One server's facts and behaviour; subclasses set the capability flags.

    A dialect is an object, never a string: code outside ``dialects/`` asks it (a flag, a
    method) instead of comparing names, so a typo fails loudly (``dialects.named``) rather
    than falling through to another server's rules. ``named("postgresql")`` gives one
    without a URL, for what needs only facts (quoting, literals, limits, rendering);
    the runner's connection-bound behaviour needs ``dialect_for(url)``.
    """

    name: ClassVar[str]
    #: The server products this dialect speaks for, each with the release ``dbshift lint``
    #: judges for when nobody says which (``--server``): the releases dbshift is tested on.
    products: ClassVar[Mapping[Product, tuple[int, ...]]]
    #: The DB-API driver dbshift ships for a bare scheme (``postgresql://``), which
    #: ``dbshift.direct`` opens without SQLAlchemy (SQLAlchemy's driver names).
    default_driver: ClassVar[str]
    #: The URL schemes that name this server, each with the SQLAlchemy dialect it is
    #: normalised to (``postgres://`` is ``postgresql``; ``mariadb://`` keeps SQLAlchemy's
    #: MariaDB dialect, whose dbshift dialect is still this one).
    url_schemes: ClassVar[Mapping[str, str]]
    #: The drivers a URL may name for this server (SQLAlchemy's driver name -> the module
    #: that must be importable), ``default_driver`` among them.
    driver_modules: ClassVar[Mapping[str, str]]
    #: The ``pip install 'dbshift[…]'`` extra that installs the drivers ("": built in).
    driver_extra: ClassVar[str] = ""
    #: sqlglot's name for this server's SQL (its ``read=`` dialect): lint and the prior
    #: backup parse statements with it.
    sqlglot_name: ClassVar[str]
    #: The character that opens and closes a quoted identifier.
    quote_char: ClassVar[str] = '"'
    #: A backslash in a string literal escapes (MySQL/MariaDB without NO_BACKSLASH_ESCAPES).
    backslash_escapes: ClassVar[bool] = False
    #: The longest identifier the server keeps (PostgreSQL truncates silently beyond it).
    max_identifier_length: ClassVar[int] = 63
    #: ``max_identifier_length`` counts UTF-8 bytes (PostgreSQL), else characters.
    identifier_limit_in_bytes: ClassVar[bool] = False
    #: DDL can be rolled back with the transaction that ran it (not MySQL/MariaDB).
    transactional_ddl: ClassVar[bool] = True
    #: The statement that opens a migration's transaction.
    begin_sql: ClassVar[str] = "BEGIN"
    #: Every DDL statement commits the open transaction before it runs (MySQL/MariaDB).
    ddl_commits_implicitly: ClassVar[bool] = False
    #: A SQL migration may hold bytes that are not UTF-8 inside its string literals: the
    #: server takes a statement as bytes, and mysqldump writes BLOB, BINARY and geometry
    #: values raw (without ``--hex-blob``). Such a file is read with them kept
    #: (``surrogateescape``) and its statements sent as the bytes the file holds.
    raw_bytes_in_literals: ClassVar[bool] = False
    #: The statement a SQL script that ``diff`` or ``inspect`` prints starts with, for the
    #: server's own client: the script is UTF-8 text, and (MySQL/MariaDB) a view, routine
    #: or trigger written without a client character set was read under dbshift's own
    #: session's, which the client then takes too instead of its default (utf8mb3 or
    #: latin1, which SHOW CREATE would show and non-ASCII text would be garbled by).
    script_encoding: ClassVar[str | None] = None
    #: The history table may live in a schema other than the connection's default.
    supports_history_schema: ClassVar[bool] = False
    #: ``DROP DATABASE`` drops what the catalog lists as a schema (MySQL/MariaDB).
    databases_are_schemas: ClassVar[bool] = False
    #: A database has a default collation, which a table that names none takes
    #: (MySQL/MariaDB): a scratch database standing in for a live one is made with the live
    #: one's (``create_database_sql``), or a schema file's tables would take the dev
    #: server's.
    databases_have_a_default_collation: ClassVar[bool] = False
    #: Session settings for a throwaway scratch database (``dbshift test``): durability
    #: it does not need, traded for speed.
    scratch_session_sql: ClassVar[tuple[str, ...]] = ()
    #: The driver runs several statements sent as one string (one round trip).
    multi_statement: ClassVar[bool] = False
    #: How the server's command-line client reads a script (where a statement ends).
    client_syntax: ClassVar[ClientSyntax]
    #: A foreign key can only be declared in CREATE TABLE, never added to a table (SQLite).
    foreign_keys_only_in_create_table: ClassVar[bool] = False
    #: A database is a file with no server (SQLite): a URL names no host, port or user, a
    #: scratch database is a temporary file, and no dev server is needed to make one.
    database_is_a_file: ClassVar[bool] = False
    #: An interrupted ``CREATE INDEX CONCURRENTLY`` leaves an INVALID index behind
    #: (PostgreSQL), so an index that exists may still need building.
    interrupted_index_builds_leave_invalid_index: ClassVar[bool] = False
    #: How ``lock_tracer`` observes locks and rewrites, for the legend under ``dbshift plan``.
    lock_trace_legend: ClassVar[str] = ""
    #: A URL that names no database connects to none (MySQL/MariaDB): fine for a server
    #: (``dev_url``), not for a migration target. PostgreSQL falls back to the user's
    #: database, SQLite to memory.
    url_must_name_database: ClassVar[bool] = False
    #: A database holds several schemas (namespaces) besides the connection's default one
    #: (PostgreSQL); MySQL's schemas are databases, SQLite has none.
    has_namespaces: ClassVar[bool] = False
    #: ``text`` holds any length (PostgreSQL, SQLite); MySQL's TEXT holds 65,535 bytes.
    text_is_unbounded: ClassVar[bool] = True
    #: Column types for dbshift's own bookkeeping tables (the online journal): a short
    #: name that can be a primary key, text of any length, and a UTC point in time.
    key_text_type: ClassVar[str] = "text"
    long_text_type: ClassVar[str] = "text"
    utc_time_type: ClassVar[str]
    #: The expression for now, in UTC, as ``utc_time_type`` stores it.
    utc_now_sql: ClassVar[str]
    #: The query for the server version the safe planner's choices depend on, as one
    #: integer; None where no choice depends on it.
    planner_version_sql: ClassVar[str | None] = None
    #: The query for the server's version text, which ``product_of`` reads (MariaDB
    #: and MySQL share a dialect) and whose leading numbers are the release.
    version_text_sql: ClassVar[str] = "SELECT VERSION()"
    #: The server has non-blocking forms a plan can be rewritten into (``diff/safe.py``):
    #: CREATE/DROP INDEX CONCURRENTLY, constraints added NOT VALID then validated, SET
    #: NOT NULL trusting a valid check, a volatile default backfilled in batches.
    nonblocking_forms: ClassVar[bool] = False
    #: Changing any part of a column restates all of it (MySQL ``MODIFY``/``CHANGE``):
    #: what the statement leaves out (NOT NULL, a default) is dropped.
    restates_column_to_alter: ClassVar[bool] = False
    #: One lock for the whole database: any write, DDL or not, waits for every other.
    locks_whole_database: ClassVar[bool] = False
    #: The session setting bounding how long DDL waits for its lock (None: no such one).
    lock_timeout_setting: ClassVar[str | None] = None
    #: How long DDL waits for its lock when nobody sets ``lock_timeout_setting``, per
    #: product, in words (lint's missing-lock-timeout says it).
    default_lock_wait: ClassVar[Mapping[Product, str]] = {}

    @classmethod
    def product_of(cls, version: str) -> Product:
        """The product a server is, from its version text (``SELECT VERSION()``, …)."""
        (only,) = cls.products
        return only

    def __init__(self, url: URL | None = None) -> None:
        self._url = url
        self._sa: SADialect | None = None

    @property
    def url(self) -> URL:
        """The database this dialect was made for (``dialect_for``); a facts-only dialect
        (``named``) has none, and asking for it is a bug in the caller."""
        if self._url is None:
            raise TypeError(f"the {self.name} dialect from named() is not bound to a database")
        return self._url

    @property
    def sa_dialect(self) -> SADialect:
        """SQLAlchemy's dialect: used to render offline SQL. Built on first use: importing
        SQLAlchemy's dialect costs 0.1 s that ``diff`` and ``lint`` never need.

        paramstyle "named": with the drivers' own format/pyformat styles SQLAlchemy doubles
        every % in quoted names and literals, which is right only for text that still goes
        through the driver's %-substitution. dbshift's quoted names and offline scripts do
        not (statements run with no_parameters), so a table named % must stay %.
        """
        if self._sa is None:
            dialect_class: Any = self.url.get_dialect()  # typed as the abstract interface
            self._sa = dialect_class(paramstyle="named")
        return self._sa

    # -- facts: the one place each is written ------------------------------------------

    def renderer(self, *, definer: str | None = None) -> Renderer:
        """This server's renderer: operations to SQL. ``definer``: the config's, written
        into MySQL/MariaDB CREATE VIEW, FUNCTION, PROCEDURE and TRIGGER (ignored elsewhere)."""
        from dbshift.dialects import renderer_for

        return renderer_for(self.name, definer=definer)

    def safety_rules(self) -> SafetyRules:
        """This server's safety table (``dialects/<server>/safety.py``), imported on first
        use: the runner never needs it."""
        raise NotImplementedError

    def safety(self, op: Operation) -> Safety:
        """What ``op`` locks, rewrites, breaks and loses on this server: the one answer
        ``generate``, ``plan``, ``diff`` and migration headers share."""
        return self.safety_rules().rate(op)

    #: Functions whose value differs per call, so a column default calling one is
    #: computed for every existing row when the column is added.
    volatile_functions: ClassVar[frozenset[str]] = frozenset()

    def volatile_default(self, expression: str | None) -> bool:
        """Whether a column default ``expression`` calls one of ``volatile_functions``."""
        if not expression or not self.volatile_functions:
            return False
        return _calls(self.volatile_functions).search(expression) is not None

    def generated_constraint_name(self, table: str, kind: str, name: str) -> bool:
        """Whether ``name`` is one the server gives a ``kind`` (``"foreign_key"`` or
        ``"check"``) constraint of ``table`` declared without a name. Such names count
        constraints in the order they were made, so two databases built in another order
        name the same constraint differently."""
        return False

    def quote(self, name: str) -> str:
        """Always quote, the quote character doubled: a name is never trusted to be a
        plain word. What SQLAlchemy's preparer does with paramstyle "named"
        (tests/dialects/test_quoting.py checks they agree), without importing it."""
        q = self.quote_char
        return q + name.replace(q, q + q) + q

    def quote_ident(self, name: str) -> str:
        """``quote``: the name the runner's callers know it by."""
        return self.quote(name)

    def qualify(self, schema: str | None, name: str) -> str:
        """``schema.name`` with both parts quoted, or just the quoted name."""
        return f"{self.quote(schema)}.{self.quote(name)}" if schema else self.quote(name)

    def literal(self, text: str) -> str:
        """A string literal: the only way user text enters SQL other than as a name."""
        if self.backslash_escapes:
            text = text.replace("\\", "\\\\")
        return "'" + text.replace("'", "''") + "'"

    def identifier_fits(self, name: str) -> bool:
        """Whether the server keeps ``name`` whole."""
        size = len(name.encode()) if self.identifier_limit_in_bytes else len(name)
        return size <= self.max_identifier_length

    def fit_name(self, name: str) -> str:
        """``name`` if it fits, else a prefix and a stable hash that do: generated names
        (helper columns, triggers, ``<history>_log``) must never be truncated by the
        server into a collision."""
        if self.identifier_fits(name):
            return name
        import hashlib  # here: a diff never needs it, and its import is OpenSSL's

        digest = hashlib.sha256(name.encode()).hexdigest()[:10]
        keep = self.max_identifier_length - 11
        prefix = name[:keep]
        while not self.identifier_fits(prefix + "_" + digest):
            prefix = prefix[:-1]
        return prefix + "_" + digest

    def driver_connect_args(
        self,
        *,
        connect_timeout: float,
        busy_timeout: float,
        read_timeout: float | None = None,
        driver: str = "",
    ) -> dict[str, Any]:
        """The driver's ``connect()`` arguments for how long to wait: for the server to
        answer (whole seconds, at least 1), or for SQLite's write lock. ``read_timeout``:
        how long any one read may wait, where the driver can bound it (PyMySQL); the
        others bound it with ``read_deadline``. ``driver``: the URL's driver name, for
        arguments only some drivers of a server take."""
        return {"connect_timeout": max(1, round(connect_timeout))}

    @contextlib.contextmanager
    def read_deadline(self, conn: Connection, seconds: float) -> Iterator[list[bool]]:
        """Bound what runs on ``conn`` inside the block to about ``seconds``, where the
        driver has no ``read_timeout`` of its own: past it the connection is broken (its
        socket shut), so a read stuck on a server that never answers fails rather than
        waiting forever. Yields a list that holds True once the deadline struck. Here:
        nothing to do (the driver's ``read_timeout``, or no network at all)."""
        yield []

    def create_database_sql(self, name: str, collation: str | None = None) -> str:
        """The statement that creates database ``name`` (a scratch one), with ``collation``
        as its default where databases have one (MySQL/MariaDB; ignored elsewhere)."""
        return f"CREATE DATABASE {self.quote(name)}"

    def drop_database_sql(self, name: str) -> str:
        """The statement that drops database ``name`` (a scratch one), if it exists."""
        return f"DROP DATABASE IF EXISTS {self.quote(name)}"

    def drop_schema_sql(self, name: str) -> str:
        """The statement that drops schema ``name`` and everything in it, if it exists
        (an online migration's version schema once nothing uses it)."""
        return f"DROP SCHEMA IF EXISTS {self.quote(name)} CASCADE"

    def lock_tracer(self, conn: Connection) -> Tracer:
        """What each statement run on ``conn`` (a scratch database) locks, as this server
        reports it (``dbshift plan``, ``dbshift test --locks``)."""
        raise NotImplementedError

    def lock_key(self, table: str, schema: str | None) -> str:
        """A stable name for the migration lock of one history table in one database."""
        return f"dbshift:{self.url.database or ''}:{schema or ''}:{table}"

    @staticmethod
    def lock_key_int(key: str) -> int:
        """A signed 64-bit integer for servers whose locks are numbered."""
        import hashlib

        digest = hashlib.sha256(key.encode()).digest()
        return int.from_bytes(digest[:8], "big", signed=True)

    #: A column's type may be any run of names (SQLite: ``UNSIGNED BIG INT``, ``ANY``),
    #: more than sqlglot reads: the linter retries a CREATE TABLE with each type quoted.
    type_names_are_free_form: ClassVar[bool] = False
    #: A migration file that is one transaction of its own (``BEGIN; … COMMIT;``) runs
    #: with the migration's transaction in place of that pair (``migrations.sqlfile``).
    unwraps_file_transaction: ClassVar[bool] = False

    @staticmethod
    def is_internal_table(name: str) -> bool:
        """Whether ``name`` is one of the server's own bookkeeping tables (no user rows)."""
        return False

    @staticmethod
    def runnable_form(sql: str) -> str | None:
        """``sql`` as it can run, from a migration or a schema file; None for a statement
        that creates what the server makes by itself and refuses to be given (SQLite's
        internal tables in a ``.schema`` listing)."""
        return sql

    def copy_in(self, conn: Connection, sql: str, data: str) -> None:
        """Run ``COPY ... FROM stdin`` with ``data`` as its rows (a plain pg_dump's table
        data, read by the splitter up to its ``\\.`` line). Only psql's input has that
        form: elsewhere it is refused by name."""
        from dbshift.errors import Unsupported

        raise Unsupported(f"COPY ... FROM stdin is not supported on {self.name}")

    @staticmethod
    def in_migration_transaction(sql: str) -> str:
        """A statement a dump runs before its own ``BEGIN``, as it runs inside the
        migration's transaction once that BEGIN/COMMIT pair is dropped (see
        ``migrations.sqlfile``): unchanged unless the server ignores it there."""
        return sql

    @staticmethod
    def is_data_statement(sql: str) -> bool:
        """Whether a statement may share a transaction with its journal update.

        Outside a migration transaction (MySQL, ``-- dbshift:no-transaction``) a data
        statement and the journal row that records it commit together, so a crash can
        never leave an applied INSERT unrecorded. DDL cannot: MySQL commits it implicitly,
        and ``CREATE INDEX CONCURRENTLY`` or ``VACUUM`` refuse a transaction block.
        """
        return _DML.match(sql) is not None

    @staticmethod
    def table_lock_effect(sql: str) -> TableLocks | None:
        """Whether ``sql`` takes explicit table locks (``LOCK TABLES``) or releases them.

        While a session holds them it may touch no other table, the history table
        included: the runner journals the statements between the two as one unit.
        Servers without the statement return None.
        """
        return None

    @staticmethod
    def commits_before(sql: str) -> bool:
        """Whether the server commits an open transaction before running ``sql``.

        Where it does (MySQL/MariaDB DDL), the runner leaves the journal update of the
        statement before open, and this statement's implicit commit makes it durable:
        one commit fewer per statement, and still exactly one statement in doubt after a
        crash. Servers with transactional DDL commit nothing behind our back.
        """
        return False

    def acquire_lock(self, conn: Connection, key: str, timeout: float) -> None:
        """Block until this runner holds the migration lock or raise LockTimeoutError."""
        raise NotImplementedError

    def try_lock(self, conn: Connection, key: str) -> bool:
        """Take the lock if free, without waiting (used to tell a crash from a live run)."""
        raise NotImplementedError

    def release_lock(self, conn: Connection, key: str) -> None:
        """Release the migration lock; harmless when not held."""
        raise NotImplementedError

    def session_id(self, conn: Connection) -> int | None:
        """The server's id of this connection, for cancelling its statement from another
        (None where there is no server: SQLite stops with the process)."""
        return None

    def cancel_sql(self, session_id: int) -> str | None:
        """The statement that, on a second connection, cancels what ``session_id`` runs."""
        return None

    def lock_holder(self, conn: Connection, key: str) -> LockHolder | None:
        """Who holds the migration lock, when the server can say (pid, since when, and the
        label a runner put on its session); None when it is free or cannot be told."""
        return None

    def label_session(self, conn: Connection, label: str) -> None:
        """Name what this session is doing where other sessions can read it uncommitted
        (PostgreSQL: ``application_name``); a no-op where the server has no such place."""

    def user_tables(
        self, conn: Connection, *, every_database: bool = False
    ) -> list[tuple[str, str]]:
        """(schema, name) of the tables and views this database holds outside the system
        catalogs, extensions' own objects excluded. ``every_database``: where a database
        is a schema (MySQL), the other databases of the server too."""
        raise NotImplementedError

    def set_autocommit(self, conn: Connection, *, on: bool) -> None:
        """Turn the session's autocommit on or off (servers with ``ddl_commits_implicitly``)."""

    def set_lock_timeout(self, conn: Connection, seconds: float | None) -> None:
        """How long each statement waits for a lock; None restores the server's default.

        SQLite has no lock wait per statement but its busy timeout, set at connect time.
        """

    def is_lock_timeout(self, exc: BaseException) -> bool:
        """The statement gave up waiting for a lock (so running it again is safe)."""
        return False

    def lock_holders(self, conn: Connection) -> list[str]:
        """Other sessions holding locks in this database, longest first, one line each."""
        return []

    def session_activity(self, conn: Connection, session: int) -> str | None:
        """What ``session`` is running, and for how long; None when it is gone."""
        return None

    def kill_session(self, conn: Connection, session: int) -> None:
        """End another session (its running statement is stopped and rolled back)."""

    #: The load metrics ``load_sample`` reports (``dbshift.throttle`` knows their meaning):
    #: none where there is no server to load (SQLite).
    load_metrics: ClassVar[frozenset[str]] = frozenset()
    #: Whether a primary's ``load_sample`` has its replicas' lag (PostgreSQL:
    #: ``pg_stat_replication``). Where not (MySQL/MariaDB: only a replica knows its lag),
    #: a ``replica_lag`` threshold needs the replicas listed (``[throttle] replicas``).
    primary_sees_replica_lag: ClassVar[bool] = False

    def load_sample(self, conn: Connection) -> dict[str, float]:
        """The server's load now, metric -> value, for the backfill's throttle: the SQL is
        the server's (``dialects/<server>/load.py``), the policy is not. A metric the server
        cannot measure here (no replicas: no ``replica_lag``) is left out."""
        return {}

    def blocked_writers(self, conn: Connection) -> tuple[int, float] | None:
        """Inside a batch's transaction, before it commits: how many sessions wait for a
        row lock it holds, and the longest of those waits in seconds (the backfill's
        pacing, ``dbshift.throttle.pacing``). None where the server cannot say."""
        return None

    def describe_error(self, exc: BaseException) -> str:
        """The server's error as one line, with its code where the server gives one."""
        orig = getattr(exc, "orig", None) or exc
        text = " ".join(str(orig).split())
        return text or type(orig).__name__

    def default_schema(self, conn: Connection) -> str | None:
        """The schema unqualified names resolve to (None where schemas are databases)."""
        return None

    def history_schema(self, conn: Connection) -> str | None:
        """Where the history table lives when no schema is configured, so the runner can
        name it in full: a migration may change what unqualified names resolve to
        (``pg_dump``'s ``set_config('search_path', '', false)``, MySQL's ``USE``) before
        its own history row is written."""
        return self.default_schema(conn)

    def session_state(self, conn: Connection) -> object:
        """The session settings a migration may change, as they are before the first one
        runs (``restore_session`` puts them back)."""
        return None

    def restore_session(self, conn: Connection, state: object) -> None:
        """Put the session back as ``session_state`` found it, between migrations, so
        each one starts from the same state whatever the previous one ``SET``. Never
        ends what the runner itself holds: its lock, its temporary objects."""
