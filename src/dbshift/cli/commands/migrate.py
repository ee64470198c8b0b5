"""``dbshift migrate``: apply pending migrations, or show them (--dry-run, --sql).

Destructive statements (see ``dbshift.cli.destructive``) are confirmed first: asked on a
terminal, refused (exit 1) elsewhere unless ``--allow-destructive``.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from dbshift.cli import context, destructive

if TYPE_CHECKING:
    from dbshift.migrations.model import Migration
    from dbshift.model import Schema


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
    parser.add_argument(
        "--allow-destructive",
        action="store_true",
        help="apply DROP TABLE/COLUMN, TRUNCATE, DELETE without WHERE, narrowing type "
        "changes without asking",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    with context.session(args, out_of_order=args.out_of_order) as session:
        if args.sql:
            context.out(session.offline_sql(to=args.to))
            return 0
        dialect = session.dialect.name

        def live() -> Schema:
            from dbshift.inspect import inspect_schema

            # Only column types are looked up: what diff refuses is no reason to stop here.
            return inspect_schema(session.conn, refuse_unsupported=False)

        def confirm(todo: list[Migration]) -> None:
            destructive.confirm(todo, dialect, allowed=args.allow_destructive, live=live)

        count = session.migrate(to=args.to, dry_run=args.dry_run, confirm=confirm)
        if args.dry_run:
            context.out(f"{count} migration(s) would be applied (dry run: nothing changed)")
        elif count == 0:
            context.out("nothing to migrate: the database is up to date")
        else:
            context.out(f"applied {count} migration(s)")
    return 0
