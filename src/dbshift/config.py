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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dbshift.errors import ConfigError

_KEYS: dict[str, type | tuple[type, ...]] = {
    "url": str,
    "dev_url": str,
    "migrations": str,
    "history_table": str,
    "history_schema": str,
    "lock_timeout": (int, float),
    "connect_timeout": (int, float),
    "out_of_order": bool,
    "lint": dict,
    "schemas": list,
    "include": list,
    "exclude": list,
}
_LINT_KEYS = {"select", "ignore", "server"}
#: The online engine's journal (one per base schema): dbshift's own, like the history
#: table, so schema inspection leaves it out.
ONLINE_JOURNAL_TABLE = "dbshift_online"
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_TOML_POSITION = re.compile(r"\(at line (\d+), column \d+\)")


@dataclass(frozen=True)
class Settings:
    """Everything a command needs to know about where and how to migrate."""

    url: str | None = None
    url_source: str = "nowhere"
    migrations_dir: Path = Path("migrations")
    history_table: str = "dbshift_history"
    history_schema: str | None = None
    lock_timeout: float = 60.0
    connect_timeout: float = 10.0
    out_of_order: bool = False
    environment: str | None = None
    config_file: Path | None = None
    environments: tuple[str, ...] = field(default_factory=tuple)
    #: A server where ``diff``/``generate`` may create and drop scratch databases to turn
    #: a schema.sql, SQLAlchemy metadata or a migrations directory into a live schema.
    dev_url: str | None = None
    lint: LintSettings = field(default_factory=lambda: LintSettings())
    #: PostgreSQL schemas inspect/diff/generate compare (``*``: all); () the default one.
    schemas: tuple[str, ...] = ()
    #: Object name patterns compared (empty: all) and left out (see dbshift.inspect.scope).
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True)
class LintSettings:
    """``[lint]`` in the config file: which rules run, and which server they judge for."""

    #: Rule ids to run (empty: all).
    select: tuple[str, ...] = ()
    #: Rule ids never to run.
    ignore: tuple[str, ...] = ()
    #: ``postgresql-15``, ``mysql-8.0.36``, ``mariadb-10.11``, ``sqlite-3.40``.
    server: str | None = None


def find_config_file(start: Path) -> Path | None:
    """``dbshift.toml`` in ``start``, else a ``pyproject.toml`` there with ``[tool.dbshift]``."""
    candidate = start / "dbshift.toml"
    if candidate.is_file():
        return candidate
    pyproject = start / "pyproject.toml"
    if pyproject.is_file() and "[tool.dbshift" in pyproject.read_text(encoding="utf-8"):
        return pyproject
    return None


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
    sources = {"url": f"{label} (url)"} if "url" in base else {}
    if environment is not None:
        if environment not in envs:
            known = ", ".join(sorted(envs)) or "none defined"
            raise ConfigError(f"unknown environment {environment!r} (known: {known})")
        env_values = _checked(envs[environment], f"{label} [environments.{environment}]")
        values.update(env_values)
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
    migrations = Path(values.get("migrations", "migrations"))
    if not migrations.is_absolute() and overrides.get("migrations") is None:
        migrations = base_dir / migrations
    return Settings(
        url=url,
        url_source=sources.get("url", "nowhere"),
        migrations_dir=migrations,
        history_table=values.get("history_table", "dbshift_history"),
        history_schema=values.get("history_schema"),
        lock_timeout=float(values.get("lock_timeout", 60.0)),
        connect_timeout=float(values.get("connect_timeout", 10.0)),
        out_of_order=bool(values.get("out_of_order", False)),
        environment=environment,
        config_file=path,
        environments=tuple(sorted(envs)),
        dev_url=_dev_url(values, environ, label),
        lint=_lint(values.get("lint", {}), label),
        schemas=tuple(values.get("schemas", ())),
        include=tuple(values.get("include", ())),
        exclude=tuple(values.get("exclude", ())),
    )


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
    for key in ("lock_timeout", "connect_timeout"):
        if key in out and out[key] <= 0:
            raise ConfigError(f"{label}: {key} must be positive")
    return out


def _expand_env_refs(url: str, environ: Mapping[str, str], label: str) -> str:
    """``${VAR}`` in a config URL keeps secrets out of the file."""

    def sub(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in environ:
            raise ConfigError(f"{label}: url refers to ${{{name}}}, which is not set")
        return environ[name]

    return _ENV_REF.sub(sub, url)
