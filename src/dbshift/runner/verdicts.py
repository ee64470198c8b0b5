"""What ``dbshift test`` concludes: a verdict per check, per migration and for the run.

Plain data, printed by the CLI (text, JSON, JUnit) and read by the pytest plugin.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dbshift.dialects import Dialect
    from dbshift.dialects.locks import TableLock
    from dbshift.model import Schema

PASSED, FAILED, SKIPPED = "passed", "failed", "skipped"


@dataclass(frozen=True)
class Check:
    """One verdict: ``name`` is stairway, down, data, idempotency, models or sum."""

    name: str
    status: str
    message: str = ""
    #: file:line of the statement (or file) at fault.
    where: str | None = None
    #: The operations that would still turn one schema into the other, one per line.
    diff: tuple[str, ...] = ()


@dataclass
class MigrationResult:
    version: str
    filename: str
    path: str
    checks: list[Check] = field(default_factory=list)
    up_ms: float | None = None
    down_ms: float | None = None
    locks: tuple[TableLock, ...] = ()
    rewritten: tuple[str, ...] = ()

    @property
    def failed(self) -> bool:
        return any(c.status == FAILED for c in self.checks)


@dataclass
class TestReport:
    __test__ = False  # a report, not a pytest test class

    dialect: Dialect
    migrations: list[MigrationResult] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    #: False when only time was measured (no lock tracing).
    locks_traced: bool = True
    seconds: float = 0.0

    @property
    def failed(self) -> bool:
        return any(m.failed for m in self.migrations) or any(
            c.status == FAILED for c in self.checks
        )

    @property
    def failures(self) -> list[tuple[str, Check]]:
        out = [(m.filename, c) for m in self.migrations for c in m.checks if c.status == FAILED]
        return out + [("", c) for c in self.checks if c.status == FAILED]


@dataclass(frozen=True)
class Snapshot:
    """A schema at one point of the run: its digest, or (no digest) the inspected model."""

    digest: str | None
    schema: Schema | None


@dataclass(frozen=True)
class Options:
    start: str | None = None  # --from V
    only: str | None = None  # --only V
    desired: str | None = None
    locks: bool = False
    fixtures: Path | None = None
    #: Scratch databases tested at once, each on its own run of migrations (None: up to 4
    #: where the earlier migrations can be applied in one round trip, else 1).
    jobs: int | None = None
