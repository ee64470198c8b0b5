"""Database URLs, engines and connections, with passwords kept out of every message.

SQLAlchemy parses the URLs and owns the drivers. dbshift only picks the driver it ships
for a bare scheme (psycopg 3 for ``postgresql://``, PyMySQL for ``mysql://``): SQLAlchemy's
own defaults (psycopg2, mysqlclient) need C headers to build and are not dependencies.
Which schemes and drivers name which server is each Dialect's fact (``url_schemes``,
``default_driver``, ``driver_modules``), not a table here.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from dbshift.dialects import Dialect, classes, dialect_for, for_scheme
from dbshift.errors import ConnectError, UsageError

if TYPE_CHECKING:
    from sqlalchemy.engine import URL, Connection, Engine

# pysqlite's connect() arguments SQLAlchemy reads from the query string (SQLAlchemy 2.x).
_SQLITE_QUERY_KEYS = frozenset(
    {"timeout", "isolation_level", "detect_types", "check_same_thread", "cached_statements", "uri"}
)
_PASSWORD_IN_TEXT = re.compile(r"(://[^:/@\s]*:)([^@\s]*)(@)")


def parse_url(raw: str) -> URL:
    """Parse and normalise a URL; unknown schemes and garbage are usage errors (exit 2)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(raw.strip())
    except (ArgumentError, ValueError) as exc:
        raise UsageError(f"bad database URL {mask_text(raw)!r}: {mask_text(str(exc))}") from None
    backend, _, driver = url.drivername.partition("+")
    found = for_scheme(backend)
    if found is None:
        known = "postgresql://, mysql://, mariadb://, sqlite:///"
        raise UsageError(f"unsupported database URL scheme {backend!r} (use {known})")
    server, dialect = found
    drivers = _driver_modules()
    if driver and driver not in drivers:
        known = ", ".join(sorted(drivers))
        raise UsageError(
            f"bad database URL {mask_text(raw)!r}: unknown driver {driver!r} ({known})"
        )
    _check_shape(raw, url, server())
    return url.set(drivername=f"{dialect}+{driver or server.default_driver}")


def _driver_modules() -> dict[str, tuple[str, str]]:
    """Every driver a URL may name (SQLAlchemy's driver names), for any server -> the
    module that provides it and the dbshift extra that installs it."""
    return {
        driver: (module, server.driver_extra)
        for server in classes()
        for driver, module in server.driver_modules.items()
    }


def _check_shape(raw: str, url: URL, server: Dialect) -> None:
    """What SQLAlchemy accepts but a migration cannot use, refused while it is still a
    usage error: later it surfaces as an internal error or an assertion in the driver."""
    bad = f"bad database URL {mask_text(raw)!r}"
    if server.database_is_a_file:
        if url.host or url.port or url.username:
            # sqlite://app.db parses with host "app.db"; the path needs a third slash.
            path = f"{url.host or ''}{'/' + url.database if url.database else ''}"
            raise UsageError(
                f"{bad}: a SQLite URL has three slashes before a relative path "
                f"(sqlite:///{path}) and four before an absolute one (sqlite:////{path})"
            )
        unknown = set(url.query) - _SQLITE_QUERY_KEYS
        if unknown and "uri" not in url.query:
            raise UsageError(
                f"{bad}: SQLite takes no option {sorted(unknown)[0]!r} "
                "(URI options need ?uri=true and a file: path)"
            )


def require_database(url: URL) -> None:
    """A MySQL URL that names no database is fine for a server (``dev_url``) but not as
    a migration target, where it ended in an assertion inside SQLAlchemy."""
    if dialect_for(url).url_must_name_database and not url.database:
        scheme = url.get_backend_name()
        raise UsageError(
            f"bad database URL {mask_url(url)!r}: name the database "
            f"({scheme}://user@host:3306/DATABASE)"
        )


def mask_url(url: URL | str) -> str:
    """The URL as text with its password replaced by ***."""
    if isinstance(url, str):
        return mask_text(url)
    return url.render_as_string(hide_password=True)


def mask_text(text: str) -> str:
    """Replace any ``scheme://user:password@`` password in free text by ***."""
    return _PASSWORD_IN_TEXT.sub(r"\1***\3", text)


def backend_name(url: URL) -> str:
    """'postgresql', 'mysql' (MariaDB included) or 'sqlite'."""
    return dialect_for(url).name


def create_engine(
    url: URL, *, connect_timeout: float, busy_timeout: float, read_timeout: float | None = None
) -> Engine:
    """An engine in driver-autocommit mode: dbshift issues BEGIN/COMMIT itself.

    Explicit transaction control is what lets one code path serve transactional DDL
    (PostgreSQL, SQLite: ``BEGIN IMMEDIATE``) and per-statement journaling (MySQL, and
    ``-- dbshift:no-transaction`` files), and it keeps pysqlite from committing behind
    our back. ``read_timeout``: how long any one read may wait, where the driver bounds
    it (``Dialect.read_deadline`` bounds it where it does not).
    """
    import sqlalchemy
    from sqlalchemy.pool import NullPool, StaticPool

    _require_driver(url)
    dialect = dialect_for(url)
    connect_args = dialect.driver_connect_args(
        connect_timeout=connect_timeout,
        busy_timeout=busy_timeout,
        read_timeout=read_timeout,
        driver=url.get_driver_name(),
    )
    kwargs: dict[str, Any] = {"isolation_level": "AUTOCOMMIT"}
    if dialect.database_is_a_file and url.database in (None, "", ":memory:"):
        # An in-memory database lives as long as its one connection: share that one.
        kwargs["poolclass"] = StaticPool
    kwargs.setdefault("poolclass", NullPool)
    try:
        return sqlalchemy.create_engine(url, connect_args=connect_args, **kwargs)
    except sqlalchemy.exc.ArgumentError as exc:
        raise UsageError(
            f"bad database URL {mask_url(url)!r}: {mask_text(first_line(str(exc)))}"
        ) from None


def connect(engine: Engine) -> Connection:
    """Open a connection; failures become one masked line with exit code 3."""
    from sqlalchemy.exc import DBAPIError, SQLAlchemyError

    try:
        return engine.connect()
    except DBAPIError as exc:
        reason = first_line(str(exc.orig)) if exc.orig is not None else first_line(str(exc))
        raise ConnectError(
            f"cannot connect to {mask_url(engine.url)}: {mask_text(reason)}"
        ) from None
    except (TypeError, ValueError, AttributeError, LookupError) as exc:
        # Raised by the driver before any network traffic for an option it cannot use,
        # e.g. PyMySQL's ?charset=bogus (AttributeError on None): the URL is wrong.
        raise UsageError(
            f"bad database URL {mask_url(engine.url)!r}: the driver refused its options "
            f"({type(exc).__name__}: {mask_text(first_line(str(exc)))})"
        ) from None
    except SQLAlchemyError as exc:
        raise ConnectError(
            f"cannot connect to {mask_url(engine.url)}: {mask_text(first_line(str(exc)))}"
        ) from None


def first_line(text: str) -> str:
    """Servers answer in several lines; a CLI message is one."""
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    return lines[0] if lines else text.strip()


def _require_driver(url: URL) -> None:
    import importlib.util

    driver = url.get_driver_name()
    module, extra = _driver_modules().get(driver, (driver, ""))
    try:
        found = importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        hint = f" (pip install 'dbshift[{extra}]')" if extra else ""
        raise ConnectError(f"database driver {driver!r} is not installed{hint}")
