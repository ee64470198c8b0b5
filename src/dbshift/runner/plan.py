"""Comparing the history table with the files: pure functions, no database."""

from __future__ import annotations

from dataclasses import dataclass, field

from dbshift.migrations.model import Kind, Migration
from dbshift.runner.history import HistoryRow, OnlineRow, State


@dataclass(frozen=True)
class Analysis:
    """Where the database stands relative to the migrations directory."""

    applied: list[HistoryRow] = field(default_factory=list)
    unfinished: list[HistoryRow] = field(default_factory=list)
    pending: list[Migration] = field(default_factory=list)
    edited: list[tuple[Migration, HistoryRow]] = field(default_factory=list)
    missing: list[HistoryRow] = field(default_factory=list)
    out_of_order: list[Migration] = field(default_factory=list)
    baseline: HistoryRow | None = None
    #: Files at or below the baseline's version: counted as applied, never run here.
    baselined: list[Migration] = field(default_factory=list)
    files: dict[str, Migration] = field(default_factory=dict)

    @property
    def current(self) -> HistoryRow | None:
        return self.applied[-1] if self.applied else None

    def file_for(self, row: HistoryRow) -> Migration | None:
        return self.files.get(str(row.number))


def analyse(rows: list[HistoryRow], migrations: list[Migration]) -> Analysis:
    files = {str(m.number): m for m in migrations}
    applied = [r for r in rows if r.state is State.APPLIED]
    unfinished = [r for r in rows if r.state is not State.APPLIED]
    baseline = next((r for r in applied if r.kind == Kind.BASELINE), None)
    floor = baseline.number if baseline else -1
    recorded = {r.number for r in rows}
    ran = {r.number for r in rows if r.kind != Kind.BASELINE}
    newest = max((r.number for r in applied), default=-1)
    pending = [m for m in migrations if m.number not in recorded and m.number > floor]
    edited = []
    missing = []
    for row in applied:
        if row.kind == Kind.BASELINE:
            continue
        migration = files.get(str(row.number))
        if migration is None:
            missing.append(row)
        elif migration.checksum != row.checksum:
            edited.append((migration, row))
    return Analysis(
        applied=applied,
        unfinished=unfinished,
        pending=pending,
        edited=edited,
        missing=missing,
        out_of_order=[m for m in pending if m.number < newest],
        baseline=baseline,
        baselined=[m for m in migrations if m.number <= floor and m.number not in ran],
        files=files,
    )


def problems(analysis: Analysis, *, out_of_order_allowed: bool) -> list[str]:
    """Everything that makes the directory and the history disagree, one line each."""
    found = []
    for migration, row in analysis.edited:
        found.append(
            f"{migration.path}: edited after it was applied "
            f"(checksum {migration.checksum[:12]}, history has {row.checksum[:12]}); "
            "revert the file to what was applied (and put the change in a new migration), "
            "or run 'dbshift repair' to accept the edited file as applied"
        )
    for row in analysis.missing:
        found.append(f"applied migration {row.version} ({row.description}) has no file")
    if not out_of_order_allowed:
        for migration in analysis.out_of_order:
            found.append(
                f"{migration.path}: pending but older than the newest applied version "
                f"{analysis.current.version if analysis.current else '?'} (use --out-of-order)"
            )
    for migration in analysis.pending:
        if migration.kind is Kind.SQL and not migration.up.statements:
            found.append(f"{migration.path}: the up section has no statements")
    return found


def unfinished_problems(analysis: Analysis) -> list[str]:
    """Migrations that stopped midway, one line each."""
    return [
        f"migration {row.version} ({row.description}) is {row.state.value} "
        f"after {row.statements_done} of {row.statements_total} statement(s)"
        + (f": {row.error}" if row.error else "")
        for row in analysis.unfinished
    ]


def in_flight(analysis: Analysis, online: dict[str, OnlineRow]) -> list[Migration]:
    """Pending online files that ``dbshift online start`` started and nothing completed or
    rolled back yet (an online migration's history row is written when it completes)."""
    return [
        m
        for m in analysis.pending
        if m.kind is Kind.ONLINE and m.version in online and online[m.version].in_flight
    ]
