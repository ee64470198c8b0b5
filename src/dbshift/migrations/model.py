"""What a migration file is once read: plain data, no database in sight."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path

from dbshift.migrations.splitter import Statement


class Kind(enum.StrEnum):
    SQL = "sql"
    PYTHON = "python"
    BASELINE = "baseline"
    #: ``<version>_<name>.toml``: an online migration (docs/online.md), run by the online
    #: engine: ``dbshift online start``/``complete``, or whole by ``migrate``.
    ONLINE = "online"
    #: ``R__<name>.sql``: no version, re-applied whenever its checksum changes.
    REPEATABLE = "repeatable"


@dataclass(frozen=True)
class Section:
    """The up or down part of a migration: its statements with their source lines.

    A Python migration's section has no statements; it runs as one step.
    """

    statements: tuple[Statement, ...] = ()
    present: bool = True

    @property
    def steps(self) -> int:
        """How many journaled steps the section has (a Python function is one)."""
        return len(self.statements) or 1


@dataclass(frozen=True)
class Headers:
    """What a migration's author declared about testing, ordering and scheduling it."""

    #: There is no down on purpose: ``dbshift test`` does not report the missing down.
    irreversible: bool = False
    #: ``-- dbshift:not-before 2027-01-10T02:00Z``: the raw text (parsed by ``schedule``).
    not_before: str | None = None
    #: ``-- dbshift:window sat,sun 01:00-05:00 UTC``: raw texts, any one of them will do.
    windows: tuple[str, ...] = ()
    #: ``-- dbshift:depends-on V``: versions that must be applied before this one.
    depends_on: tuple[str, ...] = ()


@dataclass(frozen=True)
class Migration:
    """One migration file: identity, checksum and (lazily parsed) content."""

    version: str
    description: str
    kind: Kind
    path: Path
    checksum: str
    transactional: bool = True
    #: ``-- dbshift:lock-timeout`` in seconds (0: off); None when the file does not say.
    lock_timeout: float | None = None
    up: Section = field(default_factory=Section)
    down: Section = field(default_factory=lambda: Section(present=False))
    #: Workflow headers (``-- dbshift:irreversible``, ``not-before``, ``window``,
    #: ``depends-on``): see ``dbshift.migrations.headers``.
    headers: Headers = field(default_factory=lambda: Headers())

    @property
    def number(self) -> int:
        """Versions order numerically: 9 before 10, whatever the zero padding."""
        return int(self.version)

    @property
    def repeatable(self) -> bool:
        return self.kind is Kind.REPEATABLE

    @property
    def filename(self) -> str:
        return self.path.name

    def section(self, *, down: bool) -> Section:
        return self.down if down else self.up
