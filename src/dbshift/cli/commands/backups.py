"""``dbshift backups [--format json]``, ``backups prune [--keep N] [--keep-days D]``,
``backups verify ID``: the backup directory. No database connection needed."""

from __future__ import annotations

import argparse

from dbshift.cli import context
from dbshift.cli.commands.backup import add_backup_dir

OPTIONS = frozenset({"env", "config"})

#: Shown at the end of ``dbshift backups --help``.
EXAMPLES = (
    "dbshift backups --format json",
    "dbshift backups prune --keep 10 --keep-days 30",
    "dbshift backups verify 20261206-140534-9c47",
)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "action",
        nargs="?",
        choices=("list", "prune", "verify"),
        default="list",
        help="list (default), prune by retention, or verify one backup's checksums",
    )
    parser.add_argument("id", nargs="?", help="the backup to verify")
    parser.add_argument("--keep", type=int, metavar="N", help="prune: keep the newest N")
    parser.add_argument(
        "--keep-days", type=float, metavar="D", help="prune: keep those younger than D days"
    )
    context.add_format(parser)
    add_backup_dir(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from dbshift.backup import service
    from dbshift.errors import UsageError, ValidationFailed

    settings = context.settings(args)
    store = service.store(settings)
    if args.action == "prune":
        keep = args.keep if args.keep is not None else settings.backup_keep
        days = args.keep_days if args.keep_days is not None else settings.backup_keep_days
        if keep is None and days is None:
            raise UsageError(
                "prune needs --keep N and/or --keep-days D (or backup_keep / backup_keep_days "
                "in the config)"
            )
        removed = store.prune(keep=keep, keep_days=days)
        for backup_id in removed:
            context.out(f"removed {backup_id}")
        context.out(f"pruned {len(removed)} backup(s); {len(store.entries())} kept")
        return 0
    if args.action == "verify":
        if not args.id:
            raise UsageError("backups verify needs a backup id")
        entry = store.find(args.id)
        if entry.manifest is None:
            raise ValidationFailed(entry.problem or f"backup {entry.id}: unreadable")
        store.verify(entry)
        context.out(f"backup {entry.id}: {len(entry.manifest.files)} file(s) intact")
        return 0
    return _list(args, store.entries())


def _list(args: argparse.Namespace, entries: list) -> int:  # type: ignore[type-arg]
    from dbshift.cli.auto_backup import size

    if args.format == "json":
        context.out_json(
            [
                e.manifest.to_dict() | {"directory": e.location}
                if e.manifest is not None
                else {"id": e.id, "directory": e.location, "problem": e.problem}
                for e in entries
            ]
        )
        return 0
    if not entries:
        context.out("no backups yet")
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table(box=None, pad_edge=False)
    for col in (
        "id",
        "created (UTC)",
        "backend",
        "version",
        "scope",
        "tables",
        "rows",
        "size",
        "reason",
    ):
        table.add_column(
            col, no_wrap=col != "reason", justify="right" if col in ("rows", "size") else "left"
        )
    for e in entries:
        m = e.manifest
        if m is None:
            table.add_row(e.id, "", "", "", "", "", "", "", f"[red]{e.problem}[/]")
            continue
        table.add_row(
            m.id,
            m.created_at[:19].replace("T", " "),
            m.backend,
            m.history_version or "-",
            m.scope,
            str(len(m.tables)),
            str(m.rows),
            size(m.size),
            m.reason,
        )
    import sys

    Console(highlight=False, width=None if sys.stdout.isatty() else 240).print(table)
    return 0
