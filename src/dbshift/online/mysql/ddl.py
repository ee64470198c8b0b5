"""MySQL DDL that never queues traffic behind it for long.

Every statement runs with a short ``lock_wait_timeout`` (the metadata-lock wait: a DDL
statement waiting for it blocks every query that arrives after it) and is retried with
exponential backoff and jitter a bounded number of times, as on PostgreSQL. MySQL DDL
commits on its own, so a statement is the unit of retry; the engine makes every step
idempotent instead of transactional.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from dbshift.dialects.mysql import online_catalog
from dbshift.errors import LockNotAcquired
from dbshift.online.locks import LockPolicy, retrying
from dbshift.online.mysql.sql import errno

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

    def attempt() -> bool:
        try:
            raw.exec_driver_sql(sql)
        except DBAPIError as exc:
            if errno(exc) in ignore:
                return False
            raise
        return True

    def exhausted() -> LockNotAcquired:
        return LockNotAcquired(
            f"{what}: could not get its locks in {policy.attempts} tries of "
            f"{seconds} s; {holders(conn)}; run the command again when the lock is "
            "free (the steps already done are kept and not repeated)"
        )

    return retrying(
        policy, attempt, retryable=lambda exc: errno(exc) in _RETRY, exhausted=exhausted
    )


def holders(conn: Connection) -> str:
    """Open transactions, oldest first, in one line (MariaDB without the metadata-lock
    plugin cannot say which of them holds the table's lock)."""
    rows = online_catalog.open_transactions(conn)
    found = [
        f"thread {tid} ({user or '-'}, open {int(seconds or 0)}s: "
        f"{' '.join(str(query).split())[:60]!r})"
        for tid, user, seconds, query in rows
    ]
    if not found:
        return "no open transaction found any more (the lock was freed meanwhile)"
    return "open transactions: " + "; ".join(found)
