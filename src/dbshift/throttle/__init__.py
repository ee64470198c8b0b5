"""Load-aware throttling for batched writes: the online backfill and copy, and data
migrations' batches (``ctx.backfill``).

- ``thresholds.py``: what the user sets (``[throttle]`` in an online file or the config,
  ``--max-load``/``--critical-load`` flags), parsed and overlaid.
- ``policy.py``: ``Throttle(dialect, conn, thresholds).wait()`` before each batch, and
  ``status()`` for display.
- ``pacing.py``: ``Pacing(ceiling)``: each batch's latency target, adapted to the writers
  the batch before held up (``Dialect.blocked_writers``), and the yield after it.

The server-specific SQL is the dialect's (``Dialect.load_sample``,
``dialects/<server>/load.py``). This package sits below the runner (import-linter's layer
with migrations, diff and inspect) so every batching layer above can share it.
"""

from dbshift.throttle.pacing import Pacing, PacingStatus
from dbshift.throttle.policy import Throttle, ThrottleStatus
from dbshift.throttle.thresholds import (
    DEFAULTS,
    METRICS,
    Thresholds,
    parse_levels,
    parse_thresholds,
)

__all__ = [
    "DEFAULTS",
    "METRICS",
    "Pacing",
    "PacingStatus",
    "Thresholds",
    "Throttle",
    "ThrottleStatus",
    "parse_levels",
    "parse_thresholds",
]
