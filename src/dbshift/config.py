"""One typed settings object, built once at the edge (the CLI) and passed down.

Sources, strongest first: command-line flags; the environment named by ``--env`` in the
config file; ``DBSHIFT_URL``; ``DATABASE_URL``; the config file's top level. An explicit
``--env`` beats the environment variables on purpose: ``dbshift --env prod migrate`` must
never touch whatever database a stray ``DATABASE_URL`` in the shell points at.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import field
from pathlib import Path
from typing import Any

from dbshift.errors import ConfigError, UsageError
from dbshift.frozen import frozen
from dbshift.throttle.thresholds import Thresholds, parse_thresholds

_KEYS: dict[str, type | tuple[type, ...]] = {
    "url": str,
    "dev_url": str,
    "migrations": str,
    "history_table": str,
    "history_schema": str,
    "lock_timeout": (int, float),
    "ddl_lock_timeout": (int, float),
    "ddl_lock_retries": int,
    "connect_timeout": (int, float),
    "out_of_order": bool,
    "drift_snapshots": bool,
    "strict_sum": bool,
    "lint": dict,
    "backup": str,
    "backup_dir": str,
    "backup_keep": int,
    "backup_keep_days": (int, float),
    "backup_tool": str,
    "placeholders": dict,
    "test": dict,
    "windows": list,
    "schemas": list,
    "include": list,
    "exclude": list,
    "definer": str,
    "throttle": dict,
}
BACKUP_MODES = ("destructive", "always", "never")
#: ``auto``: the server's dump tool, dbshift's built-in dump where it is missing.
BACKUP_TOOLS = ("auto", "builtin")
_TEST_KEYS = {"desired", "fixtures"}
_LINT_KEYS = {"select", "ignore", "server"}
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
# sqlite[+driver]:///relative/path[?query]; not :memory:, not four slashes, not file: URIs.
_SQLITE_RELATIVE = re.compile(r"^(sqlite(?:\+\w+)?):///(?!/|:memory:|file:)([^?]+)(\?.*)?$")
#: Placeholder names (``${name}`` in SQL migrations); also ``DBSHIFT_PLACEHOLDER_<name>``.
_PLACEHOLDER_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
PLACEHOLDER_ENV_PREFIX = "DBSHIFT_PLACEHOLDER_"
_TOML_POSITION = re.compile(r"\(at line (\d+), column \d+\)")


@frozen
class Settings:
    """Everything a command needs to know about where and how to migrate."""

    url: str | None = None
    url_source: str = "nowhere"
    migrations_dir: Path = Path("migrations")
    history_table: str = "dbshift_history"
    history_schema: str | None = None
    lock_timeout: float = 60.0
    #: How long each migration statement waits for its table lock (PostgreSQL
    #: ``lock_timeout``, MySQL ``lock_wait_timeout``) before it is retried; 0: no limit.
    ddl_lock_timeout: float = 5.0
    #: Retries after a lock timeout, with exponential backoff and jitter.
    ddl_lock_retries: int = 4
    connect_timeout: float = 10.0
    out_of_order: bool = False
    #: Store the schema after each migrate/rollback run, for ``dbshift drift``.
    drift_snapshots: bool = True
    environment: str | None = None
    config_file: Path | None = None
    environments: tuple[str, ...] = field(default_factory=tuple)
    #: A server where ``diff``/``generate`` may create and drop scratch databases to turn
    #: a schema.sql, SQLAlchemy metadata or a migrations directory into a live schema.
    dev_url: str | None = None
    lint: LintSettings = field(default_factory=lambda: LintSettings())
    #: When migrate/rollback back up first: ``destructive`` (before statements that can
    #: lose data), ``always`` or ``never``. See docs/backups.md.
    backup: str = "destructive"
    backup_dir: Path = Path(".dbshift/backups")
    #: Retention after each backup: keep the newest N and/or those younger than N days.
    backup_keep: int | None = None
    backup_keep_days: float | None = None
    backup_tool: str = "auto"
    #: ``backup_dir`` given as a URL (``s3://bucket/prefix``, any fsspec URL).
    backup_url: str | None = None
    #: Whether ``migrate`` refuses a ``dbshift.sum`` that is out of date with the pending
    #: files (else it re-hashes them with a notice), and why (for the messages).
    strict_sum: bool = True
    strict_sum_reason: str = "the default"
    #: ``${name}`` values for SQL migrations: ``[placeholders]``, then the chosen
    #: environment's ``[environments.NAME.placeholders]``, then ``DBSHIFT_PLACEHOLDER_<name>``.
    placeholders: Mapping[str, str] = field(default_factory=dict)
    test: TestSettings = field(default_factory=lambda: TestSettings())
    #: Default deployment windows (``sat,sun 01:00-05:00 UTC``) for migrations that name
    #: none, usually set per environment; see ``dbshift.migrations.schedule``.
    windows: tuple[str, ...] = ()

    #: Schemas inspect/diff/generate compare (``*``: all); () the default one. On MySQL
    #: they are databases, compared beside the URL's own.
    schemas: tuple[str, ...] = ()
    #: Object name patterns compared (empty: all) and left out (see dbshift.inspect.scope).
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    #: MySQL/MariaDB: the DEFINER written into CREATE VIEW, FUNCTION, PROCEDURE and
    #: TRIGGER (``CURRENT_USER`` or ``'user'@'host'``); None writes none, and the server
    #: records the user who runs the migration. Checked at load.
    definer: str | None = None
    #: The online backfill's throttle (``[throttle]``, the environment's laid over it per
    #: key); an online file's ``[throttle]`` and the command line's flags go over these.
    throttle: Thresholds = field(default_factory=Thresholds)


@frozen
class TestSettings:
    """``[test]`` in the config file: what ``dbshift test`` compares and loads."""

    #: The desired schema the migrations must reach: a schema .sql file or
    #: ``sqlalchemy:module:attr`` (relative paths: from the config file's directory).
    desired: str | None = None
    #: Data fixtures per version: ``<dir>/<version>.sql`` or ``.py``.
    fixtures: Path = Path("tests/migrations")


@frozen
class LintSettings:
    """``[lint]`` in the config file: which rules run, and which server they judge for."""

    #: Rule ids to run (empty: all).
    select: tuple[str, ...] = ()
    #: Rule ids never to run.
    ignore: tuple[str, ...] = ()
    #: ``postgresql-15``, ``mysql-8.0.36``, ``mariadb-10.11``, ``sqlite-3.40``.
    server: str | None = None


def find_config_file(start: Path) -> Path | None:
    """``dbshift.toml``, else a ``pyproject.toml`` with ``[tool.dbshift]``, in ``start`` or
    the nearest directory above it, as git finds ``.git``: a command run from
    ``src/app/`` uses the project's configuration, not none at all. The walk stops after
    a directory holding ``.git`` (the project's root; a config above it belongs to
    something else)."""
    for directory in (start, *start.parents):
        candidate = directory / "dbshift.toml"
        if candidate.is_file():
            return candidate
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file() and "[tool.dbshift" in pyproject.read_text(encoding="utf-8"):
            return pyproject
        if (directory / ".git").exists():
            return None
    return None


def anchored_sqlite_url(url: str, base_dir: Path) -> str:
    """A relative SQLite path in a config file names a file beside that config file.

    Relative to the current directory instead, ``dbshift --config ../../dbshift.toml``
    from a subdirectory would create an empty database there and report every migration
    pending. URLs from flags and the environment stay relative to the current directory,
    as a shell user expects.
    """
    match = _SQLITE_RELATIVE.match(url)
    if match is None:
        return url
    return f"{match.group(1)}:///{(base_dir / match.group(2)).resolve()}{match.group(3) or ''}"


def read_config_file(path: Path) -> dict[str, Any]:
    """The dbshift table of a TOML file; malformed TOML is reported as ``file:line``."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        pos = _TOML_POSITION.search(msg)
        where = f"{path}:{pos.group(1)}" if pos else str(path)
        raise ConfigError(f"{where}: invalid TOML: {_TOML_POSITION.sub('', msg).strip()}") from None
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get("dbshift")
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [tool.dbshift] must be a table")
        return table
    return data


def load_settings(
    *,
    cwd: Path,
    config_path: Path | None,
    environment: str | None,
    overrides: Mapping[str, Any],
    environ: Mapping[str, str] = os.environ,
) -> Settings:
    """Merge file, environment and flags into one ``Settings``."""
    path = config_path if config_path is not None else find_config_file(cwd)
    if config_path is not None and not config_path.is_file():
        raise ConfigError(f"{config_path}: config file not found")
    raw: dict[str, Any] = read_config_file(path) if path else {}
    label = str(path) if path else "config"
    envs = raw.pop("environments", {})
    if not isinstance(envs, dict) or not all(isinstance(v, dict) for v in envs.values()):
        raise ConfigError(f"{label}: [environments.NAME] entries must be tables")
    base = _checked(raw, label)
    values: dict[str, Any] = dict(base)
    placeholders = _placeholders(base.get("placeholders", {}), label)
    throttle = _throttle(base.get("throttle"), label)
    sources = {"url": f"{label} (url)"} if "url" in base else {}
    if environment is not None:
        if environment not in envs:
            known = ", ".join(sorted(envs)) or "none defined"
            raise ConfigError(f"unknown environment {environment!r} (known: {known})")
        env_values = _checked(envs[environment], f"{label} [environments.{environment}]")
        values.update(env_values)
        throttle = _throttle(
            env_values.get("throttle"), f"{label} [environments.{environment}]"
        ).over(throttle)
        placeholders.update(
            _placeholders(
                env_values.get("placeholders", {}), f"{label} [environments.{environment}]"
            )
        )
        if "url" in env_values:
            sources["url"] = f"{label} [environments.{environment}]"
    explicit_env_url = environment is not None and "url" in sources
    if not explicit_env_url:
        for var in ("DATABASE_URL", "DBSHIFT_URL"):  # later wins: DBSHIFT_URL is stronger
            if environ.get(var):
                values["url"], sources["url"] = environ[var], f"${var}"
    for key, value in overrides.items():
        if value is not None:
            values[key] = value
            if key == "url":
                sources["url"] = "--url"
    base_dir = path.parent if path else cwd
    url = values.get("url")
    if isinstance(url, str) and sources.get("url", "").startswith(label):
        url = _expand_env_refs(url, environ, label)
        if path is not None:
            url = anchored_sqlite_url(url, base_dir)
    migrations = Path(values.get("migrations", "migrations"))
    if not migrations.is_absolute() and overrides.get("migrations") is None:
        migrations = base_dir / migrations
    backup_url = values.get("backup_dir")
    backup_url = backup_url if isinstance(backup_url, str) and "://" in backup_url else None
    backup_dir = Path(values.get("backup_dir", ".dbshift/backups") if not backup_url else ".")
    if not backup_dir.is_absolute() and overrides.get("backup_dir") is None:
        backup_dir = base_dir / backup_dir
    strict, strict_reason = _strict_sum(values, environment, environ, label)
    return Settings(
        strict_sum=strict,
        strict_sum_reason=strict_reason,
        url=url,
        url_source=sources.get("url", "nowhere"),
        migrations_dir=migrations,
        history_table=values.get("history_table", "dbshift_history"),
        history_schema=values.get("history_schema"),
        lock_timeout=float(values.get("lock_timeout", 60.0)),
        ddl_lock_timeout=float(values.get("ddl_lock_timeout", 5.0)),
        ddl_lock_retries=int(values.get("ddl_lock_retries", 4)),
        connect_timeout=float(values.get("connect_timeout", 10.0)),
        out_of_order=bool(values.get("out_of_order", False)),
        drift_snapshots=bool(values.get("drift_snapshots", True)),
        environment=environment,
        config_file=path,
        environments=tuple(sorted(envs)),
        dev_url=_dev_url(values, environ, label),
        lint=_lint(values.get("lint", {}), label),
        backup=values.get("backup", "destructive"),
        backup_dir=backup_dir,
        backup_keep=values.get("backup_keep"),
        backup_keep_days=values.get("backup_keep_days"),
        backup_tool=values.get("backup_tool", "auto"),
        backup_url=backup_url,
        placeholders={**placeholders, **_placeholder_vars(environ)},
        test=_test(values.get("test", {}), label, base_dir),
        windows=_windows(values.get("windows", []), label),
        schemas=tuple(values.get("schemas", ())),
        include=tuple(values.get("include", ())),
        exclude=tuple(values.get("exclude", ())),
        definer=values.get("definer"),
        throttle=throttle,
    )


def _throttle(table: Any, label: str) -> Thresholds:
    try:
        return parse_thresholds(table, "[throttle]")
    except UsageError as exc:
        raise ConfigError(f"{label}: {exc}") from None


def _strict_sum(
    values: Mapping[str, Any], environment: str | None, environ: Mapping[str, str], label: str
) -> tuple[bool, str]:
    """Atlas's split: the sum file guards shared databases and CI, not a developer's loop.

    ``strict_sum`` in the file (top level or per environment) decides; without it, a run
    is strict on CI (``$CI`` set) and against a named environment (``--env``), and
    lenient otherwise: a local ``migrate`` re-hashes edited pending files with a notice.
    """
    if "strict_sum" in values:
        return bool(
            values["strict_sum"]
        ), f"strict_sum = {str(values['strict_sum']).lower()} in {label}"
    if environ.get("CI", "").strip().lower() in ("1", "true", "yes"):
        return True, "$CI is set"
    if environment is not None:
        return True, f"--env {environment}"
    return False, "a local run (no --env, no $CI)"


def _placeholders(table: Mapping[str, Any], label: str) -> dict[str, str]:
    """A ``[placeholders]`` table: names as in SQL, scalar values rendered as text."""
    out = {}
    for name, value in table.items():
        if not _PLACEHOLDER_NAME.match(name):
            raise ConfigError(f"{label}: placeholder name {name!r} must be a word ([A-Za-z0-9_])")
        if isinstance(value, bool):
            value = "true" if value else "false"
        if not isinstance(value, (str, int, float)):
            raise ConfigError(f"{label}: placeholder {name} must be a string or a number")
        out[name] = str(value)
    return out


def _placeholder_vars(environ: Mapping[str, str]) -> dict[str, str]:
    """``DBSHIFT_PLACEHOLDER_<name>``: the strongest source, for CI and secrets."""
    return {
        key[len(PLACEHOLDER_ENV_PREFIX) :]: value
        for key, value in environ.items()
        if key.startswith(PLACEHOLDER_ENV_PREFIX)
        and _PLACEHOLDER_NAME.match(key[len(PLACEHOLDER_ENV_PREFIX) :])
    }


def _test(table: Mapping[str, Any], label: str, base_dir: Path) -> TestSettings:
    unknown = set(table) - _TEST_KEYS
    if unknown:
        known = ", ".join(sorted(_TEST_KEYS))
        raise ConfigError(
            f"{label}: [test] has unknown key {sorted(unknown)[0]!r} (known: {known})"
        )
    for key in _TEST_KEYS:
        if key in table and not isinstance(table[key], str):
            raise ConfigError(f"{label}: [test] {key} must be a string")
    desired = table.get("desired")
    if isinstance(desired, str) and not desired.startswith("sqlalchemy:") and "://" not in desired:
        desired = str(base_dir / desired)
    fixtures = Path(table.get("fixtures", "tests/migrations"))
    return TestSettings(
        desired=desired, fixtures=fixtures if fixtures.is_absolute() else base_dir / fixtures
    )


def _windows(value: Any, label: str) -> tuple[str, ...]:
    if not all(isinstance(v, str) for v in value):
        raise ConfigError(
            f"{label}: windows must be a list of strings such as 'sat,sun 01:00-05:00 UTC'"
        )
    if not value:
        return ()  # the common case: no need to import the window parser
    from dbshift.migrations.schedule import ScheduleError, parse_window

    for text in value:
        try:
            parse_window(text)
        except ScheduleError as exc:
            raise ConfigError(f"{label}: windows: {exc}") from None
    return tuple(value)


def _lint(table: Mapping[str, Any], label: str) -> LintSettings:
    unknown = set(table) - _LINT_KEYS
    if unknown:
        known = ", ".join(sorted(_LINT_KEYS))
        raise ConfigError(
            f"{label}: [lint] has unknown key {sorted(unknown)[0]!r} (known: {known})"
        )
    lists = {}
    for key in ("select", "ignore"):
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{label}: [lint] {key} must be a list of rule ids")
        lists[key] = tuple(value)
    server = table.get("server")
    if server is not None and not isinstance(server, str):
        raise ConfigError(f"{label}: [lint] server must be a string such as 'mariadb-10.11'")
    return LintSettings(select=lists["select"], ignore=lists["ignore"], server=server)


def _dev_url(values: Mapping[str, Any], environ: Mapping[str, str], label: str) -> str | None:
    raw = values.get("dev_url") or environ.get("DBSHIFT_DEV_URL")
    return _expand_env_refs(raw, environ, label) if isinstance(raw, str) else None


def _checked(table: Mapping[str, Any], label: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in table.items():
        expected = _KEYS.get(key)
        if expected is None:
            known = ", ".join(sorted(_KEYS))
            raise ConfigError(f"{label}: unknown key {key!r} (known: {known})")
        if not isinstance(value, expected) or (expected is not bool and isinstance(value, bool)):
            raise ConfigError(f"{label}: {key} has the wrong type ({type(value).__name__})")
        out[key] = value
    for key in ("schemas", "include", "exclude"):
        if key in out and not all(isinstance(v, str) and v for v in out[key]):
            raise ConfigError(f"{label}: {key} must be a list of names or patterns")
    if "definer" in out:
        from dbshift.dialects.mysql.definer import parse_definer

        try:
            parse_definer(out["definer"])
        except ConfigError as exc:
            raise ConfigError(f"{label}: {exc}") from None
    for key in ("lock_timeout", "connect_timeout"):
        if key in out and out[key] <= 0:
            raise ConfigError(f"{label}: {key} must be positive")
    if "backup" in out and out["backup"] not in BACKUP_MODES:
        raise ConfigError(
            f"{label}: backup must be one of {', '.join(BACKUP_MODES)}, not {out['backup']!r}"
        )
    if "backup_tool" in out and out["backup_tool"] not in BACKUP_TOOLS:
        raise ConfigError(
            f"{label}: backup_tool must be one of {', '.join(BACKUP_TOOLS)}, "
            f"not {out['backup_tool']!r}"
        )
    for key in ("backup_keep", "backup_keep_days"):
        if key in out and out[key] < 0:
            raise ConfigError(f"{label}: {key} must not be negative")
    for key in ("ddl_lock_timeout", "ddl_lock_retries"):
        if key in out and out[key] < 0:
            raise ConfigError(f"{label}: {key} must be 0 or more")
    return out


def _expand_env_refs(url: str, environ: Mapping[str, str], label: str) -> str:
    """``${VAR}`` in a config URL keeps secrets out of the file."""

    def sub(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in environ:
            raise ConfigError(f"{label}: url refers to ${{{name}}}, which is not set")
        return environ[name]

    return _ENV_REF.sub(sub, url)
