"""What MySQL/MariaDB say about their load, for the backfill's throttle (``dbshift.throttle``).

The same status variables gh-ost's ``--max-load`` and pt-online-schema-change's
``--max-load`` read: ``Threads_running`` (this probe's own thread excluded, so an idle
server reads 0 as PostgreSQL's count does) and ``Innodb_row_lock_current_waits``. Replica
lag is this server's own when it is a replica (``SHOW REPLICA STATUS``; MariaDB 10.5+ and
MySQL 8.0.22+, ``SHOW SLAVE STATUS`` before): a primary cannot see its replicas' lag
without connecting to them, which the throttle does for the servers listed in ``[throttle]
replicas`` (``dbshift.throttle.policy``), calling this on each. ``Seconds_Behind_Master``
is whole seconds between now and the timestamp of the event the SQL thread applies (0 the
first second of a stall); with several replication sources (MariaDB's named connections)
the default connection's (``@@default_master_connection``).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

STATUS_SQL = (
    "SHOW GLOBAL STATUS WHERE Variable_name IN ('Threads_running', 'Innodb_row_lock_current_waits')"
)
#: Newest spelling first; the older one where the server does not know it (1064: syntax).
REPLICA_STATUS_SQL = ("SHOW REPLICA STATUS", "SHOW SLAVE STATUS")
#: Syntax error (an older server), no privilege (REPLICATION CLIENT / SLAVE MONITOR).
_NO_REPLICA_STATUS = {1064, 1227}


def _errno(exc: BaseException) -> int | None:
    args = getattr(getattr(exc, "orig", None), "args", ())
    return args[0] if args and isinstance(args[0], int) else None


def _replica_lag(conn: Connection) -> float | None:
    """Seconds behind the source; infinity when replication is stopped (NULL), as gh-ost
    throttles on a broken replica; None when this server is no replica (or may not say)."""
    from sqlalchemy.exc import DBAPIError

    for sql in REPLICA_STATUS_SQL:
        try:
            result = conn.exec_driver_sql(sql)
        except DBAPIError as exc:
            if _errno(exc) not in _NO_REPLICA_STATUS:
                raise
            continue
        row: Any = result.mappings().first()
        if row is None:
            return None
        for column in ("Seconds_Behind_Source", "Seconds_Behind_Master"):
            if column in row:
                value = row[column]
                return math.inf if value is None else float(value)
        return None
    return None


def sample(conn: Connection) -> dict[str, float]:
    """The server's load now: ``running``, ``lock_waits`` and, on a replica,
    ``replica_lag`` in seconds."""
    status = {str(r[0]).lower(): float(r[1]) for r in conn.exec_driver_sql(STATUS_SQL)}
    found = {
        # The SHOW statement's own thread is running while it counts.
        "running": max(0.0, status.get("threads_running", 1.0) - 1),
        "lock_waits": status.get("innodb_row_lock_current_waits", 0.0),
    }
    lag = _replica_lag(conn)
    if lag is not None:
        found["replica_lag"] = lag
    return found


# The application writers this transaction holds up now (the backfill's pacing,
# ``Dialect.blocked_writers``), asked in two steps:
# 1. Innodb_row_lock_current_waits, the server's count of row lock waits now. It is read
#    live, and 0 (the common case) means nobody waits for this batch either.
# 2. Else who waits for whom. MariaDB: information_schema.INNODB_LOCK_WAITS and INNODB_TRX
#    (PROCESS privilege). Those are not live: InnoDB copies its lock tables into a cache
#    that it refreshes only when nobody read it for 0.1 s, so a reader every batch (25 ms
#    apart) would see the same old copy for ever (measured on MariaDB 10.11: two writers
#    queued behind a batch stayed invisible while it was read every 50 ms). Reading only
#    after step 1 saw a wait keeps the cache fresh in the common case; a copy older than
#    this transaction (it is not in it) cannot say whose rows the waits are for, and they
#    are then counted as the batch's, the cautious side for the application. The wait's
#    length is the waiting statement's (PROCESSLIST.TIME_MS, live): a blocked UPDATE waits
#    from its first moment. MySQL 8 dropped those tables for performance_schema's
#    data_lock_waits (live, but performance_schema may be off): not asked here, as MySQL 8
#    was not at hand to check the query on; it reads None (the pacing stays fixed).
CURRENT_WAITS_SQL = "SHOW GLOBAL STATUS LIKE 'Innodb_row_lock_current_waits'"
BLOCKED_MARIADB_SQL = """
SELECT
  (SELECT count(*) FROM information_schema.INNODB_TRX
   WHERE trx_mysql_thread_id = CONNECTION_ID()) AS mine,
  count(DISTINCT w.requesting_trx_id),
  COALESCE(MAX(p.TIME_MS), 0) / 1000
FROM information_schema.INNODB_LOCK_WAITS w
JOIN information_schema.INNODB_TRX b ON b.trx_id = w.blocking_trx_id
JOIN information_schema.INNODB_TRX r ON r.trx_id = w.requesting_trx_id
LEFT JOIN information_schema.PROCESSLIST p ON p.ID = r.trx_mysql_thread_id
WHERE b.trx_mysql_thread_id = CONNECTION_ID()
"""
#: No PROCESS privilege (1227), the table unknown (1109): the server cannot say whose
#: rows the waits are for.
_NO_LOCK_WAITS = {1109, 1227}


def blocked(conn: Connection) -> tuple[int, float] | None:
    """Sessions waiting for a row lock this session's open transaction holds, and the
    longest of those waits in seconds; None where the server cannot say (MySQL 8). Without
    the PROCESS privilege every current row lock wait on the server counts as the batch's,
    its length unknown (0): the cautious side for the application."""
    from sqlalchemy.exc import DBAPIError

    if not getattr(conn.dialect, "is_mariadb", False):
        return None
    row = conn.exec_driver_sql(CURRENT_WAITS_SQL).first()
    waits = int(row[1]) if row is not None else 0
    if waits <= 0:
        return 0, 0.0
    try:
        found = conn.exec_driver_sql(BLOCKED_MARIADB_SQL).one()
    except DBAPIError as exc:
        if _errno(exc) not in _NO_LOCK_WAITS:
            raise
        # Who waits for whom is hidden without PROCESS: every current wait counts as the
        # batch's, as with a stale copy below. (Saying None here, after step 1 said 0 for
        # the first batches, left the pacing "adaptive" in status and fixed in fact.)
        return waits, 0.0
    if not int(found[0]):
        return waits, 0.0
    return int(found[1]), max(0.0, float(found[2] or 0))
