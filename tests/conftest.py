"""Real databases for tests: SQLite always, PostgreSQL and MySQL/MariaDB when reachable.

Each test gets its own database, created and dropped here. Where a server is unreachable
its tests skip on a laptop; with CI=true a skip would hide a broken backend, so it fails.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests judge correctness, not speed: on a loaded 2-core machine a single example
# can take seconds, and a per-example deadline then fails a correct test.
settings.register_profile("dbshift", deadline=None)
settings.load_profile("dbshift")

# tests/pytest_plugin/test_pytest_plugin.py drives dbshift's pytest plugin through pytester.
pytest_plugins = ["pytester"]

POSTGRES_URL = os.environ.get(
    "DBSHIFT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
MYSQL_URL = os.environ.get("DBSHIFT_TEST_MYSQL_URL", "mysql://root@127.0.0.1:3306/test")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
BACKENDS = ("sqlite", "postgresql", "mysql")


def _unavailable(backend: str, reason: str) -> None:
    message = f"{backend} test server unavailable: {reason}"
    if IN_CI:
        pytest.fail(f"{message} (CI=true: a skipped backend is a failure)")
    pytest.skip(message)


def _admin_engine(url: str, *, autocommit: bool = True):  # type: ignore[no-untyped-def]
    import sqlalchemy

    from dbshift.connection import parse_url

    isolation = {"isolation_level": "AUTOCOMMIT"} if autocommit else {}
    return sqlalchemy.create_engine(
        parse_url(url), connect_args={"connect_timeout": 5}, **isolation
    )


@dataclass
class Database:
    """A scratch database of one backend, with its URL and a way to run SQL on it."""

    backend: str
    url: str

    def engine(self, *, autocommit: bool = True):  # type: ignore[no-untyped-def]
        if self.backend == "sqlite":
            return _sqlite_engine(self.url)
        return _admin_engine(self.url, autocommit=autocommit)

    @contextlib.contextmanager
    def connect(self, *, autocommit: bool = True):  # type: ignore[no-untyped-def]
        """``with db.connect() as conn:`` a connection of its own engine, disposed after
        (the setup most tests would otherwise write out as try/finally)."""
        engine = self.engine(autocommit=autocommit)
        try:
            with engine.connect() as conn:
                yield conn
        finally:
            engine.dispose()

    @contextlib.contextmanager
    def begin(self, *, autocommit: bool = True):  # type: ignore[no-untyped-def]
        """``with db.begin() as conn:`` as ``connect``, inside ``engine.begin()``'s
        transaction (committed at the end of the block)."""
        engine = self.engine(autocommit=autocommit)
        try:
            with engine.begin() as conn:
                yield conn
        finally:
            engine.dispose()

    def scalar(self, sql: str):  # type: ignore[no-untyped-def]
        with self.connect() as conn:
            return conn.exec_driver_sql(sql).scalar()

    def tables(self) -> set[str]:
        import sqlalchemy

        with self.connect() as conn:
            return set(sqlalchemy.inspect(conn).get_table_names())


def _sqlite_engine(url: str):  # type: ignore[no-untyped-def]
    import sqlalchemy

    return sqlalchemy.create_engine(url)


def fresh_database(backend: str, tmp_path: Path) -> Iterator[Database]:
    """A new, empty database of ``backend``, yielded once and dropped when the generator
    resumes or closes (fixtures ``yield from`` it; ``scratch_database`` wraps it for ``with``)."""
    if backend == "sqlite":
        yield Database("sqlite", f"sqlite:///{tmp_path / 'test.db'}")
        return
    import sqlalchemy.exc
    from sqlalchemy.engine import make_url

    base = POSTGRES_URL if backend == "postgresql" else MYSQL_URL
    name = f"dbshift_t_{uuid.uuid4().hex[:12]}"
    try:
        admin = _admin_engine(base)
        with admin.connect() as conn:
            conn.exec_driver_sql(f"CREATE DATABASE {name}")
    except (sqlalchemy.exc.SQLAlchemyError, ImportError) as exc:
        _unavailable(backend, str(exc).splitlines()[0])
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    try:
        yield Database(backend, url)
    finally:
        with admin.connect() as conn:
            if backend == "postgresql":
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            else:
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
        admin.dispose()


#: ``with scratch_database("mysql", tmp_path) as other:`` for a test needing two databases.
scratch_database = contextlib.contextmanager(fresh_database)


def fresh_databases(backend: str, tmp_path: Path, count: int) -> Iterator[list[Database]]:
    """``count`` new databases at once (fixtures ``yield from`` it), all dropped at the end,
    also when creating a later one failed."""
    scratches: list[Iterator[Database]] = []
    try:
        for n in range(count):
            scratches.append(fresh_database(backend, tmp_path / str(n)))
        yield [next(s) for s in scratches]
    finally:
        for s in scratches:
            next(s, None)


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A fresh database on each backend in turn."""
    yield from fresh_database(request.param, tmp_path)


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    yield from fresh_database("sqlite", tmp_path)


@pytest.fixture
def pg_db(tmp_path: Path) -> Iterator[Database]:
    yield from fresh_database("postgresql", tmp_path)


@pytest.fixture
def mysql_db(tmp_path: Path) -> Iterator[Database]:
    yield from fresh_database("mysql", tmp_path)


def dbshift_executable() -> list[str]:
    """The installed console script: tests go through the real entry point."""
    script = Path(sys.executable).parent / "dbshift"
    if script.exists():
        return [str(script)]
    found = shutil.which("dbshift")
    return [found] if found else [sys.executable, "-m", "dbshift"]


@dataclass
class Result:
    code: int
    out: str
    err: str


class Project:
    """A working directory with a migrations folder, driven through the CLI."""

    def __init__(self, root: Path, url: str) -> None:
        self.root = root
        self.url = url
        self.migrations = root / "migrations"
        self.migrations.mkdir(exist_ok=True)

    def write(self, name: str, text: str, *, rehash: bool = True) -> Path:
        path = self.migrations / name
        path.write_text(text, encoding="utf-8")
        if rehash:
            self.rehash()
        return path

    def rehash(self) -> None:
        from dbshift.migrations import loader, sumfile

        sumfile.write(self.migrations, loader.scan(self.migrations))

    def run(self, *args: str, env: dict[str, str] | None = None, url: bool = True) -> Result:
        full_env = {k: v for k, v in os.environ.items() if k not in ("DBSHIFT_URL", "DATABASE_URL")}
        full_env.update(env or {})
        argv = [*dbshift_executable(), *args]
        if url:
            argv += ["--url", self.url]
        proc = subprocess.run(
            argv, cwd=self.root, env=full_env, capture_output=True, text=True, timeout=120
        )
        return Result(proc.returncode, proc.stdout, proc.stderr)

    def popen(self, *args: str, stdin: int | None = None) -> subprocess.Popen[str]:
        env = {k: v for k, v in os.environ.items() if k not in ("DBSHIFT_URL", "DATABASE_URL")}
        return subprocess.Popen(
            [*dbshift_executable(), *args, "--url", self.url],
            cwd=self.root,
            env=env,
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def answered(self, answer: str, *args: str) -> tuple[int, str]:
        """Run ``dbshift *args`` with a terminal on stdin, ``answer`` typed at its question:
        the exit code and stderr (where the question is asked)."""
        leader, follower = os.openpty()
        proc = self.popen(*args, stdin=follower)
        os.close(follower)
        os.write(leader, f"{answer}\n".encode())
        _, err = proc.communicate(timeout=60)
        os.close(leader)
        return proc.returncode, err


@pytest.fixture
def project(db: Database, tmp_path: Path) -> Project:
    """A project on each backend in turn."""
    return Project(tmp_path, db.url)


def sql_migration(up: str, down: str | None = None, *, no_transaction: bool = False) -> str:
    head = "-- dbshift:no-transaction\n" if no_transaction else ""
    text = f"{head}-- dbshift:up\n{up}\n"
    if down is not None:
        text += f"\n-- dbshift:down\n{down}\n"
    return text
