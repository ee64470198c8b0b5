"""``dbshift rebase [VERSION...] [--after V]``: move pending migrations after the newest
applied (or merged) one; see ``dbshift.runner.rebase``."""

from __future__ import annotations

import argparse

from dbshift.cli import context

OPTIONS = context.SESSION_OPTIONS

#: Shown at the end of ``dbshift rebase --help``.
EXAMPLES = (
    "dbshift rebase --dry-run             # show the renames after a merge",
    "dbshift rebase                       # move pending migrations after the newest applied",
    "dbshift rebase 20260301120000 --after 20260302090000",
)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "versions",
        nargs="*",
        metavar="VERSION",
        help="pending migrations to move (default: those sorting before the anchor)",
    )
    parser.add_argument(
        "--after",
        metavar="V",
        help="the anchor: move them after V (default: the newest applied version)",
    )
    parser.add_argument("--dry-run", action="store_true", help="print the renames; change nothing")
    parser.add_argument(
        "--no-check", action="store_true", help="do not replay the result on a scratch database"
    )
    parser.add_argument(
        "--dev-url", help="server for the scratch database (else dev_url in config)"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from dbshift.runner import rebase

    with context.session(args, dev_url=args.dev_url) as session:
        session.check_sum()
        moves = rebase.plan(session, after=args.after, versions=tuple(args.versions))
        if not moves:
            context.out("nothing to rebase: no pending migration sorts before the anchor")
            return 0
        if not args.dry_run:
            rebase.apply(session, moves, check=not args.no_check)
        for move in moves:
            verb = "would rename" if args.dry_run else "renamed"
            context.out(f"{verb} {move.old.name} -> {move.new.name}")
        if args.dry_run:
            return 0
    checked = "" if args.no_check else "; the new order applies on a scratch database"
    context.out(f"rewrote {session.settings.migrations_dir.name}/dbshift.sum{checked}")
    return 0
