"""What PostgreSQL says about its load, for the backfill's throttle (``dbshift.throttle``).

One statement, cheap enough to run before every batch: ``pg_stat_activity`` holds a row per
backend in shared memory, ``pg_stat_replication`` one per WAL sender. Counted server-wide,
as MySQL's ``Threads_running`` is: a busy neighbour database slows this one down too.
Without ``pg_monitor`` (or superuser) another user's sessions show no state and are not
counted: give the migration role ``pg_monitor`` for a throttle that sees everything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

# running: client backends executing a statement now, this session excluded (what
#   Threads_running counts on MySQL).
# lock_waits: backends waiting for a heavyweight lock (row, tuple, transaction id, relation):
#   the application sessions a batch's row locks (or anything else) hold up.
# replica_lag (seconds): on a standby, how far replay is behind (0 when everything received
#   is replayed: an idle primary is not lag); on a primary, the largest replay_lag among
#   its streaming replicas (NULL lag: the replica is caught up); NULL: no replicas.
SAMPLE_SQL = """
SELECT
  count(*) FILTER (WHERE a.state = 'active' AND a.backend_type = 'client backend'
                   AND a.pid <> pg_backend_pid()) AS running,
  count(*) FILTER (WHERE a.wait_event_type = 'Lock') AS lock_waits,
  (SELECT CASE
     WHEN pg_is_in_recovery() THEN
       CASE WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn()
            THEN 0
            ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp()) END
     ELSE (SELECT max(extract(epoch FROM coalesce(r.replay_lag, interval '0')))
           FROM pg_stat_replication r)
   END) AS replica_lag
FROM pg_stat_activity a
"""


def sample(conn: Connection) -> dict[str, float]:
    """The server's load now: ``running``, ``lock_waits`` and, where there is replication,
    ``replica_lag`` in seconds."""
    row = conn.exec_driver_sql(SAMPLE_SQL).one()
    found = {"running": float(row[0]), "lock_waits": float(row[1])}
    if row[2] is not None:
        found["replica_lag"] = float(row[2])
    return found


# The application writers this transaction holds up now: sessions queued for a row it wrote
# (a row lock waits on the writer's transaction id) and how long the longest has waited.
# Run at the end of a batch, before COMMIT, it counts every writer the batch queued, since
# none of them gets its lock before the batch commits. pg_locks is read from shared memory
# at each call (pg_stat_activity, by contrast, is frozen for the rest of a transaction once
# read: a second look inside one batch would not see new waiters); PostgreSQL 14 added
# ``waitstart``, before it the waiter's statement start stands in (a blocked UPDATE waits
# from its first moment), read after dropping that frozen copy.
BLOCKED_SQL = """
SELECT count(*), coalesce(max(extract(epoch FROM clock_timestamp() - w.waitstart)), 0)
FROM pg_locks w
WHERE NOT w.granted AND w.locktype = 'transactionid'
  AND w.transactionid IN (SELECT h.transactionid FROM pg_locks h
                          WHERE h.pid = pg_backend_pid() AND h.locktype = 'transactionid'
                            AND h.granted)
"""
BLOCKED_SQL_13 = """
SELECT count(*), coalesce(max(extract(epoch FROM clock_timestamp() - a.query_start)), 0)
FROM pg_locks w JOIN pg_stat_activity a ON a.pid = w.pid
WHERE NOT w.granted AND w.locktype = 'transactionid'
  AND w.transactionid IN (SELECT h.transactionid FROM pg_locks h
                          WHERE h.pid = pg_backend_pid() AND h.locktype = 'transactionid'
                            AND h.granted)
"""


def blocked(conn: Connection) -> tuple[int, float]:
    """Sessions waiting for a row lock this session's open transaction holds, and the
    longest of those waits in seconds."""
    version = conn.dialect.server_version_info or (14,)
    if version >= (14,):
        row = conn.exec_driver_sql(BLOCKED_SQL).one()
    else:
        conn.exec_driver_sql("SELECT pg_stat_clear_snapshot()")
        row = conn.exec_driver_sql(BLOCKED_SQL_13).one()
    return int(row[0]), max(0.0, float(row[1]))
