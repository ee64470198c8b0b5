"""Taking the migration lock when a dead runner's statement still holds it.

When a runner is killed during a long statement, MySQL/MariaDB (and PostgreSQL, until it
next talks to the client) keep running that statement: the session, and the migration
lock it holds, outlive the process. The next ``migrate`` would wait for the lock without
saying why, or time out. Each runner therefore records who it is (server session id,
process id, host) next to the history table when it takes the lock; a later runner that
finds the lock held by that session, on this host, by a process that no longer exists,
knows the statement is orphaned. It says so, and waits for it (its outcome is then
decided from the catalog, see ``indoubt``) or, when asked, ends it with ``KILL``.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from dbshift.errors import LockTimeoutError

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from dbshift.dialects import Dialect
    from dbshift.runner.history import HistoryTable

#: Seconds per round of waiting for the migration lock.
_ROUND = 1.0


def take_lock(
    conn: Connection,
    dialect: Dialect,
    history: HistoryTable,
    *,
    key: str,
    timeout: float,
    kill_orphaned: bool,
    notice: Callable[[str], None],
) -> None:
    """Acquire the migration lock, explaining (or ending) an orphaned holder.

    The wait is cut into rounds of at most a second, so a holder whose runner dies while
    we wait is noticed then, not only when we start.
    """
    if dialect.try_lock(conn, key):
        return
    deadline = time.monotonic() + timeout
    told: set[int] = set()
    while True:
        found = dialect.lock_holder(conn, key)
        holder = found.pid if found is not None else None
        if holder is not None and holder not in told and _is_orphan(conn, history, holder):
            told.add(holder)
            _orphaned(conn, dialect, holder, kill=kill_orphaned, timeout=timeout, notice=notice)
        remaining = deadline - time.monotonic()
        step = min(_ROUND, max(0.0, remaining))
        try:
            dialect.acquire_lock(conn, key, step)
            return
        except LockTimeoutError as exc:
            if remaining <= _ROUND:
                raise LockTimeoutError(
                    exc.message.replace(f"within {step:g}s", f"within {timeout:g}s"),
                    hint=exc.hint,
                ) from None


def _orphaned(
    conn: Connection,
    dialect: Dialect,
    holder: int,
    *,
    kill: bool,
    timeout: float,
    notice: Callable[[str], None],
) -> None:
    activity = dialect.session_activity(conn, holder) or "finishing"
    if kill:
        dialect.kill_session(conn, holder)
        notice(
            f"the migration lock was held by server session {holder} of a dbshift run "
            f"that has died ({activity}); killed it (--kill-orphaned)"
        )
    else:
        notice(
            f"the migration lock is held by server session {holder} of a dbshift run that "
            f"has died; its statement is still running on the server ({activity}); "
            f"waiting up to {timeout:g}s for it to finish ('migrate --kill-orphaned' "
            "ends it instead)"
        )


def record_runner(conn: Connection, dialect: Dialect, history: HistoryTable) -> None:
    """Note this runner's session, process and host, under the lock it now holds."""
    session = dialect.session_id(conn)
    if session is not None:
        history.set_meta(conn, "runner", f"{session} {os.getpid()} {socket.gethostname()}")


def _is_orphan(conn: Connection, history: HistoryTable, holder: int) -> bool:
    """The holder is the recorded runner's session, and that process is gone."""
    if not history.exists(conn):
        return False
    import sqlalchemy as sa

    # MySQL commits each CREATE TABLE alone: a runner creating the tables (under the lock
    # this one waits for) may have made the history table but not yet the meta table.
    if not sa.inspect(conn).has_table(history.meta.name, schema=history.meta.schema):
        return False
    parts = (history.get_meta(conn, "runner") or "").split(" ", 2)
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
        return False
    session, pid, host = int(parts[0]), int(parts[1]), parts[2]
    if session != holder or host != socket.gethostname():
        return False  # another host's process cannot be checked from here
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, another user's
    return False
