"""``dbshift baseline V``: adopt an existing database; migrations up to V count as applied."""

from __future__ import annotations

import argparse

from dbshift.cli import context


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    parser = sub.add_parser(
        "baseline", parents=[common], help="mark migrations up to VERSION as applied"
    )
    parser.add_argument("version")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    with context.session(args) as session:
        session.baseline(args.version)
    context.out(f"baselined at {args.version}: migrations up to it will not run")
    return 0
