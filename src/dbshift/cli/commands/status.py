"""``dbshift status``: current version, applied, pending, stopped migrations and problems.

What it says must hold while another run is migrating: on PostgreSQL a migration applied
in one transaction has no visible history row until it commits, so the migration the
lock holder announced (``Session.runner``) is shown ``in progress (pid, since)`` rather
than ``pending``. Migrations at or below a baseline are listed as ``baselined``.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from dbshift.cli import context

OPTIONS = context.SESSION_OPTIONS

#: Shown at the end of ``dbshift status --help``.
EXAMPLES = (
    "dbshift status",
    "dbshift --env staging status --format json",
    "dbshift status | grep pending",
)
if TYPE_CHECKING:
    from dbshift.runner.session import Runner, Session, Status


def configure(parser: argparse.ArgumentParser) -> None:
    context.add_format(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from dbshift.drift import quick_check

    with context.session(args) as session:
        status = session.status()
        drifted = quick_check(session) if not status.unfinished else None
        if args.format == "json":
            context.out_json(
                {
                    **_json(status),
                    "drift": drifted,
                    "repeatable": [
                        {
                            "name": r.migration.version,
                            "description": r.migration.description,
                            "state": r.state.value,
                            "checksum": r.migration.checksum,
                            "applied_at": r.row.applied_at.isoformat() + "Z" if r.row else None,
                        }
                        for r in status.repeatable
                    ],
                }
            )
            return 0
        _text(session, status)
        if drifted:
            context.out(
                f"drift: {drifted} object(s) changed outside the migrations; see 'dbshift drift'"
            )
    return 0


def _json(status: Status) -> dict[str, Any]:
    analysis = status.analysis
    current = analysis.current
    return {
        "current": current.version if current else None,
        "applied": [
            {
                "version": r.version,
                "description": r.description,
                "checksum": r.checksum,
                "applied_at": r.applied_at.isoformat() + "Z",
                "execution_ms": r.execution_ms,
                "in_progress": status.in_progress(r.version, down=True) is not None,
            }
            for r in analysis.applied
        ],
        "baselined": [
            {"version": m.version, "description": m.description} for m in analysis.baselined
        ],
        "pending": [
            {
                "version": m.version,
                "description": m.description,
                "in_progress": status.in_progress(m.version, down=False) is not None,
            }
            for m in analysis.pending
        ],
        "failed": [
            {
                "version": u.row.version,
                "description": u.row.description,
                "state": u.row.state.value,
                "in_progress": u.in_progress,
                "statements_done": u.row.statements_done,
                "statements_total": u.row.statements_total,
                "statement": u.next_statement,
                "error": u.row.error,
                "explanation": u.explain(),
            }
            for u in status.unfinished
        ],
        "online_in_flight": [
            {
                "version": m.version,
                "name": m.path.stem,
                "started_at": status.online[m.version].started_at.isoformat() + "Z",
                "next": f"dbshift online complete {m.path.stem}",
            }
            for m in status.in_flight()
        ],
        "running": _runner_json(status.runner),
        "problems": status.problems,
    }


def _runner_json(runner: Runner | None) -> dict[str, Any] | None:
    if runner is None:
        return None
    return {
        "pid": runner.pid,
        "since": runner.since.isoformat() + "Z" if runner.since else None,
        "direction": runner.direction,
        "version": runner.version,
    }


def _text(session: Session, status: Status) -> None:
    from rich.markup import escape
    from rich.table import Table

    from dbshift.connection import mask_url

    analysis = status.analysis
    console = context.console()
    current = analysis.current
    baselined = f", baselined {len(analysis.baselined)}" if analysis.baselined else ""
    console.print(
        f"[bold]database[/]  {escape(mask_url(session.url))}  (history: {escape(session.history.display)})"
    )
    console.print(
        f"[bold]current[/]   {escape(current.version + ' ' + current.description) if current else '(none)'}"
        f"   applied {len(analysis.applied)}, pending {len(analysis.pending)}{baselined}"
    )
    table = Table(box=None, pad_edge=False)
    for col in ("version", "description", "state", "applied at (UTC)", "ms"):
        table.add_column(
            col, justify="right" if col == "ms" else "left", no_wrap=col != "description"
        )
    base = analysis.baseline
    for migration in analysis.baselined:
        at = base.applied_at.strftime("%Y-%m-%d %H:%M:%S") if base else ""
        table.add_row(
            migration.version, escape(migration.description), "[cyan]baselined[/]", at, ""
        )
    files = {m.number for m in analysis.baselined}
    for row in analysis.applied:
        if row is base and row.number in files:
            continue  # shown as its file, baselined
        runner = status.in_progress(row.version, down=True)
        state = "[cyan]baseline[/]" if row is base else "[green]applied[/]"
        if runner is not None:
            state = f"[yellow]reverting ({escape(runner.describe())})[/]"
        table.add_row(
            row.version,
            escape(row.description),
            state,
            row.applied_at.strftime("%Y-%m-%d %H:%M:%S"),
            str(row.execution_ms),
        )
    for item in status.unfinished:
        table.add_row(
            item.row.version,
            escape(item.row.description),
            f"[red]{item.row.state.value}[/]",
            "",
            "",
        )
    flying = {m.version for m in status.in_flight()}
    for migration in analysis.pending:
        runner = status.in_progress(migration.version, down=False)
        state = (
            f"[yellow]in progress ({escape(runner.describe())})[/]"
            if runner is not None
            else "[yellow]online: started, not completed[/]"
            if migration.version in flying
            else "[yellow]pending[/]"
        )
        table.add_row(migration.version, escape(migration.description), state, "", "")
    for rep in status.repeatable:
        color = "green" if rep.state.value == "applied" else "yellow"
        when = rep.row.applied_at.strftime("%Y-%m-%d %H:%M:%S") if rep.row else ""
        ms = str(rep.row.execution_ms) if rep.row else ""
        table.add_row("R", rep.migration.description, f"[{color}]{rep.state.value}[/]", when, ms)
    if table.row_count:
        console.print(table)
    for item in status.unfinished:
        console.print(f"[red]{item.row.version}[/]: {escape(item.explain())}", soft_wrap=True)
    for migration in status.in_flight():
        since = status.online[migration.version].started_at
        console.print(
            f"[yellow]{migration.version}[/]: online migration {escape(migration.filename)} in "
            f"flight since {since:%Y-%m-%d %H:%M:%S} UTC; 'dbshift online complete "
            f"{escape(migration.path.stem)}' finishes it ('dbshift online status' shows its "
            "progress); 'migrate' applies nothing after it until then",
            soft_wrap=True,
        )
    runner = status.runner
    shown = runner is not None and any(
        status.in_progress(v, down=d) is not None
        for v, d in [(r.version, True) for r in analysis.applied]
        + [(m.version, False) for m in analysis.pending]
    )
    if runner is not None and not status.unfinished and not shown:
        who = f" ({escape(runner.describe())})" if runner.describe() else ""
        console.print(f"[yellow]a dbshift run holds the migration lock[/]{who}", soft_wrap=True)
    for problem in status.problems:
        console.print(f"[red]problem[/]: {escape(problem)}", soft_wrap=True)
