"""DDL that never queues traffic behind it for long.

A DDL statement waiting for its lock blocks every query that arrives after it. Each
transaction here runs with a short ``lock_timeout``; when it cannot get its locks it
rolls back, waits with exponential backoff and jitter, and tries again, a bounded number
of times. When the tries run out the step stops cleanly (nothing half-applied: the
transaction rolled back) and the error names who holds the lock. pgroll retries without
limit; a deploy that hangs forever is worse than one that says why it stopped.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from dbshift.dialects.postgres import online_catalog
from dbshift.errors import LockNotAcquired

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection
    from sqlalchemy.exc import DBAPIError

T = TypeVar("T")

#: SQLSTATE lock_not_available (raised when lock_timeout expires).
_LOCK_NOT_AVAILABLE = "55P03"


@dataclass(frozen=True)
class LockPolicy:
    #: How long one attempt waits for its locks.
    timeout_ms: int = 2000
    #: How many attempts before giving up.
    attempts: int = 8
    #: First backoff; doubles each attempt, with +-50% jitter, capped at ``max_backoff``.
    backoff: float = 0.2
    max_backoff: float = 10.0


def run_ddl(
    conn: Connection,
    statements: Sequence[str],
    *,
    policy: LockPolicy,
    tables: Sequence[str],
    what: str,
    also: Callable[[Connection], None] | None = None,
) -> None:
    """Run ``statements`` (and ``also``, e.g. a journal update) in one transaction,
    retrying on lock timeouts; ``tables`` (qualified, quoted) name whose holders to show."""
    # Statements go to the driver as written: '%' in them (PL/pgSQL's %TYPE, a LIKE
    # pattern) is not a parameter marker.
    raw = conn.execution_options(no_parameters=True)

    def attempt() -> None:
        conn.exec_driver_sql("BEGIN")
        try:
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = {int(policy.timeout_ms)}")
            for sql in statements:
                raw.exec_driver_sql(sql)
            if also is not None:
                also(conn)
            conn.exec_driver_sql("COMMIT")
        except BaseException:
            conn.exec_driver_sql("ROLLBACK")
            raise

    def exhausted() -> LockNotAcquired:
        return LockNotAcquired(
            f"{what}: could not get its locks in {policy.attempts} tries of "
            f"{policy.timeout_ms} ms; {holders(conn, tables)}; nothing was changed, "
            "run the command again when the lock is free"
        )

    retrying(
        policy,
        attempt,
        retryable=lambda exc: getattr(exc.orig, "sqlstate", None) == _LOCK_NOT_AVAILABLE,
        exhausted=exhausted,
    )


def retrying(
    policy: LockPolicy,
    attempt: Callable[[], T],
    *,
    retryable: Callable[[DBAPIError], bool],
    exhausted: Callable[[], LockNotAcquired],
) -> T:
    """``attempt()`` until it succeeds, retrying a lock wait that ran out (``retryable``)
    after a backoff, at most ``policy.attempts`` times; then ``exhausted()`` is raised.
    The one retry loop of every engine: what one attempt is (a transaction, a statement)
    is the engine's."""
    from sqlalchemy.exc import DBAPIError

    for number in range(1, policy.attempts + 1):
        try:
            return attempt()
        except DBAPIError as exc:
            if not retryable(exc):
                raise
            if number == policy.attempts:
                raise exhausted() from None
            backoff(policy, number)
    raise exhausted()


def backoff(policy: LockPolicy, attempt: int) -> None:
    """Wait before try ``attempt + 1``: exponential, capped, with +-50% jitter so that
    runners retrying together do not collide again."""
    delay = min(policy.max_backoff, policy.backoff * 2 ** (attempt - 1))
    time.sleep(delay * random.uniform(0.5, 1.5))  # jitter, not cryptography


def holders(conn: Connection, tables: Sequence[str]) -> str:
    """Who holds locks on ``tables``, in one line."""
    found = []
    for table in tables:
        rows = online_catalog.lock_holders(conn, table)
        for pid, mode, user, app, state, seconds, query in rows[:3]:
            found.append(
                f"{table} {mode} held by pid {pid} ({user}/{app or '-'}, {state}, "
                f"{float(seconds):.0f}s: {' '.join(str(query).split())[:60]!r})"
            )
    return "; ".join(found) or "no holder found any more (the lock was freed meanwhile)"
