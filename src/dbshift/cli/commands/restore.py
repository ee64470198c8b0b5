"""``dbshift restore ID [--tables T ...] [--to URL] [--force]``.

Checksums are verified before the database is touched; a database whose history moved
past the backup is not overwritten without ``--force`` (the error says what would be).
"""

from __future__ import annotations

import argparse
import sys

from dbshift.cli import context
from dbshift.cli.commands.backup import add_backup_dir

OPTIONS = frozenset(
    {"url", "env", "config", "history_table", "history_schema", "lock_timeout", "connect_timeout"}
)

#: Shown at the end of ``dbshift restore --help``.
EXAMPLES = (
    "dbshift restore 20261206-140534-9c47 --tables users",
    "dbshift restore latest --rows       # only the rows an UPDATE/DELETE was about to change",
    "dbshift restore latest --to postgresql://localhost/app_copy",
)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("id", help="backup id (or a unique prefix, or 'latest')")
    parser.add_argument("--tables", nargs="+", metavar="TABLE", help="only these tables")
    parser.add_argument("--to", metavar="URL", help="restore into this database instead")
    parser.add_argument(
        "--force",
        action="store_true",
        help="restore even though migrations were applied after the backup",
    )
    parser.add_argument(
        "--rows",
        action="store_true",
        help="put back only the rows saved before an UPDATE/DELETE (by primary key), "
        "of the --tables given or of every table that has some",
    )
    add_backup_dir(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from dbshift.backup import service

    tables = [t for item in args.tables for t in item.split(",") if t] if args.tables else None
    done = service.restore(
        context.settings(args),
        args.id,
        tables=tables,
        to=args.to,
        force=args.force,
        notice=lambda text: print(text, file=sys.stderr, flush=True),
        rows_only=args.rows,
    )
    m = done.manifest
    for table, (want, got) in done.mismatched.items():
        print(
            f"warning: {table} has {got} rows after the restore, the backup recorded {want}",
            file=sys.stderr,
        )
    at = f"version {m.history_version}" if m.history_version else "no migrations applied"
    whole = args.tables is None and not args.rows
    history = f" history as at the backup ({at});" if whole else ""
    rows = m.rows if whole else "their"
    upserted = f" {done.upserted} saved row(s) put back by key;" if done.upserted else ""
    context.out(
        f"restored backup {m.id} into {done.target}: {len(done.tables)} table(s), "
        f"{rows} rows;{upserted}{history} {done.seconds:.1f}s"
    )
    return 0
