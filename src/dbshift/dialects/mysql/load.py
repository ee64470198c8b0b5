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
