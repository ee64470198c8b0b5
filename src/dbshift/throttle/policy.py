"""The throttle: before each batch, ask the server how loaded it is, and wait if need be.

gh-ost's model, with its sharp edge filed off. Below ``max_load`` a batch goes at once. At
or above any ``max_load`` metric the backfill waits, probing again with a growing interval
(0.1 s up to 2 s), until every metric is back below: the server's load, not the backfill's
own speed, decides (gh-ost throttles the same way; Spirit adapts its chunks to their own
latency, which the backfill also does). At or above any ``critical_load`` metric it pauses
in the same way, but only for ``critical_timeout`` seconds: past that it stops with
``ServerOverloaded`` (exit 3). The backfill's checkpoint is committed with every batch, so
the stop is a clean, resumable state, as gh-ost's ``--critical-load`` bail-out is meant to
be and its ``--critical-load-hibernate-seconds`` pause is: dbshift does both, in order.

``nice_ratio`` (gh-ost's ``--nice-ratio``) is the other lever: after each batch, sleep that
many times the batch's duration whatever the load, to leave the server a fixed share.

``replica_lag`` is the largest of what this server says (a PostgreSQL primary sees its
connected standbys; a replica its own delay) and of what each server listed in
``replicas`` says of itself, probed on a connection of its own, as gh-ost's
``--throttle-control-replicas``: a MySQL/MariaDB primary cannot see its replicas' lag. A
listed replica that is unreachable or not replicating counts as infinitely behind (gh-ost
throttles on a broken replica too). A ``replica_lag`` threshold this server can never see
reached (a MySQL/MariaDB primary without ``replicas``) is a usage error at the first probe,
not a threshold silently never reached.

The SQL is the dialect's (``Dialect.load_sample``); this module only decides. It sits below
the runner so that data migrations' batches (``ctx.backfill``) use the same policy.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dbshift.connection import connect, create_engine, first_line, mask_text, parse_url
from dbshift.dialects import dialect_for
from dbshift.errors import DbshiftError, ServerOverloaded, UsageError
from dbshift.throttle.thresholds import Thresholds

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

    from dbshift.dialects import Dialect

#: First and longest interval between two probes while waiting (seconds).
FIRST_POLL = 0.1
LONGEST_POLL = 2.0
#: While waiting, the status is reported at least this often (seconds).
REPORT_EVERY = 5.0
#: After a probe found the server below every threshold, batches go without asking again
#: for this long (seconds): short batches (10-20 ms, ``pacing.py``) would otherwise spend
#: a round trip in every few on the probe. gh-ost, too, checks its throttle on a 100 ms
#: tick rather than per chunk.
RECHECK = 0.1
#: How long a listed replica may take to connect and to answer a probe (seconds): past
#: it, the replica counts as infinitely behind, as an unreachable one does, rather than
#: holding the batch (and the probe after it) up for as long as it hangs.
REPLICA_TIMEOUT = 5.0


@dataclass
class ThrottleStatus:
    """What ``online status`` shows of a throttle: its thresholds and what it last saw."""

    thresholds: Thresholds
    #: ``running`` (no threshold reached), ``throttled`` (a max_load one), ``paused`` (a
    #: critical_load one), ``stopped`` (paused past critical_timeout).
    state: str = "running"
    #: The first threshold reached, as ``running 31 >= 25``; "" when none.
    reason: str = ""
    #: The last sample, metric -> value.
    sample: dict[str, float] = field(default_factory=dict)
    #: Seconds spent waiting for the load to drop (nice-ratio sleeps included), and how
    #: many times a batch had to wait.
    waited: float = 0.0
    waits: int = 0
    #: The last lag of each server in ``thresholds.replicas`` (password masked) -> seconds.
    replicas: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "thresholds": self.thresholds.as_dict(),
            "state": self.state,
            "reason": self.reason,
            "sample": {k: round(v, 3) for k, v in sorted(self.sample.items())},
            "waited": round(self.waited, 3),
            "waits": self.waits,
            "replicas": {k: round(v, 3) for k, v in sorted(self.replicas.items())},
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> ThrottleStatus:
        return cls(
            thresholds=Thresholds.from_dict(raw.get("thresholds") or {}),
            state=str(raw.get("state", "running")),
            reason=str(raw.get("reason", "")),
            sample=dict(raw.get("sample") or {}),
            waited=float(raw.get("waited", 0.0)),
            waits=int(raw.get("waits", 0)),
            replicas=dict(raw.get("replicas") or {}),
        )

    def describe(self) -> str:
        """``throttle: throttled (lock_waits 6 >= 4), waited 12.3s in 40 waits; max ...``"""
        now = self.state + (f" ({self.reason})" if self.reason else "")
        return (
            f"throttle: {now}, waited {self.waited:.1f}s in {self.waits} waits; "
            f"{self.thresholds.describe()}"
        )


def _reached(
    sample: Mapping[str, float], levels: Mapping[str, float], where: Mapping[str, str]
) -> str:
    """The first metric of ``sample`` at or above its level in ``levels``, spelled out
    (with ``where`` it was measured, when that is not this server)."""
    for metric, level in sorted(levels.items()):
        value = sample.get(metric)
        if value is not None and value >= level:
            at = f" ({where[metric]})" if metric in where else ""
            return f"{metric} {value:g} >= {level:g}{at}"
    return ""


class Throttle:
    """``Throttle(dialect, conn, thresholds).wait()`` before each batch: returns the
    seconds it waited (0.0 when the server is below every threshold).

    ``conn`` is the connection the probe runs on: the backfill's own between its batches
    (never inside one: a probe must not lengthen a transaction holding row locks), or a
    separate one. ``report`` is told the status when it changes, and every few seconds
    while waiting, so a long wait is visible (``online status``). The servers listed in
    ``thresholds.replicas`` get a connection each, opened at the first probe and kept
    (reopened after an error) until ``close()``.
    """

    def __init__(
        self,
        dialect: Dialect,
        conn: Connection,
        thresholds: Thresholds,
        *,
        report: Callable[[ThrottleStatus], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        recheck: float = RECHECK,
    ) -> None:
        self.dialect = dialect
        self.conn = conn
        self.thresholds = thresholds.resolved()
        self._status = ThrottleStatus(self.thresholds)
        self._report = report
        self._clock = clock
        self._sleep = sleep
        self._replica_engines: dict[str, Engine] = {}
        self._replica_conns: dict[str, Connection] = {}
        #: metric -> where its value was measured, when not on ``conn``'s server.
        self._where: dict[str, str] = {}
        self._checked = False
        self._recheck = recheck
        #: When the last probe found the server below every threshold (None: not yet).
        self._clear_at: float | None = None

    def status(self) -> ThrottleStatus:
        return self._status

    def probe(self) -> dict[str, float]:
        """The load now: this server's (``Dialect.load_sample``), with ``replica_lag``
        the largest of its own and of each listed replica's."""
        sample = self.dialect.load_sample(self.conn)
        self._where = {}
        lags: dict[str, float] = {}
        for url in self.thresholds.replicas or ():
            lag, note = self._replica_lag(url)
            lags[mask_text(url)] = lag
            if lag > sample.get("replica_lag", -1.0):
                sample["replica_lag"] = lag
                self._where["replica_lag"] = f"{_server(url)}{note}"
        self._status.replicas = lags
        self._status.sample = sample
        if not self._checked:
            self._checked = True
            self._require_measured(sample)
        return sample

    def _require_measured(self, sample: Mapping[str, float]) -> None:
        """A ``replica_lag`` threshold this server can never see reached: it is no
        replica, it cannot see its replicas' lag (MySQL/MariaDB), and none are listed. (A
        PostgreSQL primary without standbys has no lag yet; one connecting later counts.)"""
        t = self.thresholds
        wanted = "replica_lag" in t.max_load or "replica_lag" in t.critical_load
        if (
            wanted
            and "replica_lag" in self.dialect.load_metrics
            and "replica_lag" not in sample
            and not self.dialect.primary_sees_replica_lag
        ):
            raise UsageError(
                "[throttle]: replica_lag is a threshold, but this server is no replica and, "
                "as a primary, cannot see its replicas' lag: list the replicas to watch "
                'in [throttle] replicas = ["URL", ...]'
            )

    def _replica_lag(self, url: str) -> tuple[float, str]:
        """``url``'s own lag, and a note when it is infinite: unreachable, or not a
        replica (replication stopped reads as infinite from the server itself)."""
        from sqlalchemy.exc import SQLAlchemyError

        try:
            conn = self._replica_conns.get(url)
            if conn is None:
                engine = self._replica_engines.get(url)
                if engine is None:
                    engine = create_engine(
                        parse_url(url),
                        connect_timeout=REPLICA_TIMEOUT,
                        busy_timeout=REPLICA_TIMEOUT,
                        read_timeout=REPLICA_TIMEOUT,
                    )
                    self._replica_engines[url] = engine
                conn = self._replica_conns[url] = connect(engine)
            dialect = dialect_for(conn.engine.url)
            with dialect.read_deadline(conn, REPLICA_TIMEOUT) as struck:
                try:
                    lag = dialect.load_sample(conn).get("replica_lag")
                except SQLAlchemyError:
                    if struck:
                        raise TimeoutError from None
                    raise
            if struck:  # fired as the answer came: the answer stands, the socket is shut
                self._drop(url)
        except TimeoutError:
            self._drop(url)
            return math.inf, f": no answer within {REPLICA_TIMEOUT:g} s"
        except (SQLAlchemyError, DbshiftError) as exc:
            self._drop(url)
            return math.inf, f": unreachable, {mask_text(first_line(str(exc)))}"
        if lag is None:
            return math.inf, ": no replica status (not a replica, or the account may not read it)"
        return lag, ""

    def _drop(self, url: str) -> None:
        conn = self._replica_conns.pop(url, None)
        if conn is not None:
            from sqlalchemy.exc import SQLAlchemyError

            # A connection already broken has nothing left to close.
            with contextlib.suppress(SQLAlchemyError):
                conn.close()

    def close(self) -> None:
        """Close the replicas' connections (the probed ``conn`` is the caller's)."""
        for url in list(self._replica_conns):
            self._drop(url)
        for engine in self._replica_engines.values():
            engine.dispose()
        self._replica_engines.clear()

    def _set(self, state: str, reason: str, *, force: bool = False) -> None:
        changed = (state, reason) != (self._status.state, self._status.reason)
        self._status.state, self._status.reason = state, reason
        if (changed or force) and self._report is not None:
            self._report(self._status)

    def wait(self, stop: Callable[[], bool] | None = None) -> float:
        """Wait until the server is below every ``max_load`` threshold; seconds waited.

        A probe that found the server below every threshold holds for ``recheck``
        seconds: a call within that time returns 0.0 without asking again.

        Raises ``ServerOverloaded`` when a ``critical_load`` threshold stays reached for
        ``critical_timeout`` seconds. ``stop`` (e.g. "was the backfill paused?") is asked
        between probes: when it says yes, the wait ends early.
        """
        t = self.thresholds
        if not t.max_load and not t.critical_load:
            return 0.0
        if self._clear_at is not None and self._clock() - self._clear_at < self._recheck:
            return 0.0
        self._clear_at = None
        waited, delay = 0.0, FIRST_POLL
        critical_since: float | None = None
        last_report = self._clock()
        while True:
            sample = self.probe()
            critical = _reached(sample, t.critical_load, self._where)
            now = self._clock()
            if critical:
                critical_since = now if critical_since is None else critical_since
                timeout = t.critical_timeout or 0.0
                if now - critical_since >= timeout:
                    self._set("stopped", critical, force=True)
                    raise ServerOverloaded(
                        f"critical load: {critical} for {now - critical_since:.0f}s "
                        f"(critical_timeout {timeout:g}s)"
                    )
                self._set("paused", critical)
            else:
                critical_since = None
                over = _reached(sample, t.max_load, self._where)
                if not over:
                    self._set("running", "")
                    self._clear_at = self._clock()
                    return waited
                self._set("throttled", over)
            if waited == 0.0:
                self._status.waits += 1
            if now - last_report >= REPORT_EVERY:
                last_report = now
                self._set(self._status.state, self._status.reason, force=True)
            if stop is not None and stop():
                return waited
            self._sleep(delay)
            waited += delay
            self._status.waited += delay
            delay = min(LONGEST_POLL, delay * 1.5)

    def pace(self, batch_seconds: float) -> float:
        """After a batch: sleep ``nice_ratio`` times its duration; seconds slept."""
        ratio = self.thresholds.nice_ratio or 0.0
        pause = batch_seconds * ratio
        if pause > 0:
            self._sleep(pause)
            self._status.waited += pause
        return pause


def _server(url: str) -> str:
    """``host:port`` of a replica's URL, for a reason line."""
    parsed = parse_url(url)
    return f"{parsed.host or 'localhost'}" + (f":{parsed.port}" if parsed.port else "")
