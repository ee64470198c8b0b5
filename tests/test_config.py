"""Settings precedence and config validation (pure: no database)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbshift.config import load_settings
from dbshift.errors import ConfigError


def settings(
    tmp_path: Path, toml: str | None = None, *, env: str | None = None, environ=None, **overrides
):  # type: ignore[no-untyped-def]
    if toml is not None:
        (tmp_path / "dbshift.toml").write_text(toml)
    return load_settings(
        cwd=tmp_path, config_path=None, environment=env, overrides=overrides, environ=environ or {}
    )


def test_precedence_flag_then_dbshift_url_then_database_url_then_file(tmp_path: Path) -> None:
    toml = 'url = "sqlite:///file.db"\n'
    # A relative SQLite path in the file is anchored to the file's directory.
    assert settings(tmp_path, toml).url == f"sqlite:///{(tmp_path / 'file.db').resolve()}"
    assert (
        settings(tmp_path, toml, environ={"DATABASE_URL": "sqlite:///d.db"}).url == "sqlite:///d.db"
    )
    both = {"DATABASE_URL": "sqlite:///d.db", "DBSHIFT_URL": "sqlite:///s.db"}
    assert settings(tmp_path, toml, environ=both).url == "sqlite:///s.db"
    flagged = settings(tmp_path, toml, environ=both, url="sqlite:///flag.db")
    assert flagged.url == "sqlite:///flag.db" and flagged.url_source == "--url"


def test_explicit_environment_beats_environment_variables(tmp_path: Path) -> None:
    toml = '[environments.prod]\nurl = "sqlite:///prod.db"\nlock_timeout = 5\n'
    chosen = settings(tmp_path, toml, env="prod", environ={"DATABASE_URL": "sqlite:///d.db"})
    assert chosen.url == f"sqlite:///{(tmp_path / 'prod.db').resolve()}"
    assert chosen.lock_timeout == 5.0


def test_env_references_are_expanded_and_missing_ones_are_errors(tmp_path: Path) -> None:
    toml = 'url = "postgresql://app:${PW}@db/app"\n'
    assert settings(tmp_path, toml, environ={"PW": "x"}).url == "postgresql://app:x@db/app"
    with pytest.raises(ConfigError, match=r"\$\{PW\}, which is not set"):
        settings(tmp_path, toml)


def test_migrations_dir_is_relative_to_the_config_file(tmp_path: Path) -> None:
    assert settings(tmp_path, 'migrations = "db/m"\n').migrations_dir == tmp_path / "db" / "m"


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('lock_timeout = "soon"\n', "lock_timeout has the wrong type"),
        ("lock_timeout = -1\n", "lock_timeout must be positive"),
        ("out_of_order = 1\n", "out_of_order has the wrong type"),
        ("environments = 3\n", "must be tables"),
        ('colour = "red"\n', "unknown key 'colour'"),
        ('schemas = "app"\n', "schemas has the wrong type"),
        ("exclude = [1]\n", "exclude must be a list of names or patterns"),
        ('include = [""]\n', "include must be a list of names or patterns"),
    ],
)
def test_bad_values_are_config_errors(tmp_path: Path, toml: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        settings(tmp_path, toml)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:///app.db", "sqlite:////base/app.db"),
        ("sqlite+pysqlite:///db/app.db?timeout=5", "sqlite+pysqlite:////base/db/app.db?timeout=5"),
        ("sqlite:////abs/app.db", "sqlite:////abs/app.db"),
        ("sqlite:///:memory:", "sqlite:///:memory:"),
        ("sqlite://", "sqlite://"),
        ("sqlite:///file:app.db?uri=true", "sqlite:///file:app.db?uri=true"),
        ("postgresql://h/db", "postgresql://h/db"),
    ],
)
def test_relative_sqlite_paths_are_anchored_to_the_config_directory(
    url: str, expected: str
) -> None:
    from dbshift.config import anchored_sqlite_url

    assert anchored_sqlite_url(url, Path("/base")) == expected


def test_ddl_lock_timeout_defaults_and_is_set_per_environment(tmp_path: Path) -> None:
    toml = (
        "ddl_lock_timeout = 3\n[environments.prod]\nddl_lock_timeout = 1.5\nddl_lock_retries = 2\n"
    )
    base = settings(tmp_path, toml)
    assert (base.ddl_lock_timeout, base.ddl_lock_retries) == (3.0, 4)
    prod = settings(tmp_path, toml, env="prod")
    assert (prod.ddl_lock_timeout, prod.ddl_lock_retries) == (1.5, 2)
    assert settings(tmp_path, toml, ddl_lock_timeout=0.0).ddl_lock_timeout == 0.0  # the flag
    (tmp_path / "dbshift.toml").unlink()
    assert settings(tmp_path).ddl_lock_timeout == 5.0


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("ddl_lock_timeout = -1\n", "ddl_lock_timeout must be 0 or more"),
        ("ddl_lock_retries = 1.5\n", "ddl_lock_retries has the wrong type"),
        ('ddl_lock_timeout = "5s"\n', "ddl_lock_timeout has the wrong type"),
    ],
)
def test_bad_ddl_lock_settings_are_config_errors(tmp_path: Path, toml: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        settings(tmp_path, toml)


def test_schemas_and_patterns_from_the_file_and_flags(tmp_path: Path) -> None:
    found = settings(tmp_path, 'schemas = ["app", "tenant_*"]\nexclude = ["audit.*"]\n')
    assert found.schemas == ("app", "tenant_*")
    assert found.exclude == ("audit.*",) and found.include == ()
    flagged = settings(tmp_path, 'schemas = ["app"]\n', schemas=["*"], include=["app.*"])
    assert flagged.schemas == ("*",) and flagged.include == ("app.*",)
