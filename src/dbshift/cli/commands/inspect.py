"""``dbshift inspect [URL]``: a live schema as DDL or JSON."""

from __future__ import annotations

import argparse

from dbshift.cli import context

#: The connection and configuration options this command uses (its help lists only these).
OPTIONS = frozenset({"url", "env", "config", "connect_timeout"})

#: Shown at the end of ``dbshift inspect --help``.
EXAMPLES = (
    "dbshift inspect                                # the configured database as DDL",
    "dbshift inspect postgresql://localhost/app --format json",
)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", nargs="?", help="database URL (default: the configured one)")
    parser.add_argument("--format", choices=("sql", "json"), default="sql", help="output format")
    from dbshift.cli.commands.diff import add_scope_options

    add_scope_options(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from dbshift.cli import plan_output
    from dbshift.connection import parse_url
    from dbshift.dialects import dialect_for
    from dbshift.runner import sources

    settings = context.settings(args)
    raw = args.source or settings.url
    if not raw:
        from dbshift.errors import ConfigError

        raise ConfigError("no database to inspect: pass a URL or configure one")
    schema = sources.inspect_url(raw, settings)
    if args.format == "json":
        context.out(plan_output.schema_json(schema))
    else:
        dialect = dialect_for(parse_url(raw))
        context.out(plan_output.for_client(plan_output.schema_sql(schema, dialect), dialect))
    return 0
