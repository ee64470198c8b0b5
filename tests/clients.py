"""The servers' own command-line clients (pg_dump, mariadb-dump/mysqldump), run as judges
that do not go through dbshift: one place that turns a test database's URL into their
connection flags, instead of a copy of the flag list in every test that dumps a schema."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from sqlalchemy.engine import make_url


def libpq(url: str) -> list[str]:
    """psql/pg_dump connection flags for a PostgreSQL URL (the database as ``-d``)."""
    u = make_url(url)
    return [
        "-h",
        u.host or "127.0.0.1",
        "-p",
        str(u.port or 5432),
        "-U",
        u.username or "postgres",
        "-d",
        u.database or "",
    ]


def psql(url: str, sql: str) -> None:
    """Run ``sql`` as psql does, in one transaction, stopping at the first error (the
    reference load a test judges dbshift's result against)."""
    done = subprocess.run(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-1", *libpq(url)],
        input=sql,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, f"{done.stderr}\n--- while running ---\n{sql}"


def pg_dump(url: str, *flags: str, skip_if_missing: bool = False) -> str:
    """``pg_dump flags…`` of the database: its output. Where pg_dump is not installed the
    test fails, or with ``skip_if_missing`` is skipped."""
    if skip_if_missing and shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    return subprocess.run(
        ["pg_dump", *flags, *libpq(url)],
        capture_output=True,
        text=True,
        check=True,
        env=_with_password("PGPASSWORD", url),
    ).stdout


def mysql_dump(url: str, *flags: str, skip_if_missing: bool = False) -> str:
    """``mariadb-dump`` (or ``mysqldump``) ``flags…`` of the database: its output. Where
    neither is installed the test fails, or with ``skip_if_missing`` is skipped."""
    return mysql_dump_bytes(url, *flags, skip_if_missing=skip_if_missing).decode()


def mysql_dump_bytes(url: str, *flags: str, skip_if_missing: bool = False) -> bytes:
    """``mysql_dump`` as the bytes the tool wrote: with its rows, BLOB and geometry values
    are raw bytes in string literals, not UTF-8 text."""
    tool = shutil.which("mariadb-dump") or shutil.which("mysqldump")
    if tool is None:
        if skip_if_missing:
            pytest.skip("mysqldump is not installed")
        pytest.fail("neither mariadb-dump nor mysqldump is installed")
    u = make_url(url)
    args = ["-h", u.host or "127.0.0.1", "-P", str(u.port or 3306), "-u", u.username or "root"]
    return subprocess.run(
        [tool, *flags, *args, u.database or ""],
        capture_output=True,
        check=True,
        env=_with_password("MYSQL_PWD", url),
    ).stdout


def _with_password(variable: str, url: str) -> dict[str, str]:
    """The environment, with the URL's password (if any) where the client reads it: never
    on the command line, where ``ps`` shows it."""
    password = make_url(url).password
    return dict(os.environ, **{variable: password}) if password else dict(os.environ)


def mysql_client(url: str, sql: str) -> subprocess.CompletedProcess[str]:
    """``sql`` run by the ``mariadb`` (or ``mysql``) command-line client, as a user would
    load a dump: the finished process, whether it succeeded or not."""
    tool = shutil.which("mariadb") or shutil.which("mysql")
    if tool is None:
        pytest.fail("neither the mariadb nor the mysql client is installed")
    u = make_url(url)
    args = ["-h", u.host or "127.0.0.1", "-P", str(u.port or 3306), "-u", u.username or "root"]
    return subprocess.run(
        [tool, *args, u.database or ""],
        input=sql,
        capture_output=True,
        text=True,
        check=False,
        env=_with_password("MYSQL_PWD", url),
    )
