"""A statement that timed out waiting for its lock, tried again after a backoff.

A DDL statement waiting for its lock blocks every query queued behind it, so the runner
lets each statement wait only ``ddl_lock_timeout`` and then tries again later, when the
long transaction in its way may have ended: exponential backoff with full jitter (runners
that timed out together do not come back together), a bounded number of times (pgroll
retries forever; a deploy that hangs is worse than one that says why it stopped). When the
attempts run out the error names the sessions holding locks.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from dbshift.errors import MigrationFailed


@dataclass(frozen=True)
class LockPolicy:
    """How long a statement waits for its lock, and how often it is tried again."""

    #: Seconds; 0 leaves the server's own setting alone (no protection).
    timeout: float = 5.0
    #: Attempts after the first one.
    retries: int = 4
    #: First backoff in seconds; doubled per attempt, jittered, capped at ``max_backoff``.
    backoff: float = 0.5
    max_backoff: float = 10.0

    def delay(self, attempt: int) -> float:
        """Full jitter (AWS's "exponential backoff and jitter"): runners that timed out
        together do not come back together."""
        ceiling = min(self.max_backoff, self.backoff * 2**attempt)
        return random.uniform(ceiling / 2, ceiling)


class LockRetry(Exception):
    """A statement timed out waiting for its lock; raised inside to retry it."""

    def __init__(self, failure: MigrationFailed) -> None:
        super().__init__(failure.message)
        self.failure = failure


def retrying(
    attempt: Callable[[], None],
    *,
    policy: LockPolicy,
    holders: Callable[[], list[str]],
    notice: Callable[[str], None],
    label: str,
) -> None:
    """Run ``attempt``; when it raises ``LockRetry``, again after a backoff."""
    tries = 0
    while True:
        try:
            attempt()
            return
        except LockRetry as exc:
            if tries >= policy.retries:
                found = holders()
                held = "; ".join(found) if found else "no session holds a lock now"
                raise MigrationFailed(
                    f"{exc.failure.message}; gave up after {tries + 1} attempt(s) "
                    f"(ddl_lock_timeout); sessions holding locks: {held}"
                ) from exc
            delay = policy.delay(tries)
            tries += 1
            notice(
                f"{label} timed out waiting for a lock; "
                f"attempt {tries + 1} of {policy.retries + 1} in {delay:.1f}s"
            )
            time.sleep(delay)
