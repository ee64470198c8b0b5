"""MySQL DDL that never queues traffic behind it for long, and the one-at-a-time lock.

Every statement runs with a short ``lock_wait_timeout`` (the metadata-lock wait: a DDL
statement waiting for it blocks every query that arrives after it) and is retried with
exponential backoff and jitter a bounded number of times, as on PostgreSQL. MySQL DDL
commits on its own, so a statement is the unit of retry; the engine makes every step
idempotent instead of transactional.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from dbshift.errors import LockTimeoutError
from dbshift.online.locks import LockNotAcquired, LockPolicy, backoff
from dbshift.online.mysql.sql import HOLDERS_SQL, errno

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

#: ER_LOCK_WAIT_TIMEOUT (metadata or row lock wait ran out), ER_LOCK_DEADLOCK.
_RETRY = {1205, 1213}


def run(
    conn: Connection,
    sql: str,
    *,
    policy: LockPolicy,
    what: str,
    ignore: frozenset[int] = frozenset(),
) -> bool:
    """Run one DDL statement with bounded lock waits. False if it failed with an error
    number in ``ignore`` (e.g. "duplicate column" when a resumed step finds its work
    done)."""
    from sqlalchemy.exc import DBAPIError

    seconds = max(1, math.ceil(policy.timeout_ms / 1000))
    conn.exec_driver_sql(f"SET SESSION lock_wait_timeout = {seconds}")
    raw = conn.execution_options(no_parameters=True)
    for attempt in range(1, policy.attempts + 1):
        try:
            raw.exec_driver_sql(sql)
            return True
        except DBAPIError as exc:
            number = errno(exc)
            if number in ignore:
                return False
            if number not in _RETRY:
                raise
            if attempt == policy.attempts:
                raise LockNotAcquired(
                    f"{what}: could not get its locks in {policy.attempts} tries of "
                    f"{seconds} s; {holders(conn)}; run the command again when the lock is "
                    "free (the steps already done are kept and not repeated)"
                ) from None
            backoff(policy, attempt)
    return True


def holders(conn: Connection) -> str:
    """Open transactions, oldest first, in one line (MariaDB without the metadata-lock
    plugin cannot say which of them holds the table's lock)."""
    rows = conn.exec_driver_sql(HOLDERS_SQL).all()
    found = [
        f"thread {tid} ({user or '-'}, open {int(seconds or 0)}s: "
        f"{' '.join(str(query).split())[:60]!r})"
        for tid, user, seconds, query in rows
    ]
    if not found:
        return "no open transaction found any more (the lock was freed meanwhile)"
    return "open transactions: " + "; ".join(found)


@contextmanager
def runner_lock(conn: Connection, schema: str, timeout: float) -> Iterator[None]:
    """One online command at a time per database: a second waits up to ``timeout``."""
    name = f"dbshift-online:{schema}"[:64]
    got = conn.exec_driver_sql(
        "SELECT GET_LOCK(%(n)s, %(t)s)", {"n": name, "t": max(0, int(timeout))}
    ).scalar()
    if got != 1:
        raise LockTimeoutError(
            f"another dbshift online command has been running on database {schema!r} for "
            f"more than {timeout:g}s (--lock-timeout); nothing was done"
        )
    try:
        yield
    finally:
        conn.exec_driver_sql("SELECT RELEASE_LOCK(%(n)s)", {"n": name})
