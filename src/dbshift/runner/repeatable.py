"""Repeatable migrations (``R__<name>.sql``): which are due, from their history rows.

A repeatable migration has no version. It is the whole current definition of a view,
function or procedure, written to be run again (``CREATE OR REPLACE``), and it is applied
after the versioned migrations whenever its checksum differs from the one recorded at its
last successful run. Its history row is keyed ``R__<name>`` and replaced on each run. A run
that failed or was interrupted is simply due again: the file runs whole, never resumed
statement by statement, because a repeatable file is re-runnable by construction.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from dbshift.migrations.model import Migration
from dbshift.runner.history import HistoryRow, State


class RepeatableState(enum.StrEnum):
    APPLIED = "applied"  # the recorded checksum is the file's
    PENDING = "pending"  # never applied
    OUTDATED = "outdated"  # changed since its last run, or that run did not finish


@dataclass(frozen=True)
class Repeatable:
    migration: Migration
    row: HistoryRow | None

    @property
    def state(self) -> RepeatableState:
        if self.row is None:
            return RepeatableState.PENDING
        if self.row.state is not State.APPLIED or self.row.checksum != self.migration.checksum:
            return RepeatableState.OUTDATED
        return RepeatableState.APPLIED

    @property
    def due(self) -> bool:
        return self.state is not RepeatableState.APPLIED


def repeatable_status(rows: list[HistoryRow], migrations: list[Migration]) -> list[Repeatable]:
    """Each repeatable file with its history row, in the order they run (by name)."""
    by_version = {row.version: row for row in rows}
    return [Repeatable(migration=m, row=by_version.get(m.version)) for m in migrations]
