"""The linter over SQL dbshift wrote itself: a ``diff`` plan or a ``generate``d file.

The differ's operations already rate themselves (lock, rewrite, breaking, destructive),
but the linter is the one place that knows every hazard per server version; running it
on dbshift's own output keeps the two honest with each other, and tells the user what a
generated migration still risks (a missing lock_timeout, a rewrite with no safe form)."""

from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING, Any

from dbshift.errors import DbshiftError, UsageError

if TYPE_CHECKING:
    from dbshift.config import Settings
    from dbshift.dialects import Dialect
    from dbshift.lint.rule import Finding, Server

SERVER_SPEC = re.compile(r"^(postgresql|postgres|mysql|mariadb|sqlite)(?:[-@ ]?(\d+(?:\.\d+)*))?$")


def lint_script(
    text: str,
    path: str,
    dialect: Dialect,
    settings: Settings,
    *,
    live: str | None = None,
    server: Server | None = None,
) -> list[Finding]:
    """``server``: the server judged for; else the one at ``live`` (the URL of the
    database the script is for), else the configured or default one (``server_for``)."""
    from dbshift.lint.engine import Linter
    from dbshift.lint.rules import all_rules

    rules = [
        r
        for r in all_rules()
        if r.id not in settings.lint.ignore
        and (not settings.lint.select or r.id in settings.lint.select)
    ]
    server = server or server_for(dialect, settings, url=live)
    findings, _ = Linter(rules, server).lint_text(text, path)
    return findings


def parse_server(spec: str) -> Server:
    """``mariadb-10.11``, ``postgresql-15``, ``mysql`` (its default release)..."""
    from dbshift.lint.rule import DEFAULT_SERVERS, Server

    match = SERVER_SPEC.match(spec.strip().lower())
    if match is None:
        raise UsageError(
            f"--server {spec!r}: expected e.g. postgresql-15, mysql-8.0.36, mariadb-10.11"
        )
    flavor = "postgresql" if match.group(1) == "postgres" else match.group(1)
    version = (
        tuple(int(p) for p in match.group(2).split("."))
        if match.group(2)
        else DEFAULT_SERVERS[flavor].version
    )
    return Server(flavor, version)


def server_for(
    dialect: Dialect,
    settings: Settings | None,
    *,
    conn: Any = None,
    url: str | None = None,
) -> Server:
    """The server a script is judged for: the live one's product and release where there
    is a connection (``conn``, SQLAlchemy) or a database URL (``url``) to ask, since one
    dialect speaks for MySQL and MariaDB, whose rules differ; else ``[lint] server`` in
    the config; else the dialect's default release."""
    from dbshift.lint.rule import DEFAULT_SERVERS, Server

    text = None
    if conn is not None:
        text = _version_text(conn, dialect)
    elif url:
        text = _version_at(url, dialect, settings)
    if text:
        numbers = re.match(r"\s*(\d+(?:\.\d+)*)", text)
        if numbers:
            version = tuple(int(n) for n in numbers.group(1).split("."))
            return Server(dialect.product_of(text).value, version)
    if settings is not None and settings.lint.server:
        return parse_server(settings.lint.server)
    return DEFAULT_SERVERS[dialect.name]


def _version_text(conn: Any, dialect: Dialect) -> str | None:
    from sqlalchemy.exc import SQLAlchemyError

    try:
        found = conn.exec_driver_sql(dialect.version_text_sql).scalar()
    except SQLAlchemyError:
        return None  # judged by the configured or default release instead
    return None if found is None else str(found)


def _version_at(url: str, dialect: Dialect, settings: Settings | None) -> str | None:
    """The version text of the server at ``url`` (a database URL, else None)."""
    from dbshift import direct
    from dbshift.connection import connect, create_engine, parse_url

    timeout = settings.connect_timeout if settings is not None else 10.0
    parsed = direct.parse(url)
    if parsed is None or type(parsed.dialect) is not type(dialect):
        return None
    try:
        bare = direct.connect(url, connect_timeout=timeout, busy_timeout=5)
        if bare is not None:
            with bare:
                cursor = bare.dbapi.cursor()
                try:
                    cursor.execute(dialect.version_text_sql)
                    row = cursor.fetchone()
                finally:
                    cursor.close()
                return None if row is None else str(row[0])
        engine = create_engine(parse_url(url), connect_timeout=timeout, busy_timeout=5)
        try:
            with connect(engine) as conn:
                return _version_text(conn, dialect)
        finally:
            engine.dispose()
    except (DbshiftError, Exception):  # the driver's own errors too: judged by the default
        return None


def report(findings: list[Finding]) -> None:
    """Findings on stderr, one line each (the full why/fix: ``dbshift lint FILE``)."""
    for f in findings:
        print(f"{f.path}:{f.line}: {f.severity} [{f.rule}] {f.message}", file=sys.stderr)
