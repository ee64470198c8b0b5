"""``dbshift status``: current version, applied, pending, stopped migrations and problems."""

from __future__ import annotations

import argparse

from dbshift.cli import context


def configure(parser: argparse.ArgumentParser) -> None:
    context.add_format(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    with context.session(args) as session:
        status = session.status()
        analysis = status.analysis
        if args.format == "json":
            current = analysis.current
            doc = {
                "current": current.version if current else None,
                "applied": [
                    {
                        "version": r.version,
                        "description": r.description,
                        "checksum": r.checksum,
                        "applied_at": r.applied_at.isoformat() + "Z",
                        "execution_ms": r.execution_ms,
                    }
                    for r in analysis.applied
                ],
                "pending": [
                    {"version": m.version, "description": m.description} for m in analysis.pending
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
                "problems": status.problems,
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
            context.out_json(doc)
            return 0
        _text(session, status)
    return 0


def _text(session: object, status: object) -> None:
    from rich.console import Console
    from rich.table import Table

    from dbshift.connection import mask_url
    from dbshift.runner.session import Session, Status

    assert isinstance(session, Session) and isinstance(status, Status)
    analysis = status.analysis
    console = Console(highlight=False)
    current = analysis.current
    console.print(
        f"[bold]database[/]  {mask_url(session.url)}  (history: {session.history.display})"
    )
    console.print(
        f"[bold]current[/]   {current.version + ' ' + current.description if current else '(none)'}"
        f"   applied {len(analysis.applied)}, pending {len(analysis.pending)}"
    )
    table = Table(box=None, pad_edge=False)
    for col in ("version", "description", "state", "applied at (UTC)", "ms"):
        table.add_column(
            col, justify="right" if col == "ms" else "left", no_wrap=col != "description"
        )
    for row in analysis.applied:
        table.add_row(
            row.version,
            row.description,
            "[green]applied[/]",
            row.applied_at.strftime("%Y-%m-%d %H:%M:%S"),
            str(row.execution_ms),
        )
    for item in status.unfinished:
        table.add_row(
            item.row.version, item.row.description, f"[red]{item.row.state.value}[/]", "", ""
        )
    for migration in analysis.pending:
        table.add_row(migration.version, migration.description, "[yellow]pending[/]", "", "")
    for rep in status.repeatable:
        color = "green" if rep.state.value == "applied" else "yellow"
        when = rep.row.applied_at.strftime("%Y-%m-%d %H:%M:%S") if rep.row else ""
        ms = str(rep.row.execution_ms) if rep.row else ""
        table.add_row("R", rep.migration.description, f"[{color}]{rep.state.value}[/]", when, ms)
    if table.row_count:
        console.print(table)
    for item in status.unfinished:
        console.print(f"[red]{item.row.version}[/]: {item.explain()}", soft_wrap=True)
    for problem in status.problems:
        console.print(f"[red]problem[/]: {problem}", soft_wrap=True)
