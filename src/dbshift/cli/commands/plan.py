"""``dbshift plan``: the pending migrations run on a scratch copy of the schema, with the
locks, rewrites and time of each statement."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from dbshift.cli import context

if TYPE_CHECKING:
    from dbshift.dialects.locks import Observation, TableLock
    from dbshift.runner.lock_trace import LockPlan, TracedMigration


OPTIONS = context.SESSION_OPTIONS

#: Shown at the end of ``dbshift plan --help``.
EXAMPLES = (
    "dbshift plan                          # locks and rewrites of each pending statement",
    "dbshift plan --to 20240101120000 --format json",
    "dbshift plan --replay --dev-url postgresql://localhost/postgres",
)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--to", metavar="VERSION", help="stop after this version")
    parser.add_argument(
        "--dev-url", help="server for the scratch database (else dev_url in config)"
    )
    parser.add_argument(
        "--replay",
        action="store_true",
        help="build the scratch schema by running the applied migrations, "
        "not by copying the target's schema",
    )
    context.add_format(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from dbshift.runner.lock_trace import trace

    plan = trace(context.settings(args, dev_url=args.dev_url), to=args.to, replay=args.replay)
    if args.format == "json":
        context.out_json(as_json(plan))
    elif not plan.migrations:
        context.out("nothing to plan: no pending or stopped migrations")
    else:
        _print(plan)
    return 0


def as_json(plan: LockPlan) -> dict[str, Any]:
    return {
        "dialect": plan.dialect.name,
        "migrations": [
            {
                "version": m.version,
                "file": m.filename,
                "transactional": m.transactional,
                "resumed_at": m.resumed_at,
                "statements": [
                    {"where": s.where, "sql": s.sql, **_observation(s.observation)}
                    for s in m.statements
                ],
                "held_until_commit": [_lock(lock) for lock in m.held_until_commit],
            }
            for m in plan.migrations
        ],
    }


def _observation(o: Observation) -> dict[str, Any]:
    return {
        "ms": round(o.ms, 2),
        "locks": [_lock(lock) for lock in o.locks],
        "rewrite": bool(o.rewritten),
        "rewritten": list(o.rewritten),
        "lock_source": o.source or None,
        "declared": o.declared,
        "server_chose": o.chosen,
        "notes": list(o.notes),
    }


def _lock(lock: TableLock) -> dict[str, Any]:
    return {
        "table": lock.table,
        "mode": lock.mode,
        "blocks_reads": lock.blocks_reads,
        "blocks_writes": lock.blocks_writes,
        "new_table": lock.new,
    }


def _print(plan: LockPlan) -> None:
    from rich.markup import escape

    # Off a terminal nothing wraps: a pipe or a CI log gets whole rows.
    console = context.console()
    for migration in plan.migrations:
        if plan.dialect.ddl_commits_implicitly:
            mode = "each DDL statement commits on its own"
        else:
            mode = "one transaction" if migration.transactional else "no transaction"
        if migration.resumed_at is not None:
            mode += (
                f"; stopped after {migration.resumed_at} statement(s): 'dbshift migrate' "
                "resumes it with the statements below"
            )
        console.print(f"[bold]{escape(migration.filename)}[/] ({escape(mode)})")
        console.print(_table(migration))
        if len(migration.statements) > 1 and migration.held_until_commit:
            held = ", ".join(
                f"{lock.table} {lock.mode}{_blocks_suffix(lock)}"
                for lock in migration.held_until_commit
            )
            console.print(escape(f"held until COMMIT: {held}"))
        console.print()
    console.print(f"[dim]{escape(plan.dialect.lock_trace_legend)}[/]")


def _table(migration: TracedMigration) -> Any:
    from rich.markup import escape
    from rich.table import Table

    table = Table(box=None, pad_edge=False)
    for column in ("statement", "locks", "blocks", "rewrite", "ms"):
        table.add_column(column, justify="right" if column == "ms" else "left")
    for s in migration.statements:
        o = s.observation
        text = " ".join(s.sql.split())
        first = text[:60] + ("..." if len(text) > 60 else "")
        notes = "".join(f"\n[dim]{escape(note)}[/]" for note in o.notes)
        table.add_row(
            f"{escape(s.where)}\n{escape(first)}{notes}",
            escape(_locks(o)),
            _blocks(o.locks),
            "[red]yes[/]: " + escape(", ".join(o.rewritten)) if o.rewritten else "no",
            f"{o.ms:.1f}",
        )
    return table


def _locks(o: Observation) -> str:
    lines = [f"{lock.table}: {lock.mode}" + (" (new)" if lock.new else "") for lock in o.locks]
    if o.declared:
        lines += [f"declared {o.declared}", f"server chose {o.chosen}"]
    if o.source == "documented" and o.locks:
        lines.append("(documented, not observed)")
    return "\n".join(lines) or "-"


def _blocks(locks: tuple[TableLock, ...]) -> str:
    reads = any(lock.blocks_reads for lock in locks)
    writes = any(lock.blocks_writes for lock in locks)
    if reads:
        return "[red]reads, writes[/]"
    return "[yellow]writes[/]" if writes else "-"


def _blocks_suffix(lock: TableLock) -> str:
    if lock.blocks_reads:
        return " (blocks reads and writes)"
    return " (blocks writes)" if lock.blocks_writes else ""
