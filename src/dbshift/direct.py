"""Bare driver connections for reading a catalog, without SQLAlchemy.

Why this exists: ``dbshift diff URL URL`` and ``dbshift inspect URL`` only read catalogs,
and importing SQLAlchemy cost 0.11-0.16 s of a 0.65 s diff of 1,000 tables (psycopg itself
another 0.11 s), more than the differ and renderer together. SQLAlchemy's first connection
also runs its own queries (version, ``current_schema()``, hstore lookup, sql_mode, …), and
its Row objects are slower to build than the drivers' tuples. So for a plain URL this module
parses the URL and opens psycopg 3, PyMySQL or sqlite3 directly, the way SQLAlchemy would,
and everything else (migrations, scratch databases, other drivers) keeps using SQLAlchemy.

The rule that keeps behaviour identical: :func:`parse` copies SQLAlchemy's URL grammar
(``sqlalchemy.engine.url._parse_url``: the same regular expression, the same unquoting), and
whenever a URL is anything but the common case (another driver, repeated or multi-host query
arguments, MySQL or SQLite query options, a port that is not a number, an unknown scheme),
:func:`connect` returns None and the caller takes the SQLAlchemy path, whose messages and
options are the reference. Connect arguments mirror ``dbshift.connection.create_engine`` and
SQLAlchemy's dialects (``create_connect_args``): autocommit, ``connect_timeout``,
``application_name=dbshift`` on PostgreSQL, ``timeout`` (busy timeout) on SQLite, URL query
arguments passed to libpq as SQLAlchemy's psycopg dialect passes them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from dbshift.dialects import Dialect, for_scheme
from dbshift.errors import ConnectError, DbshiftError
from dbshift.frozen import frozen

# sqlalchemy.engine.url._parse_url, verbatim (SQLAlchemy 2.0/2.1).
_URL = re.compile(
    r"""
        (?P<name>[\w\+]+)://
        (?:
            (?P<username>[^:/]*)
            (?::(?P<password>[^@]*))?
        @)?
        (?:
            (?:
                \[(?P<ipv6host>[^/\?]+)\] |
                (?P<ipv4host>[^/:\?]+)
            )?
            (?::(?P<port>[^/\?]*))?
        )?
        (?:/(?P<database>[^\?]*))?
        (?:\?(?P<query>.*))?
        """,
    re.X,
)


@frozen
class DbUrl:
    """The parts of a URL, as ``sqlalchemy.engine.URL`` would hold them after ``parse_url``."""

    dialect: Dialect  # facts only (``dialects.named``): MariaDB is the mysql dialect
    drivername: str  # as parse_url normalises it: postgresql+psycopg, mariadb+pymysql, …
    username: str | None
    password: str | None
    host: str | None
    port: int | None
    database: str | None
    query: dict[str, str | list[str]] = field(default_factory=dict)

    @property
    def driver(self) -> str:
        return self.drivername.partition("+")[2]

    def masked(self) -> str:
        """``URL.render_as_string(hide_password=True)`` of the same URL."""
        from urllib.parse import quote, quote_plus

        text = self.drivername + "://"
        if self.username is not None:
            text += quote(self.username, safe=" +")
            if self.password is not None:
                text += ":***"
            text += "@"
        if self.host is not None:
            text += f"[{self.host}]" if ":" in self.host else self.host
        if self.port is not None:
            text += f":{self.port}"
        if self.database is not None:
            text += "/" + quote(self.database, safe=" +/")
        if self.query:
            text += "?" + "&".join(
                f"{quote_plus(key)}={quote_plus(value)}"
                for key in sorted(self.query)
                for value in _as_list(self.query[key])
            )
        return text


def parse(raw: str) -> DbUrl | None:
    """``raw`` parsed as SQLAlchemy would, or None where only SQLAlchemy can say (bad URLs
    included: its error messages are the ones users see)."""
    match = _URL.match(raw.strip())
    if match is None:
        return None
    parts = match.groupdict()
    scheme, _, driver = parts["name"].partition("+")
    found = for_scheme(scheme)  # the Dialect's url_schemes, as connection.parse_url reads them
    if found is None:
        return None
    server_class, dialect = found
    server = server_class()  # facts only, as ``dialects.named`` gives them
    host = parts["ipv4host"] or parts["ipv6host"]
    if server.database_is_a_file and (
        host or any(parts[k] is not None for k in ("port", "username", "password", "query"))
    ):
        return None  # sqlite://app.db, options: connection.parse_url checks and words them
    port: int | None = None
    if parts["port"] is not None:  # present but empty is an error SQLAlchemy words
        if not re.fullmatch(r"[0-9]+", parts["port"]):
            return None
        port = int(parts["port"])
    query: dict[str, str | list[str]] = {}
    if parts["query"] is not None:
        from urllib.parse import parse_qsl

        for key, value in parse_qsl(parts["query"]):
            previous = query.get(key)
            if previous is None:
                query[key] = value
            else:
                query[key] = [*_as_list(previous), value]
    from urllib.parse import unquote

    return DbUrl(
        dialect=server,
        drivername=f"{dialect}+{driver or server.default_driver}",
        username=None if parts["username"] is None else unquote(parts["username"]),
        password=None if parts["password"] is None else unquote(parts["password"]),
        host=host,
        port=port,
        database=None if parts["database"] is None else unquote(parts["database"]),
        query=query,
    )


def dialect_of(raw: str) -> Dialect | None:
    """The (facts-only) dialect of a URL :func:`parse` understands, else None."""
    url = parse(raw)
    return url.dialect if url is not None else None


def connect(raw: str, *, connect_timeout: float, busy_timeout: float) -> Connection | None:
    """A bare autocommit connection to ``raw``, or None: use the SQLAlchemy path instead.

    None also when the driver is not installed, so that the SQLAlchemy path reports it
    with its install hint. Failing to connect is a :class:`ConnectError`, worded as
    ``dbshift.connection.connect`` words it.
    """
    url = parse(raw)
    if url is None:
        return None
    if url.driver != url.dialect.default_driver:
        return None  # another driver (mysql+mysqldb://, postgresql+psycopg2://): SQLAlchemy's
    try:
        if url.driver == "psycopg":
            return _postgres(url, connect_timeout)
        if url.driver == "pymysql" and not url.query:
            return _mysql(url, connect_timeout)
        if url.driver == "pysqlite" and not url.query:
            return _sqlite(url, busy_timeout)
    except ImportError:
        return None
    return None


@dataclass
class Connection:
    """A DB-API connection with what the inspectors need to know about it."""

    dbapi: Any  # the driver's connection object
    module: Any  # the driver module: its exception classes
    url: DbUrl
    #: What the driver was connected with, for :meth:`another`.
    params: dict[str, Any] = field(default_factory=dict)

    def close(self) -> None:
        self.dbapi.close()

    def another(self) -> Connection | None:
        """A second connection to the same PostgreSQL database, or None (another server,
        or the server refuses one more: callers then do without)."""
        if self.url.driver != "psycopg":  # only psycopg's connect() takes these params
            return None
        try:
            conn = self.module.connect(autocommit=True, **self.params)
        except self.module.Error:
            return None
        return Connection(conn, self.module, self.url, self.params)

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def errors(self) -> Iterator[None]:
        """Driver errors as the CLI reports SQLAlchemy's (``cli.main._unexpected``): a lost
        connection exits 3, any other database error 1, one line either way."""
        try:
            yield
        except self.module.Error as exc:
            from dbshift.connection import mask_text

            reason = mask_text(str(exc))
            if isinstance(exc, self.module.OperationalError):
                raise ConnectError(f"lost the database connection: {reason}") from exc
            raise DbshiftError(f"database error: {reason}") from exc


def _as_list(value: str | list[str]) -> list[str]:
    return value if isinstance(value, list) else [value]


def _refused(url: DbUrl, exc: BaseException) -> ConnectError:
    from dbshift.connection import first_line, mask_text

    return ConnectError(f"cannot connect to {url.masked()}: {mask_text(first_line(str(exc)))}")


def _connect_args(url: DbUrl, *, database: str) -> dict[str, Any]:
    """The URL's user, password, host, port and database as the driver's keywords
    (``database``: the driver's name for the last), empty parts left out as SQLAlchemy's
    ``URL.translate_connect_args`` leaves them out."""
    return {
        key: value
        for key, value in (
            ("user", url.username),
            ("password", url.password),
            ("host", url.host),
            ("port", url.port),
            (database, url.database),
        )
        if value
    }


def _postgres(url: DbUrl, connect_timeout: float) -> Connection | None:
    if any(isinstance(value, list) for value in url.query.values()):
        return None  # multiple hosts and the like: SQLAlchemy's dialect rewrites them
    import psycopg

    params = _connect_args(url, database="dbname")
    params.update(url.query)
    params["connect_timeout"] = max(1, round(connect_timeout))
    params["application_name"] = "dbshift"
    try:
        conn = psycopg.connect(autocommit=True, **params)
    except psycopg.Error as exc:
        raise _refused(url, exc) from None
    return Connection(conn, psycopg, url, params)


def _mysql(url: DbUrl, connect_timeout: float) -> Connection | None:
    import pymysql
    from pymysql.constants import CLIENT

    params = _connect_args(url, database="database")
    try:
        conn = _mysql_connection_class()(
            connect_timeout=max(1, round(connect_timeout)),
            client_flag=CLIENT.FOUND_ROWS,  # as SQLAlchemy's MySQL dialects set it
            autocommit=True,
            **params,
        )
    except pymysql.Error as exc:
        raise _refused(url, exc) from None
    return Connection(conn, pymysql, url)


@functools.cache
def _mysql_connection_class() -> Any:
    """PyMySQL's connection, with one TLS context for every connection of the process.

    Given no TLS options, PyMySQL (2.x) makes each connection a fresh default context, in
    case the server offers TLS ("preferred" mode), whether or not it does: loading the
    system's certificate authorities, 23 ms of CPU, twice in a diff (one per side), a
    tenth of it. The default context is the same every time and a context may serve any
    number of connections, so it is made once. Options of the user's own (a ``ssl``
    dict) still get a context of their own, as before; and where PyMySQL no longer asks
    for one this way, nothing changes.
    """
    import threading

    import pymysql

    base = pymysql.connections.Connection
    lock = threading.Lock()
    made: list[Any] = []

    class _SharedDefaultTls(base):  # type: ignore[misc,valid-type]
        def _create_ssl_ctx(self, sslp: Any) -> Any:
            if sslp != {}:
                return super()._create_ssl_ctx(sslp)
            with lock:
                if not made:
                    made.append(super()._create_ssl_ctx(sslp))
                return made[0]

    return _SharedDefaultTls


def _sqlite(url: DbUrl, busy_timeout: float) -> Connection | None:
    import os
    import sqlite3

    if url.username or url.password or url.host or url.port:
        return None  # SQLAlchemy refuses these, with its message
    filename = url.database or ":memory:"
    if filename != ":memory:":
        filename = os.path.abspath(filename)
    try:
        conn = sqlite3.connect(filename, timeout=busy_timeout, isolation_level=None)
    except sqlite3.Error as exc:
        raise _refused(url, exc) from None
    return Connection(conn, sqlite3, url)
