"""``dbshift online start|complete|rollback|status|pause``: zero-downtime changes.

start expands (PostgreSQL: hidden columns, dual-write triggers, backfill, the new
version's views; MySQL/MariaDB: shadow tables kept in step by triggers, a chunked copy, a
version database; SQLite: the whole change in one transaction), complete contracts after
the safety period, rollback undoes start at any point before complete. See docs/online.md.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from dbshift.cli import context

if TYPE_CHECKING:
    from rich.progress import TaskID

    from dbshift.config import Settings
    from dbshift.online.backfill import TableBackfill
    from dbshift.online.journal import Entry
    from dbshift.online.phases import NewVersion, Options
    from dbshift.throttle import Thresholds


OPTIONS = context.SESSION_OPTIONS

#: Shown at the end of ``dbshift online --help``.
EXAMPLES = (
    "dbshift online start migrations/20240101_email_lower.toml",
    "dbshift online status --format json",
    "dbshift online complete 20240101_email_lower",
)


def configure(parser: argparse.ArgumentParser) -> None:
    from dbshift.cli.main import common_options

    # The connection options are accepted after the action too (dbshift online start
    # FILE --url ...), like every other command's.
    parents = [common_options(OPTIONS)]
    sub = parser.add_subparsers(dest="online_command", metavar="ACTION", required=True)
    sub._parser_class = type(parser)  # one-line errors, as everywhere else
    start = sub.add_parser(
        "start", parents=parents, help="expand: new columns, dual writes, backfill, new version"
    )
    start.add_argument("file", type=Path, help="online migration file (<version>_<name>.toml)")
    start.add_argument("--batch-size", type=int, default=1000, help="first backfill batch size")
    start.add_argument(
        "--rate", type=float, help="backfill at most this many rows per second (default: no cap)"
    )
    start.add_argument(
        "--target-ms",
        type=float,
        help="adapt batches to this latency (ms; default 100, on MariaDB/MySQL with "
        "innodb_autoinc_lock_mode=1 and an auto-increment key 25)",
    )
    start.add_argument(
        "--max-load",
        metavar="METRIC=N,...",
        help="wait before a batch while the server reaches any of these (running, "
        "lock_waits, replica_lag; default running=25); over [throttle] in the file and config",
    )
    start.add_argument(
        "--critical-load",
        metavar="METRIC=N,...",
        help="pause the backfill at these (default running=50), and stop after "
        "--critical-timeout (resumable)",
    )
    start.add_argument(
        "--critical-timeout",
        type=float,
        help="seconds to stay paused at a critical load before stopping (default 300)",
    )
    start.add_argument(
        "--nice-ratio",
        type=float,
        help="after each batch, sleep this many times its duration (default 0)",
    )
    complete = sub.add_parser(
        "complete", parents=parents, help="contract: verify, drop the old, keep the new"
    )
    complete.add_argument("name", help="the migration's name (its file name without .toml)")
    complete.add_argument(
        "--force", action="store_true", help="complete before the safety period has passed"
    )
    rollback = sub.add_parser(
        "rollback", parents=parents, help="undo start: drop what it added, keep all data"
    )
    rollback.add_argument("name")
    pause = sub.add_parser(
        "pause", parents=parents, help="pause a running backfill (start resumes it)"
    )
    pause.add_argument("name")
    status = sub.add_parser(
        "status", parents=parents, help="phase, backfill progress, live versions"
    )
    refresh = sub.add_parser(
        "refresh",
        parents=parents,
        help="MySQL/MariaDB: views in the new version for tables made or dropped since start",
    )
    for p in (start, complete, rollback, pause, status, refresh):
        context.add_format(p)
        p.add_argument("--schema", default="public", help="base schema (default: public)")
        p.add_argument(
            "--ddl-lock-timeout-ms",
            type=int,
            default=2000,
            help="lock_timeout of each DDL attempt (default 2000)",
        )
        p.add_argument(
            "--ddl-attempts", type=int, default=8, help="DDL attempts before giving up (default 8)"
        )
    # Only start records a safety period (complete checks the one recorded; the other
    # actions have none to apply).
    start.add_argument(
        "--safety-period",
        type=float,
        default=600.0,
        help="seconds between start and complete when the file sets none (default 600)",
    )
    parser.set_defaults(handler=run)


def _throttle(args: argparse.Namespace) -> Thresholds:
    """The command line's thresholds (what it leaves out, the file and config decide)."""
    from dbshift.throttle import Thresholds, parse_levels, parse_thresholds

    max_load, critical = getattr(args, "max_load", None), getattr(args, "critical_load", None)
    timeout, ratio = getattr(args, "critical_timeout", None), getattr(args, "nice_ratio", None)
    checked = parse_thresholds(
        {k: v for k, v in (("critical_timeout", timeout), ("nice_ratio", ratio)) if v is not None},
        "--critical-timeout/--nice-ratio",
    )
    return Thresholds(
        max_load=parse_levels(max_load, "--max-load") if max_load else {},
        critical_load=parse_levels(critical, "--critical-load") if critical else {},
        critical_timeout=checked.critical_timeout,
        nice_ratio=checked.nice_ratio,
    )


def _options(args: argparse.Namespace) -> Options:
    from dbshift.online.backfill import BackfillOptions
    from dbshift.online.locks import LockPolicy
    from dbshift.online.phases import Options

    return Options(
        lock=LockPolicy(timeout_ms=args.ddl_lock_timeout_ms, attempts=max(1, args.ddl_attempts)),
        backfill=BackfillOptions(
            batch_size=max(1, getattr(args, "batch_size", 1000)),
            rate=getattr(args, "rate", None),
            target_seconds=args.target_ms / 1000 if getattr(args, "target_ms", None) else None,
            throttle=_throttle(args),
        ),
        safety_period=getattr(args, "safety_period", 600.0),
    )


def run(args: argparse.Namespace) -> int:
    from dbshift.online import service

    settings = context.settings(args)
    options = _options(args)
    command = args.online_command
    if command == "status":
        entries = service.status(settings, schema=args.schema)
        if args.format == "json":
            context.out_json([_as_json(e) for e in entries])
        elif not entries:
            context.out("no online migrations")
        for entry in entries if args.format == "text" else []:
            context.out(_describe(entry))
        return 0
    if command == "refresh":
        changes = service.refresh(settings, schema=args.schema)
        text = "\n".join(changes) or "nothing to refresh"
        context.report(args, text, changes=changes)
        return 0
    if command == "pause":
        entry = service.pause(args.name, settings, schema=args.schema)
        if service.backfill_running(entry):
            message = "pausing after the current batch ('online start FILE' resumes it)"
        elif entry.phase.in_flight:
            message = (
                f"nothing to pause: the backfill has finished (phase {entry.phase}); "
                f"next: 'dbshift online complete {entry.name}'"
            )
        else:
            message = f"nothing to pause: the migration is {entry.phase}"
        context.report(
            args,
            f"{args.name}: {message}",
            **_as_json(entry),
            pausing=service.backfill_running(entry),
            message=message,
        )
        return 0
    with _ConsoleProgress(to_stderr=context.wants_json(args)) as progress:
        if command == "start":
            entry = service.start(args.file, settings, options, progress)
        elif command == "complete":
            entry = service.complete(
                args.name, settings, options, progress, schema=args.schema, force=args.force
            )
        else:
            entry = service.rollback(args.name, settings, options, progress, schema=args.schema)
    if not entry.phase.in_flight:
        _refresh_drift_snapshot(settings)
    context.report(args, _describe(entry), **_as_json(entry))
    return 0


def _refresh_drift_snapshot(settings: Settings) -> None:
    """What complete or rollback changed is dbshift's doing, not drift (docs/drift.md)."""
    from dbshift.drift import refresh_snapshot
    from dbshift.runner.session import QuietReporter, Session

    if settings.url:
        with Session(settings, QuietReporter()) as session:
            refresh_snapshot(session)


def _describe(entry: Entry) -> str:
    lines = [f"{entry.name}: {entry.phase} on {', '.join(entry.tables)}"]
    for table, state in sorted(entry.jobs.items()):
        done, total = state.get("done", 0), state.get("total", 0)
        mark = "done" if state.get("finished") else "in progress"
        lines.append(f"  backfill {table}: {done} rows ({mark}; about {total} in the table)")
        if state.get("throttle"):
            lines.append(
                "    " + _throttle_line(state["throttle"], finished=bool(state.get("finished")))
            )
        if state.get("pacing"):
            lines.append("    " + _pacing_line(state["pacing"]))
    if entry.phase.in_flight:
        lines += _new_version(entry).lines
    return "\n".join(lines)


def _pacing_line(raw: dict[str, object]) -> str:
    """The batches' latency target and the writers they held up (``throttle/pacing.py``)."""
    from dbshift.throttle import PacingStatus

    return PacingStatus.from_dict(raw).describe()


def _throttle_line(raw: dict[str, object], *, finished: bool) -> str:
    """The throttle's thresholds and what it last saw (``backfill.py`` keeps it with the
    job's checkpoint); a finished job's state is history, not now."""
    from dbshift.throttle import ThrottleStatus

    status = ThrottleStatus.from_dict(raw)
    if finished and status.state == "running":
        status.state = "done"
    return status.describe()


def _new_version(entry: Entry) -> NewVersion:
    from dbshift.online.service import engine_named

    return engine_named(entry.backend).new_version(entry)


def _as_json(entry: Entry) -> dict[str, object]:
    version = _new_version(entry)
    return {
        "name": entry.name,
        "phase": str(entry.phase),
        "tables": list(entry.tables),
        "version_schema": entry.version_schema,
        "backend": entry.backend,
        "search_path": version.search_path,
        "database": version.database,
        "started_at": entry.started_at.isoformat(),
        "expanded_at": entry.expanded_at.isoformat() if entry.expanded_at else None,
        "finished_at": entry.finished_at.isoformat() if entry.finished_at else None,
        "safety_period": entry.safety_period,
        "paused": entry.paused,
        "backfill": entry.jobs,
    }


class _ConsoleProgress:
    """Steps as lines; the backfill as a rich progress bar with rate and ETA (stderr, and
    only on a terminal, so scripts and logs get clean output). With --format json the
    step lines go to stderr: stdout holds the one JSON document."""

    def __init__(self, *, to_stderr: bool = False) -> None:
        self._to_stderr = to_stderr

    def _line(self, text: str) -> None:
        if self._to_stderr:
            import sys

            print(text, file=sys.stderr, flush=True)
        else:
            context.out(text)

    def __enter__(self) -> _ConsoleProgress:
        import sys

        self._bar = None
        self._tasks: dict[str, TaskID] = {}
        if sys.stderr.isatty():
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
                TransferSpeedColumn,
            )

            self._bar = Progress(
                TextColumn("backfill {task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TransferSpeedColumn(),
                TimeRemainingColumn(),
                transient=True,
            )
            self._bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def step(self, text: str) -> None:
        self._line(text)

    def backfill(self, table: str, state: TableBackfill) -> None:
        if self._bar is None:
            if state.finished:
                self._line(f"backfill {table}: {state.done} rows in {state.batches} batches")
            return
        if table not in self._tasks:
            self._tasks[table] = self._bar.add_task(table, total=max(state.total, state.done))
        self._bar.update(
            self._tasks[table], completed=state.done, total=max(state.total, state.done)
        )
