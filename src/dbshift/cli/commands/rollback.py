"""``dbshift rollback [N] [--to V]``: run down sections, newest first.

The same gate as ``migrate``: destructive statements in the down sections (dropping the
tables a migration created, with whatever rows they gained since) are asked about on a
terminal and refused without one unless ``--allow-destructive``. Each rollback leaves an
audit row in the history log (``dbshift history``).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from dbshift.cli import auto_backup, context, destructive
from dbshift.cli.live_objects import LiveCatalog

if TYPE_CHECKING:
    from dbshift.migrations.model import Migration
    from dbshift.model import Schema

OPTIONS = context.SESSION_OPTIONS | {"ddl_lock_timeout"}

#: Shown at the end of ``dbshift rollback --help``.
EXAMPLES = (
    "dbshift rollback            # revert the newest applied migration",
    "dbshift rollback 3 --dry-run",
    "dbshift rollback --to 0     # revert everything",
)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("count", nargs="?", type=int, help="how many to revert (default 1)")
    parser.add_argument(
        "--to", metavar="VERSION", help="revert everything newer than VERSION (0: all)"
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="list what would be reverted; change nothing"
    )
    parser.add_argument(
        "--no-backup", action="store_true", help="skip the automatic backup (docs/backups.md)"
    )
    context.add_format(parser)
    parser.add_argument(
        "--allow-destructive",
        action="store_true",
        help="run DROP TABLE/COLUMN, TRUNCATE, DELETE without WHERE in down sections "
        "without asking",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from dbshift.errors import UsageError

    if args.count is not None and args.to is not None:
        raise UsageError("give a count or --to, not both")
    with context.session(args) as session:
        dialect = session.dialect

        def live() -> Schema:
            from dbshift.inspect import inspect_schema

            return inspect_schema(session.conn)

        def confirm(victims: list[Migration]) -> None:
            catalog = LiveCatalog(session.conn, session.dialect)
            destructive.confirm(
                victims,
                dialect,
                allowed=args.allow_destructive,
                live=live,
                down=True,
                catalog=catalog,
            )
            auto_backup.before_run(session, victims, down=True, disabled=args.no_backup)

        count = session.rollback(
            count=args.count, to=args.to, dry_run=args.dry_run, confirm=confirm
        )
    if args.dry_run:
        text = f"{count} migration(s) would be reverted (dry run: nothing changed)"
    elif count == 0:
        text = "nothing to roll back"
    else:
        text = f"reverted {count} migration(s)"
    context.report(args, text, count=count, dry_run=args.dry_run)
    return 0
