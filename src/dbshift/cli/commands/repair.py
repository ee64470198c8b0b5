"""``dbshift repair``: accept edited checksums and resolve migrations that stopped midway."""

from __future__ import annotations

import argparse

from dbshift.cli import context

OPTIONS = context.SESSION_OPTIONS

#: Shown at the end of ``dbshift repair --help``.
EXAMPLES = (
    "dbshift repair                  # accept edited checksums, mark stopped migrations applied",
    "dbshift repair --remove-failed  # forget stopped migrations so they run again",
    "dbshift repair --forget-missing",
)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--remove-failed",
        action="store_true",
        help="forget failed migrations so they run again from the start "
        "(default: mark them applied, after you finished them by hand)",
    )
    parser.add_argument(
        "--forget-missing",
        action="store_true",
        help="remove history rows of applied migrations whose files are gone",
    )
    doubt = parser.add_mutually_exclusive_group()
    doubt.add_argument(
        "--statement-done",
        action="store_true",
        help="an interrupted run's last statement took effect: record it as done "
        "(migrate then continues after it)",
    )
    doubt.add_argument(
        "--statement-retry",
        action="store_true",
        help="an interrupted run's last statement did not take effect: migrate runs it again",
    )
    context.add_format(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    with context.session(args) as session:
        done = session.repair(
            remove_failed=args.remove_failed,
            forget_missing=args.forget_missing,
            statement_done=args.statement_done,
            statement_retry=args.statement_retry,
        )
    summary = "nothing to repair" if not done else f"repaired {len(done)} item(s)"
    context.report(args, "\n".join([*done, summary]), repaired=done)
    return 0
