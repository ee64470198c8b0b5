"""``dbshift validate``: files, sum file and history agree, or exit 1 naming each problem."""

from __future__ import annotations

import argparse
import sys

from dbshift.cli import context

#: Shown at the end of ``dbshift validate --help``.
EXAMPLES = (
    "dbshift validate               # exit 1 naming each problem (a CI gate)",
    "dbshift validate --format json",
)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out-of-order",
        action="store_true",
        default=None,
        help="do not report pending migrations older than the newest applied one",
    )
    context.add_format(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    with context.session(args, out_of_order=args.out_of_order) as session:
        problems = session.validate()
    if context.wants_json(args):
        context.out_json({"valid": not problems, "problems": problems})
        return 1 if problems else 0
    for problem in problems:
        print(f"dbshift: invalid: {problem}", file=sys.stderr)
    if problems:
        return 1
    context.out("valid: files, dbshift.sum and history agree")
    return 0
