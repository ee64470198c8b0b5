"""Throttle thresholds: what load slows a backfill down, and what pauses it.

Modelled on gh-ost's ``--max-load``/``--critical-load`` and pt-online-schema-change's
options of the same names, with server-neutral metric names so one online file means the
same on PostgreSQL and MySQL/MariaDB:

```toml
[throttle]
max_load = { running = 25, lock_waits = 8, replica_lag = 1.0 }   # wait while any is reached
critical_load = { running = 50 }                                   # pause; give up after
critical_timeout = 300                                             # ... this many seconds
nice_ratio = 0.0                                                   # sleep this x each batch
replicas = ["mysql://monitor@replica1/app"]                        # whose lag replica_lag is
```

The same table goes in ``dbshift.toml`` (top level or per environment) and on the command
line (``--max-load running=25,lock_waits=8``). Each source overlays the one before it per
key, and per metric inside the two maps: config, then the environment's table, then the
online file, then the command line.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import field
from typing import Any

from dbshift.connection import mask_text, parse_url
from dbshift.errors import UsageError
from dbshift.frozen import frozen

#: Metric -> what it measures, in the servers' own terms (``Dialect.load_sample``).
METRICS: dict[str, str] = {
    "running": "sessions running a statement, this one excluded (PostgreSQL: active client "
    "backends in pg_stat_activity; MySQL/MariaDB: Threads_running)",
    "lock_waits": "sessions waiting for a lock (PostgreSQL: wait_event_type 'Lock'; "
    "MySQL/MariaDB: Innodb_row_lock_current_waits)",
    "replica_lag": "seconds the furthest replica is behind, infinite when one is stopped or "
    "unreachable (PostgreSQL: pg_stat_replication's replay_lag on a primary, its own replay "
    "delay on a standby; MySQL/MariaDB: Seconds_Behind_Master on a replica), the largest of "
    "this server's and of each server listed in replicas",
}
_KEYS = ("max_load", "critical_load", "critical_timeout", "nice_ratio", "replicas")

#: pt-online-schema-change's defaults (Threads_running=25 throttles, 50 aborts): dbshift
#: pauses at the critical level and gives up only after ``critical_timeout``.
DEFAULT_MAX_LOAD: Mapping[str, float] = {"running": 25.0}
DEFAULT_CRITICAL_LOAD: Mapping[str, float] = {"running": 50.0}
DEFAULT_CRITICAL_TIMEOUT = 300.0


@frozen
class Thresholds:
    """One source's thresholds; None and missing metrics mean "not said here" so that
    sources overlay (``over``). ``resolved`` fills in the defaults."""

    max_load: Mapping[str, float] = field(default_factory=dict)
    critical_load: Mapping[str, float] = field(default_factory=dict)
    #: Seconds a backfill stays paused at a critical level before it stops with an error.
    critical_timeout: float | None = None
    #: After each batch, sleep this many times the batch's duration (gh-ost's
    #: ``--nice-ratio``): 1.0 halves the backfill's share of the server.
    nice_ratio: float | None = None
    #: Replicas whose own lag ``replica_lag`` also measures (database URLs), gh-ost's
    #: ``--throttle-control-replicas``: a MySQL/MariaDB primary cannot see its replicas' lag.
    replicas: tuple[str, ...] | None = None

    def over(self, base: Thresholds) -> Thresholds:
        """These thresholds laid over ``base``: each key and each metric said here wins."""
        return Thresholds(
            max_load={**base.max_load, **self.max_load},
            critical_load={**base.critical_load, **self.critical_load},
            critical_timeout=(
                self.critical_timeout
                if self.critical_timeout is not None
                else base.critical_timeout
            ),
            nice_ratio=self.nice_ratio if self.nice_ratio is not None else base.nice_ratio,
            replicas=self.replicas if self.replicas is not None else base.replicas,
        )

    def resolved(self) -> Thresholds:
        """Every key set: what was not said anywhere takes dbshift's default."""
        return self.over(DEFAULTS)

    def as_dict(self) -> dict[str, Any]:
        return {
            "max_load": dict(sorted(self.max_load.items())),
            "critical_load": dict(sorted(self.critical_load.items())),
            "critical_timeout": self.critical_timeout,
            "nice_ratio": self.nice_ratio,
            # Kept for display (the journal, online status): never a password.
            "replicas": None if self.replicas is None else [mask_text(u) for u in self.replicas],
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Thresholds:
        """What ``as_dict`` wrote (the journal's copy), trusted as already checked."""
        return cls(
            max_load=dict(raw.get("max_load") or {}),
            critical_load=dict(raw.get("critical_load") or {}),
            critical_timeout=raw.get("critical_timeout"),
            nice_ratio=raw.get("nice_ratio"),
            replicas=None if raw.get("replicas") is None else tuple(raw["replicas"]),
        )

    def describe(self) -> str:
        """One line: ``max running>=25, lock_waits>=8; critical running>=50 (300s)``."""

        def spell(levels: Mapping[str, float]) -> str:
            return ", ".join(f"{k}>={v:g}" for k, v in sorted(levels.items())) or "none"

        text = f"max {spell(self.max_load)}; critical {spell(self.critical_load)}"
        if self.critical_load and self.critical_timeout is not None:
            text += f" (pause up to {self.critical_timeout:g}s)"
        if self.nice_ratio:
            text += f"; nice ratio {self.nice_ratio:g}"
        if self.replicas:
            text += f"; replicas {', '.join(mask_text(u) for u in self.replicas)}"
        return text


DEFAULTS = Thresholds(
    max_load=DEFAULT_MAX_LOAD,
    critical_load=DEFAULT_CRITICAL_LOAD,
    critical_timeout=DEFAULT_CRITICAL_TIMEOUT,
    nice_ratio=0.0,
)


def _number(value: Any, where: str, *, positive: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        raise UsageError(f"{where} must be a number, not {value!r}")
    if value < 0 or (positive and value == 0):
        raise UsageError(f"{where} must be {'above' if positive else 'at least'} 0")
    return float(value)


def _levels(raw: Any, where: str) -> dict[str, float]:
    if not isinstance(raw, Mapping):
        raise UsageError(f"{where} must be a table such as {{ running = 25 }}")
    out = {}
    for metric, value in raw.items():
        if metric not in METRICS:
            known = ", ".join(sorted(METRICS))
            raise UsageError(f"{where}: unknown metric {metric!r} (known: {known})")
        out[str(metric)] = _number(value, f"{where}.{metric}", positive=True)
    return out


def parse_thresholds(raw: Any, where: str = "throttle") -> Thresholds:
    """A ``[throttle]`` table (online file or config), checked: unknown keys and metrics,
    non-numbers and negative values are one clear ``UsageError`` naming ``where``."""
    if raw is None:
        return Thresholds()
    if not isinstance(raw, Mapping):
        raise UsageError(f"{where} must be a table ([throttle])")
    unknown = set(raw) - set(_KEYS)
    if unknown:
        raise UsageError(f"{where}: unknown key {sorted(unknown)[0]!r} (known: {', '.join(_KEYS)})")
    timeout = raw.get("critical_timeout")
    ratio = raw.get("nice_ratio")
    return Thresholds(
        max_load=_levels(raw.get("max_load", {}), f"{where}.max_load"),
        critical_load=_levels(raw.get("critical_load", {}), f"{where}.critical_load"),
        critical_timeout=(
            None
            if timeout is None
            else _number(timeout, f"{where}.critical_timeout", positive=False)
        ),
        nice_ratio=None if ratio is None else _number(ratio, f"{where}.nice_ratio", positive=False),
        replicas=_replicas(raw.get("replicas"), f"{where}.replicas"),
    )


def _replicas(raw: Any, where: str) -> tuple[str, ...] | None:
    if raw is None:
        return None
    if isinstance(raw, str) or not isinstance(raw, list | tuple):
        raise UsageError(
            f'{where} must be a list of database URLs, e.g. ["mysql://u@replica1/app"]'
        )
    for url in raw:
        if not isinstance(url, str):
            raise UsageError(f"{where} must be a list of database URLs, not {url!r}")
        try:
            parse_url(url)  # a bad URL is a usage error now, not at the first batch
        except UsageError as exc:
            raise UsageError(f"{where}: {exc}") from None
    return tuple(raw)


def parse_levels(text: str, where: str) -> dict[str, float]:
    """``running=25,lock_waits=8`` (a command-line flag, gh-ost's spelling) as a map."""
    raw: dict[str, Any] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        metric, sep, value = part.partition("=")
        if not sep:
            raise UsageError(f"{where}: {part!r} is not METRIC=VALUE (e.g. running=25)")
        try:
            raw[metric.strip()] = float(value)
        except ValueError:
            raise UsageError(f"{where}: {value.strip()!r} is not a number") from None
    return _levels(raw, where)
