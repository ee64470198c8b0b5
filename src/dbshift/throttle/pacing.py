"""Pacing: how long each batch may hold its row locks, learned from the writers it held up.

The throttle (``policy.py``) asks the server how busy it is *between* batches; at a few
application clients it never fires, yet the workload's p99 still doubles during a
backfill. What hurts is the batch itself: every row it writes stays locked until it
commits, and an application writer that touches one of them queues for the rest of the
batch. The longer the batch, the more rows it holds and the longer each queued writer
waits: the cost grows with the square of the batch's length.

So the batch's latency target is not a constant but adapted, the way TCP adapts its window
(Spirit adapts its chunks to their latency the same way, and backs off on lock waits): just
before each batch commits, the backfill asks the server how many writers are queued behind
it and for how long (``Dialect.blocked_writers``; PostgreSQL: ``pg_locks``; MariaDB:
``INNODB_LOCK_WAITS``). None of them can have been served yet, so this counts every writer
the batch held up.

- A batch that held a writer up halves the target (down to ``floor``), and the backfill
  then yields: it sleeps as long as that writer waited (at most as long as the batch took),
  so the writers it released finish before the next batch competes with them.
- A batch that held nobody up lets the target grow by a fifth, back up to ``ceiling``
  (``--target-ms``, or the backfill's default).

The batch size follows the target (``online/backfill.py``). Where the server cannot say
who waits (None), the target stays at the ceiling, as before.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: The shortest latency target a batch is cut down to (seconds): below it a batch is
#: mostly its own overhead (the checkpoint, the commit) and the backfill crawls.
FLOOR = 0.01
#: After a batch that held writers up, the target is multiplied by SHRINK; after one that
#: held nobody, by GROW (a slow climb back, a fast retreat).
SHRINK = 0.5
GROW = 1.2


@dataclass
class PacingStatus:
    """What ``online status`` shows of the pacing: the target now and its bounds, and what
    the batches' row locks cost the application."""

    ceiling: float
    floor: float = FLOOR
    #: The latency target now (seconds).
    target: float = 0.0
    #: Whether the target adapts (False: the server cannot say who waits).
    adaptive: bool = True
    batches: int = 0
    #: Batches that held at least one writer up, and writers held up in all.
    held_batches: int = 0
    held_writers: int = 0
    #: The longest a writer waited for a batch (seconds).
    longest: float = 0.0
    #: Seconds slept to let the writers a batch released go first.
    yielded: float = 0.0
    #: Batches rolled back at their own lock wait limit (an application transaction held
    #: one of their rows longer), to be taken again.
    gave_way: int = 0

    def __post_init__(self) -> None:
        if not self.target:
            self.target = self.ceiling

    def as_dict(self) -> dict[str, Any]:
        return {
            "ceiling": round(self.ceiling, 4),
            "floor": round(self.floor, 4),
            "target": round(self.target, 4),
            "adaptive": self.adaptive,
            "batches": self.batches,
            "held_batches": self.held_batches,
            "held_writers": self.held_writers,
            "longest": round(self.longest, 4),
            "yielded": round(self.yielded, 3),
            "gave_way": self.gave_way,
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> PacingStatus:
        return cls(
            ceiling=float(raw.get("ceiling", 0.1)),
            floor=float(raw.get("floor", FLOOR)),
            target=float(raw.get("target", 0.0)),
            adaptive=bool(raw.get("adaptive", True)),
            batches=int(raw.get("batches", 0)),
            held_batches=int(raw.get("held_batches", 0)),
            held_writers=int(raw.get("held_writers", 0)),
            longest=float(raw.get("longest", 0.0)),
            yielded=float(raw.get("yielded", 0.0)),
            gave_way=int(raw.get("gave_way", 0)),
        )

    def describe(self) -> str:
        """``pacing: batches aim at 25 ms (10-100 ms, adaptive); 12 of 340 held 14
        writers up, longest 31 ms; yielded 0.4s`` (and ``; 2 gave way to a row lock``)"""
        ms = 1000.0
        if not self.adaptive:
            return f"pacing: batches aim at {self.target * ms:g} ms (fixed)"
        return (
            f"pacing: batches aim at {self.target * ms:.0f} ms "
            f"({self.floor * ms:g}-{self.ceiling * ms:g} ms, adaptive); "
            f"{self.held_batches} of {self.batches} held {self.held_writers} writers up, "
            f"longest {self.longest * ms:.0f} ms; yielded {self.yielded:.1f}s"
            + (f"; {self.gave_way} gave way to a row lock" if self.gave_way else "")
        )


class Pacing:
    """``Pacing(ceiling).target()`` before a batch; ``learn(elapsed, held)`` at its end
    (before the commit, so the checkpoint saves what it learned) adapts the target and
    says how long to yield once the batch has committed."""

    def __init__(
        self,
        ceiling: float,
        *,
        adaptive: bool = True,
        floor: float = FLOOR,
        before: PacingStatus | None = None,
    ) -> None:
        floor = min(floor, ceiling)
        self._status = PacingStatus(ceiling=ceiling, floor=floor, adaptive=adaptive)
        if before is not None:
            # A resumed backfill keeps what it learned, within today's bounds.
            s = self._status
            s.batches, s.held_batches = before.batches, before.held_batches
            s.held_writers, s.longest, s.yielded = (
                before.held_writers,
                before.longest,
                before.yielded,
            )
            s.gave_way = before.gave_way
            if adaptive:
                s.target = min(ceiling, max(floor, before.target or ceiling))

    def status(self) -> PacingStatus:
        return self._status

    def target(self) -> float:
        return self._status.target

    def learn(self, elapsed: float, held: tuple[int, float] | None) -> float:
        """A batch of ``elapsed`` seconds held ``held`` = (writers, longest wait) up
        (None: unknown): the next target; returns the seconds to yield after its commit
        (counted in ``yielded``)."""
        s = self._status
        s.batches += 1
        if held is None or not s.adaptive:
            return 0.0
        writers, longest = held
        if writers <= 0:
            s.target = min(s.ceiling, s.target * GROW)
            return 0.0
        s.held_batches += 1
        s.held_writers += writers
        s.longest = max(s.longest, longest)
        s.target = max(s.floor, s.target * SHRINK)
        pause = min(max(elapsed, 0.0), max(longest, 0.0))
        s.yielded += pause
        return pause
