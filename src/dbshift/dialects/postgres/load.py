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
# replica_lag (seconds, a float; 'Infinity' when behind by an unknown amount):
#   - on a standby, its own replay delay: 0 when it has replayed all it received (an idle
#     primary is not lag; a paused standby with nothing new to replay is not behind);
#     else now() minus the commit time of the last transaction it replayed. That is an
#     upper bound: after an idle spell on the primary the first write reads as behind by
#     the whole spell until it is replayed (milliseconds on a healthy standby). Behind
#     with no transaction replayed since the standby started: unknown, 'Infinity'.
#   - on a primary, the largest lag among the WAL senders in pg_stat_replication: 0 for a
#     standby that has replayed all it was sent (its replay_lag then still shows the last
#     measured delay, the whole stall after a stall, until its next status message clears
#     it: up to 2 x wal_receiver_status_interval, 20 s by default), else its replay_lag.
#     The primary knows replay progress only from those status messages: a standby that
#     stops replaying reads as lagging from its next message on (<= 10 s by default);
#     list standbys in [throttle] replicas to measure their own delay at once.
#   - NULL (no metric): a primary without connected standbys.
SAMPLE_SQL = """
SELECT
  count(*) FILTER (WHERE a.state = 'active' AND a.backend_type = 'client backend'
                   AND a.pid <> pg_backend_pid()) AS running,
  count(*) FILTER (WHERE a.wait_event_type = 'Lock') AS lock_waits,
  (SELECT CASE
     WHEN pg_is_in_recovery() THEN
       CASE WHEN pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn() THEN 0::float8
            WHEN pg_last_xact_replay_timestamp() IS NULL THEN 'Infinity'::float8
            ELSE greatest(0, extract(epoch FROM now() - pg_last_xact_replay_timestamp())
                 )::float8 END
     ELSE (SELECT max(CASE WHEN r.replay_lsn >= r.sent_lsn THEN 0::float8
                           ELSE extract(epoch FROM coalesce(r.replay_lag, interval '0'))::float8
                      END)
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
