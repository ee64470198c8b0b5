"""``dbshift baseline V``: adopt an existing database; migrations up to V count as applied."""

from __future__ import annotations

import argparse

from dbshift.cli import context

OPTIONS = context.SESSION_OPTIONS

#: Shown at the end of ``dbshift baseline --help``.
EXAMPLES = (
    "dbshift baseline 20240101120000   # migrations up to this one count as applied",
    "dbshift --env production baseline 5",
)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("version", help="the newest migration the database already has")
    context.add_format(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    with context.session(args) as session:
        session.baseline(args.version)
    context.report(
        args,
        f"baselined at {args.version}: migrations up to it will not run",
        baseline=args.version,
    )
    return 0
