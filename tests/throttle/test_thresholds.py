"""Thresholds as the online file, the config (and its environments) and the command line
say them, overlaid in that order; bad values are one clear line."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbshift.config import load_settings
from dbshift.errors import ConfigError, MigrationFileError, UsageError
from dbshift.online.spec import parse_online
from dbshift.throttle import DEFAULTS, Thresholds, parse_levels, parse_thresholds

OPERATION = '[[operations]]\ntype = "drop_index"\ntable = "t"\nname = "i"\n'


def _file(throttle: str) -> Thresholds:
    return parse_online(throttle + "\n" + OPERATION, Path("1_x.toml")).throttle


def test_the_online_file_sets_thresholds() -> None:
    t = _file(
        "[throttle]\nmax_load = { running = 20, lock_waits = 4, replica_lag = 1.5 }\n"
        "critical_load = { lock_waits = 40 }\ncritical_timeout = 60\nnice_ratio = 0.5\n"
    )
    assert t == Thresholds(
        max_load={"running": 20.0, "lock_waits": 4.0, "replica_lag": 1.5},
        critical_load={"lock_waits": 40.0},
        critical_timeout=60.0,
        nice_ratio=0.5,
    )


def test_a_file_without_throttle_says_nothing_and_defaults_apply() -> None:
    t = _file("")
    assert t == Thresholds()
    assert t.resolved() == DEFAULTS
    assert DEFAULTS.max_load == {"running": 25.0}
    assert DEFAULTS.critical_load == {"running": 50.0}
    assert DEFAULTS.critical_timeout == 300.0


@pytest.mark.parametrize(
    ("throttle", "message"),
    [
        ("[throttle]\nmax_load = { cpu = 3 }", "unknown metric 'cpu'"),
        ("[throttle]\nmax_load = { running = -1 }", "max_load.running must be above 0"),
        ("[throttle]\nmax_load = { running = true }", "must be a number"),
        ("[throttle]\ncritical_timeout = -5", "critical_timeout must be at least 0"),
        ("[throttle]\nmax_lag = 1", "unknown key 'max_lag'"),
        ("throttle = 3", "must be a table"),
    ],
)
def test_bad_thresholds_in_the_file_are_one_clear_error(throttle: str, message: str) -> None:
    with pytest.raises(MigrationFileError, match=message) as info:
        _file(throttle)
    assert str(info.value).startswith("1_x.toml: [throttle]")
    assert info.value.exit_code == 2


def _settings(tmp_path: Path, text: str, environment: str | None = None) -> Thresholds:
    (tmp_path / "dbshift.toml").write_text(text, encoding="utf-8")
    return load_settings(
        cwd=tmp_path, config_path=None, environment=environment, overrides={}, environ={}
    ).throttle


def test_the_config_sets_thresholds_and_an_environment_overlays_them(tmp_path: Path) -> None:
    text = (
        "[throttle]\nmax_load = { running = 30 }\ncritical_timeout = 120\n"
        "[environments.prod.throttle]\nmax_load = { replica_lag = 2 }\n"
        "critical_load = { running = 80 }\n"
    )
    assert _settings(tmp_path, text) == Thresholds(
        max_load={"running": 30.0}, critical_timeout=120.0
    )
    assert _settings(tmp_path, text, "prod") == Thresholds(
        max_load={"running": 30.0, "replica_lag": 2.0},
        critical_load={"running": 80.0},
        critical_timeout=120.0,
    )


def test_bad_thresholds_in_the_config_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"dbshift.toml: \[throttle\].max_load: unknown metric"):
        _settings(tmp_path, "[throttle]\nmax_load = { load = 3 }\n")


def test_flags_over_file_over_config_per_metric() -> None:
    config = Thresholds(max_load={"running": 30.0, "lock_waits": 9.0}, critical_timeout=120.0)
    file = Thresholds(max_load={"running": 10.0}, nice_ratio=0.5)
    flags = Thresholds(max_load={"lock_waits": 2.0}, critical_load={"running": 40.0})
    assert flags.over(file.over(config)).resolved() == Thresholds(
        max_load={"running": 10.0, "lock_waits": 2.0},
        critical_load={"running": 40.0},
        critical_timeout=120.0,
        nice_ratio=0.5,
    )


def test_flag_spelling_is_gh_osts() -> None:
    assert parse_levels("running=25, lock_waits=8", "--max-load") == {
        "running": 25.0,
        "lock_waits": 8.0,
    }
    with pytest.raises(UsageError, match="--max-load: 'running' is not METRIC=VALUE"):
        parse_levels("running", "--max-load")
    with pytest.raises(UsageError, match="--max-load: 'x' is not a number"):
        parse_levels("running=x", "--max-load")
    assert parse_thresholds(None) == Thresholds()


def test_replicas_come_from_the_config_and_an_environment_replaces_the_list(
    tmp_path: Path,
) -> None:
    text = (
        '[throttle]\nreplicas = ["mysql://monitor:s3cret@replica1/app"]\n'
        "max_load = { replica_lag = 2 }\n"
        '[environments.prod.throttle]\nreplicas = ["mysql://m@r2/app", "mysql://m@r3/app"]\n'
    )
    assert _settings(tmp_path, text).replicas == ("mysql://monitor:s3cret@replica1/app",)
    prod = _settings(tmp_path, text, "prod")
    assert prod.replicas == ("mysql://m@r2/app", "mysql://m@r3/app")
    assert prod.max_load == {"replica_lag": 2.0}
    # Shown (online status, the journal's copy) without the password.
    shown = _settings(tmp_path, text).resolved()
    assert shown.as_dict()["replicas"] == ["mysql://monitor:***@replica1/app"]
    assert "s3cret" not in shown.describe() and "replica1" in shown.describe()
    # Nothing said: no replicas; an empty list in a later source says "none".
    assert Thresholds().resolved().replicas is None
    assert Thresholds(replicas=()).over(prod).replicas == ()


def test_replicas_in_the_online_file() -> None:
    t = _file('[throttle]\nreplicas = ["postgresql://u@standby1/app"]\n')
    assert t.replicas == ("postgresql://u@standby1/app",)


@pytest.mark.parametrize(
    ("replicas", "message"),
    [
        ('"mysql://u@r/app"', r"replicas must be a list of database URLs"),
        ("[3]", r"replicas must be a list of database URLs, not 3"),
        ('["oracle://u@r/app"]', r"\[throttle\]\.replicas: unsupported database URL scheme"),
    ],
)
def test_bad_replicas_are_one_clear_error(replicas: str, message: str) -> None:
    with pytest.raises(MigrationFileError, match=message):
        _file(f"[throttle]\nreplicas = {replicas}\n")
