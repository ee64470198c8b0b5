"""``dbshift diff --from SRC --to DST``: the operations that turn one schema into another."""

from __future__ import annotations

import argparse

from dbshift.cli import context


def configure(parser: argparse.ArgumentParser) -> None:
    add_schema_options(parser)
    parser.add_argument(
        "--from",
        dest="source",
        required=True,
        metavar="SRC",
        help="URL, schema .sql file, migrations directory or sqlalchemy:module:attr",
    )
    parser.add_argument("--to", dest="target", required=True, metavar="DST", help="same forms")
    parser.add_argument("--format", choices=("text", "sql", "json"), default="sql")
    parser.add_argument(
        "--exit-code", action="store_true", help="exit 1 when there are differences (as git diff)"
    )
    parser.set_defaults(handler=run)


def add_schema_options(parser: argparse.ArgumentParser) -> None:
    """Options shared with ``generate``."""
    parser.add_argument(
        "--dialect",
        choices=("postgresql", "mysql", "sqlite"),
        help="dialect when neither side is a URL (default: the configured URL's)",
    )
    parser.add_argument("--dev-url", help="server for scratch databases (else dev_url in config)")
    parser.add_argument(
        "--rename",
        action="append",
        default=[],
        metavar="OLD:NEW",
        help="a rename hint: table OLD:NEW or column TABLE.OLD:NEW (repeatable)",
    )
    parser.add_argument(
        "--interactive", action="store_true", help="ask about columns that look renamed"
    )


def run(args: argparse.Namespace) -> int:
    from dbshift.cli.schema_plan import plan

    settings = context.settings(args, dev_url=args.dev_url)
    result = plan(args, settings, args.source, args.target)
    from dbshift.cli import plan_output  # after: plan() imports it while the servers work

    if args.format == "json":
        context.out(plan_output.plan_json(result.ops, result.current, result.dialect))
    elif args.format == "text":
        if result.ops:
            context.out(plan_output.plan_text(result.ops, result.dialect))
    elif result.ops:
        context.out(plan_output.plan_sql(result.ops, result.current, result.dialect))
    if not result.ops and args.format != "json":
        context.out("-- no differences" if args.format == "sql" else "no differences")
    return 1 if (args.exit_code and result.ops) else 0
