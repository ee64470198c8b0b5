"""dbshift's pytest plugin (registered through the ``pytest11`` entry point).

Fixtures for a project's own migration tests:

- ``dbshift_config``: the project's ``Settings`` (its ``dbshift.toml``; override the fixture
  to point elsewhere, as with pytest-alembic's ``alembic_config``);
- ``dbshift_db``: a scratch database of the project's server kind (a temporary SQLite
  file, or one created on ``dev_url`` and dropped), per test or, with the ini option
  ``dbshift_db_scope = session``, per session;
- ``dbshift_runner``: ``migrate(to=V)``, ``rollback(to=V)``, ``execute``, ``scalar`` and
  ``schema()`` on that database, inside a test.

And the standard tests of ``dbshift test`` (``pytest --dbshift``, ``dbshift = true`` in the
ini file, or ``pytest_plugins = ["dbshift.pytest_plugin.standard"]`` in ``conftest.py``):
``dbshift::sum``, one ``dbshift::stairway[<file>]`` per migration (up, down, the schema
after down equal to the one before up, data fixtures), ``dbshift::idempotency`` and
``dbshift::models``. They share one run of the stairway, so a failure names the migration
without running the whole chain once per test.

Imports stay inside functions: this module is loaded by every pytest run of every project
that has dbshift installed, and must cost nothing there.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, CursorResult

    from dbshift.config import Settings
    from dbshift.dialects import Dialect
    from dbshift.model import Schema
    from dbshift.runner.session import Session
    from dbshift.runner.stairway import Check, TestReport


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("dbshift", "dbshift migration tests")
    group.addoption(
        "--dbshift",
        action="store_true",
        default=False,
        help="add dbshift's standard migration tests (stairway per migration, idempotency, models)",
    )
    group.addoption("--dbshift-config", default=None, help="dbshift.toml or pyproject.toml to use")
    parser.addini("dbshift", type="bool", default=False, help="add the standard migration tests")
    parser.addini("dbshift_config", default="", help="dbshift.toml or pyproject.toml to use")
    parser.addini(
        "dbshift_db_scope", default="function", help="scope of dbshift_db: function or session"
    )
    parser.addini(
        "dbshift_dialect",
        default="",
        help="server kind of the scratch database (default: the configured url's, else sqlite)",
    )


# -- settings ----------------------------------------------------------------------------------


def load_config(config: pytest.Config) -> Settings:
    """The project's settings as the plugin sees them (options, then ini, then rootdir)."""
    from dbshift.config import load_settings

    explicit = config.getoption("--dbshift-config") or config.getini("dbshift_config")
    path = Path(explicit) if explicit else None
    if path is not None and not path.is_absolute():
        path = config.rootpath / path
    return load_settings(cwd=config.rootpath, config_path=path, environment=None, overrides={})


def dialect_of(settings: Settings, config: pytest.Config) -> Dialect:
    from dbshift.dialects import dialect_for, named

    chosen = str(config.getini("dbshift_dialect") or "")
    if chosen:
        return named(chosen)
    from dbshift.connection import parse_url

    for url in (settings.url, settings.dev_url):
        if url:
            return dialect_for(parse_url(url))
    from dbshift.dialects.sqlite import SQLiteDialect

    return SQLiteDialect()


# -- fixtures ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScratchDatabase:
    """A database made for the test and dropped after it."""

    url: str
    sql_dialect: Dialect
    settings: Settings

    @property
    def dialect(self) -> str:
        """The server kind's name (``postgresql``, ``mysql``, ``sqlite``), for tests to
        branch on."""
        return self.sql_dialect.name

    def __repr__(self) -> str:  # pytest prints fixtures in failures: never a password
        from dbshift.connection import mask_text

        return f"ScratchDatabase({mask_text(self.url)!r}, {self.dialect!r})"


@pytest.fixture(scope="session")
def dbshift_config(pytestconfig: pytest.Config) -> Settings:
    """The project's dbshift settings; override this fixture to test another directory."""
    return load_config(pytestconfig)


def _db_scope(fixture_name: str, config: pytest.Config) -> str:
    scope = str(config.getini("dbshift_db_scope") or "function")
    if scope not in ("function", "module", "session"):
        raise pytest.UsageError(
            f"dbshift_db_scope must be function, module or session, not {scope!r}"
        )
    return scope


@pytest.fixture(scope=_db_scope)  # type: ignore[arg-type]
def dbshift_db(dbshift_config: Settings, pytestconfig: pytest.Config) -> Iterator[ScratchDatabase]:
    """An empty scratch database of the project's server kind, dropped afterwards."""
    from dataclasses import replace

    from dbshift.runner.sources import scratch_database

    dialect = dialect_of(dbshift_config, pytestconfig)
    with scratch_database(dbshift_config, dialect) as url:
        raw = url.render_as_string(hide_password=False)
        yield ScratchDatabase(raw, dialect, replace(dbshift_config, url=raw, history_schema=None))


class Runner:
    """Migrate and roll back the scratch database inside a test."""

    def __init__(self, database: ScratchDatabase) -> None:
        from dbshift.online.whole import register
        from dbshift.runner.session import QuietReporter, Session

        register()  # online files (.toml) are applied whole, as 'dbshift migrate' does
        self.database = database
        self.session: Session = Session(database.settings, QuietReporter())

    @property
    def url(self) -> str:
        return self.database.url

    @property
    def connection(self) -> Connection:
        return self.session.conn

    def migrate(self, to: str | int | None = None) -> int:
        """Apply pending migrations up to ``to`` (all by default); return how many ran."""
        return self.session.migrate(to=None if to is None else str(to))

    def rollback(self, to: str | int | None = None, *, count: int | None = None) -> int:
        """Revert down to ``to`` (``0``: everything), or the newest ``count`` (default 1)."""
        if to is None:
            return self.session.rollback(count=count or 1)
        return self.session.rollback(to=str(to))

    def applied(self) -> list[str]:
        """Applied versions, oldest first."""
        return [row.version for row in self.session.analysis().applied]

    def pending(self) -> list[str]:
        return [m.version for m in self.session.analysis().pending]

    def versions(self) -> list[str]:
        return [m.version for m in self.session.migrations()]

    def execute(self, sql: str, params: dict[str, Any] | None = None) -> CursorResult[Any]:
        """One statement with ``:name`` parameters, committed at once."""
        from sqlalchemy import text

        return self.connection.execute(text(sql), params or {})

    def scalar(self, sql: str, params: dict[str, Any] | None = None) -> Any:
        return self.execute(sql, params).scalar()

    def schema(self) -> Schema:
        """The live schema (dbshift's history tables left out)."""
        from dbshift.inspect import inspect_schema
        from dbshift.runner.sources import own_tables

        return inspect_schema(self.connection, exclude=own_tables(self.database.settings))

    def close(self) -> None:
        self.session.close()


@pytest.fixture
def dbshift_runner(dbshift_db: ScratchDatabase) -> Iterator[Runner]:
    """A ``Runner`` on ``dbshift_db``."""
    runner = Runner(dbshift_db)
    try:
        yield runner
    finally:
        runner.close()


@pytest.fixture(scope="session")
def dbshift_stairway(dbshift_config: Settings, pytestconfig: pytest.Config) -> TestReport:
    """``dbshift test``'s report on ``dbshift_config``'s migrations, run once per session;
    ``assert_passed(report)`` fails naming each migration and check at fault."""
    from dbshift.runner import stairway

    return stairway.run(dbshift_config, dialect_of(dbshift_config, pytestconfig))


def assert_passed(report: TestReport, filename: str | None = None) -> None:
    """Fail the calling test with dbshift's lines for every failed check (of one file)."""
    lines = [
        f"{name or 'dbshift'}: {_describe(check)}"
        for name, check in report.failures
        if filename is None or name == filename
    ]
    if lines:
        pytest.fail("\n".join(lines), pytrace=False)


# -- the standard tests ------------------------------------------------------------------------


def _enabled(config: pytest.Config) -> bool:
    return bool(config.getoption("--dbshift") or config.getini("dbshift"))


_REPORT = pytest.StashKey["TestReport | BaseException"]()


class CheckFailed(Exception):
    """A standard test's failure, shown as dbshift's own lines, not a traceback."""


class StandardItem(pytest.Item):
    """One of ``dbshift test``'s verdicts as a pytest test."""

    def __init__(self, *, check: str, filename: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.check = check
        self.filename = filename
        self.add_marker("dbshift")

    def runtest(self) -> None:
        report = _report(self.config)
        checks = self._checks(report)
        failed = [c for c in checks if c.status == "failed"]
        if failed:
            raise CheckFailed("\n".join(_describe(c) for c in failed))
        if not checks:
            stopped = [c for c in report.checks if c.name in ("stopped", "setup")]
            reason = stopped[0].message if stopped else "not reached"
            pytest.skip(f"not tested: {reason}")
        if all(c.status == "skipped" for c in checks):
            pytest.skip("; ".join(c.message for c in checks))

    def _checks(self, report: TestReport) -> list[Check]:
        if self.filename is not None:
            for migration in report.migrations:
                if migration.filename == self.filename:
                    return list(migration.checks)
            return []
        return [c for c in report.checks if c.name == self.check]

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, CheckFailed):
            return str(excinfo.value)
        from dbshift.errors import DbshiftError

        if isinstance(excinfo.value, DbshiftError):
            return f"dbshift: {excinfo.value.message}"
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, self.name


def _describe(check: Check) -> str:
    where = f"{check.where}: " if check.where and not check.message.startswith(check.where) else ""
    return "\n".join([f"{check.name}: {where}{check.message}", *(f"    {d}" for d in check.diff)])


def _report(config: pytest.Config) -> TestReport:
    """Run the stairway once per session, at the first standard test that needs it."""
    stored = config.stash.get(_REPORT, None)
    if stored is None:
        from dbshift.runner import stairway

        try:
            settings = load_config(config)
            stored = stairway.run(settings, dialect_of(settings, config))
        except BaseException as exc:  # remembered: every standard test reports it
            stored = exc
        config.stash[_REPORT] = stored
    if isinstance(stored, BaseException):
        raise stored
    return stored


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Append the standard tests (before ``-k``/``-m`` deselection, which runs after)."""
    if not _enabled(config):
        return
    from dbshift.migrations import loader

    settings = load_config(config)
    try:
        files = loader.scan(settings.migrations_dir)
    except Exception as exc:
        raise pytest.UsageError(f"dbshift: {exc}") from None

    def item(name: str, check: str, filename: str | None = None) -> pytest.Item:
        # nodeid given: under the session, pytest would prefix it with '::'
        return StandardItem.from_parent(
            session, name=name, nodeid=name, check=check, filename=filename
        )

    added = [item("dbshift::sum", "sum")]
    added += [item(f"dbshift::stairway[{f.path.name}]", "stairway", f.path.name) for f in files]
    added += [item(f"dbshift::{check}", check) for check in ("idempotency", "models")]
    items.extend(added)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "dbshift: dbshift's standard migration tests")
