"""The contract every server module fulfils: quoting, transactions, locks, error text."""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from sqlalchemy.engine import URL, Connection
    from sqlalchemy.engine.interfaces import Dialect as SADialect

_DML = re.compile(r"\s*(?:\(\s*)*(insert|update|delete|replace|select|with|values)\b", re.I)


class Dialect:
    """Server behaviour the runner relies on; subclasses set the capability flags."""

    name: ClassVar[str]
    #: DDL can be rolled back with the transaction that ran it (not MySQL/MariaDB).
    transactional_ddl: ClassVar[bool] = True
    #: The statement that opens a migration's transaction.
    begin_sql: ClassVar[str] = "BEGIN"
    #: The history table may live in a schema other than the connection's default.
    supports_history_schema: ClassVar[bool] = False
    #: Session settings for a throwaway scratch database (``dbshift test``): durability
    #: it does not need, traded for speed.
    scratch_session_sql: ClassVar[tuple[str, ...]] = ()
    #: The driver runs several statements sent as one string (one round trip).
    multi_statement: ClassVar[bool] = False

    def __init__(self, url: URL) -> None:
        self.url = url
        # paramstyle "named": with the drivers' own format/pyformat styles SQLAlchemy doubles
        # every % in quoted names and literals, which is right only for text that still goes
        # through the driver's %-substitution. dbshift's quoted names and offline scripts
        # do not (statements run with no_parameters), so a table named % must stay %.
        dialect_class: Any = url.get_dialect()  # typed as the abstract interface
        self._sa_dialect: SADialect = dialect_class(paramstyle="named")

    @property
    def sa_dialect(self) -> SADialect:
        """SQLAlchemy's dialect: used to quote and to render offline SQL."""
        return self._sa_dialect

    def quote_ident(self, name: str) -> str:
        """Always quote: a name is never trusted to be a plain word."""
        return self._sa_dialect.identifier_preparer.quote_identifier(name)

    def lock_key(self, table: str, schema: str | None) -> str:
        """A stable name for the migration lock of one history table in one database."""
        return f"dbshift:{self.url.database or ''}:{schema or ''}:{table}"

    @staticmethod
    def lock_key_int(key: str) -> int:
        """A signed 64-bit integer for servers whose locks are numbered."""
        digest = hashlib.sha256(key.encode()).digest()
        return int.from_bytes(digest[:8], "big", signed=True)

    @staticmethod
    def is_data_statement(sql: str) -> bool:
        """Whether a statement may share a transaction with its journal update.

        Outside a migration transaction (MySQL, ``-- dbshift:no-transaction``) a data
        statement and the journal row that records it commit together, so a crash can
        never leave an applied INSERT unrecorded. DDL cannot: MySQL commits it implicitly,
        and ``CREATE INDEX CONCURRENTLY`` or ``VACUUM`` refuse a transaction block.
        """
        return _DML.match(sql) is not None

    def acquire_lock(self, conn: Connection, key: str, timeout: float) -> None:
        """Block until this runner holds the migration lock or raise LockTimeoutError."""
        raise NotImplementedError

    def try_lock(self, conn: Connection, key: str) -> bool:
        """Take the lock if free, without waiting (used to tell a crash from a live run)."""
        raise NotImplementedError

    def release_lock(self, conn: Connection, key: str) -> None:
        """Release the migration lock; harmless when not held."""
        raise NotImplementedError

    def describe_error(self, exc: BaseException) -> str:
        """The server's error as one line, with its code where the server gives one."""
        orig = getattr(exc, "orig", None) or exc
        text = " ".join(str(orig).split())
        return text or type(orig).__name__

    def default_schema(self, conn: Connection) -> str | None:
        """The schema unqualified names resolve to (None where schemas are databases)."""
        return None
