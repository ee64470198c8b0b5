"""``dbshift diff --from SRC --to DST``: the operations that turn one schema into another."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from dbshift.cli import context
from dbshift.dialects import NAMES

#: The connection and configuration options this command uses (its help lists only these).
OPTIONS = frozenset({"url", "env", "config", "migrations", "history_table", "connect_timeout"})

#: Shown at the end of ``dbshift diff --help``.
EXAMPLES = (
    "dbshift diff --from postgresql://localhost/prod --to schema.sql --dev-url postgresql://localhost/postgres",
    "dbshift diff --from migrations --to sqlite:///app.db --format text",
    "dbshift diff --from sqlite:///a.db --to sqlite:///b.db --exit-code",
)
if TYPE_CHECKING:
    from dbshift.cli.schema_plan import Plan
    from dbshift.config import Settings


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
    parser.add_argument(
        "--lint",
        action="store_true",
        help="also lint the plan's SQL (findings on stderr; exit 1 on an error-level one)",
    )
    parser.add_argument(
        "--verify",
        action="store_true",
        help="run the plan up and down on a scratch database first (as generate does); "
        "exit 1 naming the failing statement",
    )
    parser.set_defaults(handler=run)


def add_scope_options(parser: argparse.ArgumentParser) -> None:
    """Which schemas and objects are compared: shared by inspect, diff and generate."""
    parser.add_argument(
        "--schema",
        dest="schemas",
        action="append",
        metavar="NAME",
        help="schema (MySQL: database) to compare (repeatable; '*' for all, patterns allowed; "
        "default: the connection's schema; config: schemas = [...])",
    )
    parser.add_argument(
        "--include",
        action="append",
        metavar="PATTERN",
        help="compare only objects matching NAME or SCHEMA.NAME patterns (repeatable)",
    )
    parser.add_argument(
        "--exclude",
        action="append",
        metavar="PATTERN",
        help="leave out objects matching NAME or SCHEMA.NAME patterns, e.g. 'audit.*' "
        "(repeatable; config: exclude = [...])",
    )


def add_schema_options(parser: argparse.ArgumentParser) -> None:
    """Options shared with ``generate``."""
    add_scope_options(parser)
    parser.add_argument(
        "--dialect",
        choices=NAMES,
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

    if args.verify and result.ops:
        _verify(settings, result)
    if args.format == "json":
        context.out(
            plan_output.plan_json(
                result.ops, result.current, result.dialect, definer=settings.definer
            )
        )
    elif args.format == "text":
        if result.ops:
            context.out(plan_output.plan_text(result.ops, result.dialect))
    elif result.ops:
        context.out(
            plan_output.for_client(
                plan_output.plan_sql(
                    result.ops, result.current, result.dialect, definer=settings.definer
                ),
                result.dialect,
            )
        )
    if not result.ops and args.format != "json":
        context.out("-- no differences" if args.format == "sql" else "no differences")
    if not result.ops and result.dialect.has_namespaces:
        _hint_other_schemas(settings, args.source, args.target)
    failed = False
    if args.lint and result.ops:
        from dbshift.cli.lint_plan import lint_script, report
        from dbshift.lint.rule import Severity

        script = plan_output.plan_sql(result.ops, result.current, result.dialect)
        # The plan runs on the source: judged for its server where it is a database.
        live = next((u for u in (args.source, args.target) if "://" in (u or "")), None)
        findings = lint_script(script, "<plan>", result.dialect, settings, live=live)
        report(findings)
        failed = any(f.severity is Severity.ERROR for f in findings)
    return 1 if (args.exit_code and result.ops) or failed else 0


def _verify(settings: Settings, result: Plan) -> None:
    """The plan as a migration (up, and down where every operation reverses) run on a
    scratch database built from the ``--from`` schema's DDL."""
    from dbshift.cli import plan_output
    from dbshift.errors import Irreversible
    from dbshift.runner.verify import verify

    text = "-- dbshift:up\n" + plan_output.plan_sql(
        result.ops, result.current, result.dialect, definer=settings.definer
    )
    try:
        down = [op.reverse() for op in reversed(result.ops)]
    except Irreversible:
        down = []
    if down:
        after = result.current
        for op in result.ops:
            after = op.apply(after)
        text += "\n\n-- dbshift:down\n" + plan_output.plan_sql(
            down, after, result.dialect, definer=settings.definer
        )
    verify(
        settings,
        result.dialect,
        start=plan_output.schema_sql(result.current, result.dialect),
        filename="1_plan.sql",
        text=text + "\n",
        start_schema=result.current,
        desired=result.desired,
        shown_as="<plan>",
    )


def _hint_other_schemas(settings: Settings, *sides: str) -> None:
    """No differences in the default schema, while objects sit in others: say so, since
    'no differences' between a database whose tables live in ``app`` and an empty one is
    true only of ``public``."""
    import sys

    from dbshift.connection import mask_text
    from dbshift.runner.sources import uncompared_schemas

    for side in sides:
        if "://" not in side:
            continue
        others = uncompared_schemas(side, settings)
        if others:
            print(
                f"note: schema(s) {', '.join(others)} of {mask_text(side)} were not compared; "
                "--schema '*' (or schemas = [\"*\"] in dbshift.toml) compares every schema",
                file=sys.stderr,
            )
