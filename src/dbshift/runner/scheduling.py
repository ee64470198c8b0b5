"""Which pending migrations may run now: their ``not-before`` and ``window`` headers, or
the environment's default ``windows`` for migrations that name none.

The clock is an object so tests and rehearsals can fix it: ``DBSHIFT_NOW`` sets the
instant, and then ``sleep`` advances that virtual clock instead of sleeping, so
``migrate --wait`` can be tested end to end in no time.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from dbshift.errors import UsageError, ValidationFailed
from dbshift.migrations import loader
from dbshift.migrations.schedule import Due, ScheduleError, parse_instant, when
from dbshift.runner.executor import display_path

if TYPE_CHECKING:
    from dbshift.config import Settings
    from dbshift.migrations.model import Migration


class Clock:
    """The wall clock, or a virtual one fixed by ``DBSHIFT_NOW`` (whose ``sleep`` only
    moves it forward)."""

    def __init__(self, fixed: datetime | None = None) -> None:
        self._fixed = fixed

    @classmethod
    def from_environment(cls) -> Clock:
        raw = os.environ.get("DBSHIFT_NOW")
        if not raw:
            return cls()
        try:
            return cls(parse_instant(raw))
        except ScheduleError:
            raise UsageError(f"$DBSHIFT_NOW is not an ISO 8601 instant: {raw!r}") from None

    @property
    def virtual(self) -> bool:
        return self._fixed is not None

    def now(self) -> datetime:
        return self._fixed if self._fixed is not None else datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        if self._fixed is not None:
            self._fixed += timedelta(seconds=seconds)
        else:
            time.sleep(seconds)


@dataclass(frozen=True)
class Slot:
    migration: Migration
    due: Due
    #: Where the rule came from: "migration", "environment" (config windows) or "" (none).
    rule: str


def slots(todo: list[Migration], settings: Settings, now: datetime) -> list[Slot]:
    out = []
    for migration in todo:
        headers = loader.resolve(migration).headers
        windows, rule = headers.windows, "migration"
        if not windows and settings.windows:
            windows, rule = settings.windows, "environment"
        if not windows and headers.not_before is None:
            rule = ""
        due = when(not_before=headers.not_before, windows=windows, now=now)
        out.append(Slot(migration, due, rule))
    return out


def runnable_now(found: list[Slot]) -> list[Slot]:
    """The due migrations that come before the first one that is not (order is kept)."""
    out = []
    for slot in found:
        if not slot.due.due:
            break
        out.append(slot)
    return out


def refusal(found: list[Slot], settings: Settings) -> ValidationFailed | None:
    """The error ``migrate`` stops with when a migration in its range is not due yet."""
    late = [s for s in found if not s.due.due]
    if not late:
        return None
    first = late[0]
    where = f" of environment {settings.environment}" if first.rule == "environment" else ""
    more = f" (and {len(late) - 1} more)" if len(late) > 1 else ""
    ready = runnable_now(found)
    hint = (
        f"'dbshift migrate --to {ready[-1].migration.version}' applies the {len(ready)} due "
        "one(s); "
        if ready
        else ""
    )
    return ValidationFailed(
        f"{display_path(first.migration.path)}: not due yet{more}: {first.due.reason}{where}",
        hint=hint + "'--wait' waits for it, '--ignore-schedule' runs it now",
    )


def wait_for(
    found: list[Slot],
    clock: Clock,
    *,
    show: bool,
) -> None:
    """Sleep until every slot is due; on a terminal (``show``), a countdown line."""
    import sys

    stream = sys.stderr
    target = max(s.due.next_at for s in found)
    reason = next((s.due.reason for s in found if s.due.next_at == target), "")
    if not show:
        print(
            f"dbshift: waiting until {target:%Y-%m-%dT%H:%M:%SZ}: {reason}", file=stream, flush=True
        )
    while (left := (target - clock.now()).total_seconds()) > 0:
        if show:
            stream.write(f"\rwaiting {_span(left)} until {target:%Y-%m-%dT%H:%M:%SZ} ({reason})  ")
            stream.flush()
        clock.sleep(min(left, 1.0 if show else 60.0))
    if show:
        stream.write("\n")
        stream.flush()


def _span(seconds: float) -> str:
    whole = int(seconds + 0.999)
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{hours:02d}:{minutes:02d}:{secs:02d}"
    return f"{days}d {text}" if days else text
