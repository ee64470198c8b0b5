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
