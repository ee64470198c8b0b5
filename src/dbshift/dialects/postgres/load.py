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
