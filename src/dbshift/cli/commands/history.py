"""``dbshift history``: every recorded migration with when, who, and how long it took."""

from __future__ import annotations

import argparse

from dbshift.cli import context


def configure(parser: argparse.ArgumentParser) -> None:
    context.add_format(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    with context.session(args) as session:
        rows = session.history.rows(session.conn)
        rows += session.history.repeatable_rows(session.conn)
    if args.format == "json":
        doc = [
            {
                "version": r.version,
                "description": r.description,
                "kind": r.kind,
                "state": r.state.value,
                "checksum": r.checksum,
                "applied_at": r.applied_at.isoformat() + "Z",
                "execution_ms": r.execution_ms,
                "applied_by": r.applied_by,
                "dbshift_version": r.dbshift_version,
                "statements_done": r.statements_done,
                "statements_total": r.statements_total,
                "error": r.error,
            }
            for r in rows
        ]
        context.out_json(doc)
        return 0
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False)
    if not rows:
        console.print("no migrations recorded yet")
        return 0
    table = Table(box=None, pad_edge=False)
    for col in ("version", "description", "kind", "state", "applied at (UTC)", "by", "ms"):
        wrap = col in ("description", "by")
        table.add_column(col, justify="right" if col == "ms" else "left", no_wrap=not wrap)
    for r in rows:
        color = "green" if r.state.value == "applied" else "red"
        table.add_row(
            r.version,
            r.description,
            r.kind,
            f"[{color}]{r.state.value}[/]",
            r.applied_at.strftime("%Y-%m-%d %H:%M:%S"),
            r.applied_by,
            str(r.execution_ms),
        )
    console.print(table)
    total = sum(r.execution_ms for r in rows)
    slowest = max(rows, key=lambda r: r.execution_ms)
    console.print(
        f"total {total} ms; slowest {slowest.version} ({slowest.description}) {slowest.execution_ms} ms"
    )
    return 0
