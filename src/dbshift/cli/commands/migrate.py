"""``dbshift migrate``: apply pending migrations, or show them (--dry-run, --sql)."""

from __future__ import annotations

import argparse

from dbshift.cli import context


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--to", metavar="VERSION", help="stop after this version")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--dry-run", action="store_true", help="list what would run; change nothing")
    mode.add_argument(
        "--sql", action="store_true", help="print the offline SQL script; change nothing"
    )
    parser.add_argument(
        "--out-of-order",
        action="store_true",
        default=None,
        help="apply pending migrations older than the newest applied one",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    with context.session(args, out_of_order=args.out_of_order) as session:
        if args.sql:
            context.out(session.offline_sql(to=args.to))
            return 0
        count = session.migrate(to=args.to, dry_run=args.dry_run)
        if args.dry_run:
            context.out(f"{count} migration(s) would be applied (dry run: nothing changed)")
        elif count == 0:
            context.out("nothing to migrate: the database is up to date")
        else:
            context.out(f"applied {count} migration(s)")
    return 0
