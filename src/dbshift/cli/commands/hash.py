"""``dbshift hash``: rewrite dbshift.sum after an intended change to the files."""

from __future__ import annotations

import argparse

from dbshift.cli import context

#: The connection and configuration options this command uses (its help lists only these).
OPTIONS = frozenset({"config", "env", "migrations"})

#: Shown at the end of ``dbshift hash --help``.
EXAMPLES = (
    "dbshift hash              # after an intended edit of a migration file",
    "dbshift hash --dir db/migrations",
)


def configure(parser: argparse.ArgumentParser) -> None:
    context.add_format(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from dbshift.migrations import loader, sumfile

    directory = context.settings(args).migrations_dir
    files = loader.scan(directory)
    path = sumfile.write(directory, files)
    context.report(
        args, f"{path}: {len(files)} migration file(s)", sum_file=str(path), files=len(files)
    )
    return 0
