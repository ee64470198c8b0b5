"""When a migration may run: ``not-before`` instants and weekly windows.

Pure functions of a given ``now`` (the runner passes the clock in), so tests move time
instead of sleeping. A window is ``[days] HH:MM-HH:MM [zone]``: days as ``mon``..``sun``,
comma lists and ranges (``mon-fri``), all days when omitted; the zone is ``UTC`` (default)
or an IANA name (``Europe/Paris``); an end before the start wraps past midnight
(``22:00-02:00`` on ``fri`` runs into Saturday).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo

from dbshift.errors import UsageError

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HHMM = re.compile(r"^(\d{1,2}):(\d{2})$")
_SPAN = re.compile(r"^\d{1,2}:\d{2}-\d{1,2}:\d{2}$")


class ScheduleError(UsageError):
    """A malformed instant or window; the caller adds file and line (exit 2, a bad header or
    setting)."""


@dataclass(frozen=True)
class Window:
    days: frozenset[int]  # 0 = Monday
    start: time
    end: time
    zone: tzinfo
    text: str

    def _spans(self, around: datetime) -> list[tuple[datetime, datetime]]:
        """The window's openings that start from the day before ``around`` on, in order."""
        local = around.astimezone(self.zone)
        spans = []
        for offset in range(-1, 9):
            day = (local + timedelta(days=offset)).date()
            if day.weekday() not in self.days:
                continue
            opens = datetime.combine(day, self.start, self.zone)
            closes = datetime.combine(day, self.end, self.zone)
            if closes <= opens:
                closes += timedelta(days=1)
            spans.append((opens.astimezone(UTC), closes.astimezone(UTC)))
        return spans

    def open_at(self, now: datetime) -> bool:
        return any(opens <= now < closes for opens, closes in self._spans(now))

    def next_open(self, now: datetime) -> tuple[datetime, datetime]:
        """The current opening if ``now`` is inside one, else the next: (opens, closes)."""
        for opens, closes in self._spans(now):
            if closes > now:
                return max(opens, now), closes
        raise AssertionError("a window opens at least once a week")  # pragma: no cover


def parse_instant(text: str) -> datetime:
    """``2027-01-10T02:00Z`` or any ISO 8601 instant with an offset (UTC when none)."""
    raw = text.strip()
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ScheduleError(
            f"dbshift:not-before expects an ISO 8601 instant such as 2027-01-10T02:00Z, got {raw!r}"
        ) from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def parse_window(text: str) -> Window:
    words = text.split()
    zone: tzinfo = UTC
    if words and not _looks_like_span(words[-1]):
        zone = _zone(words.pop())
    if not words or not _SPAN.match(words[-1]):
        raise ScheduleError(
            f"dbshift:window expects '[days] HH:MM-HH:MM [zone]' such as "
            f"'sat,sun 01:00-05:00 UTC', got {text.strip()!r}"
        )
    start_text, _, end_text = words.pop().partition("-")
    start, end = _clock(start_text, text), _clock(end_text, text)
    if start == end:
        raise ScheduleError(f"dbshift:window {text.strip()!r} opens and closes at the same time")
    days = _days(" ".join(words), text) if words else frozenset(range(7))
    return Window(days=days, start=start, end=end, zone=zone, text=text.strip())


def _looks_like_span(word: str) -> bool:
    """A clock span, or a botched one: a zone name has no digits (Etc/GMT+1 aside)."""
    return any(c.isdigit() for c in word) and not word.startswith("Etc/")


def _clock(value: str, text: str) -> time:
    match = _HHMM.match(value)
    if match is None or int(match.group(1)) > 24 or int(match.group(2)) > 59:
        raise ScheduleError(f"dbshift:window {text.strip()!r}: {value!r} is not HH:MM")
    hour, minute = int(match.group(1)), int(match.group(2))
    return time(0, 0) if (hour, minute) == (24, 0) else time(hour, minute)


def _days(spec: str, text: str) -> frozenset[int]:
    out: set[int] = set()
    for part in spec.replace(" ", "").lower().split(","):
        first, _, last = part.partition("-")
        if first[:3] not in _DAYS or (last and last[:3] not in _DAYS):
            raise ScheduleError(
                f"dbshift:window {text.strip()!r}: {part!r} is not a day (mon..sun) or a range"
            )
        a = _DAYS.index(first[:3])
        b = _DAYS.index(last[:3]) if last else a
        out.update((a + i) % 7 for i in range((b - a) % 7 + 1))
    return frozenset(out)


def _zone(name: str) -> tzinfo:
    if name.upper() in ("UTC", "Z", "GMT"):
        return UTC
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(f"dbshift:window: unknown time zone {name!r}") from None


@dataclass(frozen=True)
class Due:
    """Whether a migration may run at ``now``, and if not, from when."""

    due: bool
    #: When it may run next (``now`` when due).
    next_at: datetime
    #: Until when the current window stays open (None: no window applies).
    closes_at: datetime | None
    reason: str


def when(*, not_before: str | None, windows: tuple[str, ...], now: datetime) -> Due:
    """The earliest instant ≥ ``now`` when a migration with these headers may start."""
    earliest = now
    reason = ""
    if not_before is not None:
        instant = parse_instant(not_before)
        if instant > now:
            earliest, reason = instant, f"not before {_fmt(instant)}"
    parsed = [parse_window(w) for w in windows]
    closes: datetime | None = None
    if parsed:
        # The next opening of any window at or after `earliest`.
        best = min((w.next_open(earliest) for w in parsed), key=lambda span: span[0])
        if best[0] > earliest:
            reason = f"next window {' or '.join(w.text for w in parsed)} opens {_fmt(best[0])}"
        earliest, closes = best
    return Due(due=earliest <= now, next_at=earliest, closes_at=closes, reason=reason)


def _fmt(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ (%a)")


def clock() -> datetime:
    """Now, in UTC. ``DBSHIFT_NOW`` (an ISO instant) fixes it, for tests and rehearsals."""
    import os

    fixed = os.environ.get("DBSHIFT_NOW")
    if fixed:
        try:
            return parse_instant(fixed)
        except ScheduleError:
            raise ScheduleError(f"$DBSHIFT_NOW is not an ISO 8601 instant: {fixed!r}") from None
    return datetime.now(UTC)
