"""``dbshift backup [--tables T ...] [--full]``: a backup now, by the server's own tools."""

from __future__ import annotations

import argparse
import sys

from dbshift.cli import context

OPTIONS = frozenset(
    {"url", "env", "config", "history_table", "history_schema", "lock_timeout", "connect_timeout"}
)

#: Shown at the end of ``dbshift backup --help``.
EXAMPLES = (
    "dbshift backup                    # the whole database",
    "dbshift backup --tables users orders",
)


def add_backup_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--backup-dir", metavar="DIR", help="where backups live (default: .dbshift/backups)"
    )


def configure(parser: argparse.ArgumentParser) -> None:
    scope = parser.add_mutually_exclusive_group()
    scope.add_argument(
        "--tables", nargs="+", metavar="TABLE", help="only these tables (and the history)"
    )
    scope.add_argument("--full", action="store_true", help="the whole database (the default)")
    add_backup_dir(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from dbshift.backup import service
    from dbshift.cli.auto_backup import size

    tables = [t for item in args.tables for t in item.split(",") if t] if args.tables else None
    taken = service.take(
        context.settings(args),
        tables=tables,
        reason="dbshift backup",
        notice=lambda text: print(text, file=sys.stderr, flush=True),
    )
    assert taken is not None  # strict: a missing table is an error, not a skip
    m = taken.manifest
    context.out(
        f"backup {m.id}: {len(m.tables)} table(s), {m.rows} rows, {size(m.size)} in "
        f"{taken.seconds:.1f}s at {taken.directory}"
    )
    return 0
