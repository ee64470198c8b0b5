"""``dbshift drift``: what changed in the live database outside the migrations.

Exit 0 when the live schema is what the applied history produced, 1 when it drifted
(so CI and cron can alert on it), 2/3 for configuration and connection errors.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from dbshift.cli import context

OPTIONS = context.SESSION_OPTIONS

#: Shown at the end of ``dbshift drift --help``.
EXAMPLES = (
    "dbshift drift                          # exit 1 and a report when the schema drifted",
    "dbshift drift --generate adopt_hotfix  # make the by-hand change a migration",
    "dbshift drift --revert undo.sql --apply # put the expected schema back",
)

if TYPE_CHECKING:
    from dbshift.dialects import Dialect
    from dbshift.drift import DriftReport

_LABEL = {"added": "added by hand", "changed": "changed by hand", "dropped": "dropped by hand"}


def configure(parser: argparse.ArgumentParser) -> None:
    context.add_format(parser)
    parser.add_argument(
        "--replay",
        action="store_true",
        help="build the expected schema by replaying the applied migrations on a scratch "
        "database (SQLite: a temporary file; servers: dev_url) instead of the stored snapshot",
    )
    parser.add_argument("--dev-url", help="server for the scratch database of --replay")
    action = parser.add_mutually_exclusive_group()
    action.add_argument(
        "--generate",
        metavar="NAME",
        help="write a migration that adopts the live state, recorded as applied here",
    )
    action.add_argument(
        "--revert",
        metavar="FILE",
        help="write a SQL script (outside migrations/) that puts the expected state back",
    )
    parser.add_argument(
        "--apply",
        action="store_true",
        help="with --revert: also run the script on this database",
    )
    parser.add_argument(
        "--allow-destructive",
        action="store_true",
        help="with --revert --apply: run it even when it drops columns or tables",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from dbshift.cli.commands.new import new_path
    from dbshift.drift import adopt, detect, revert
    from dbshift.errors import UsageError

    if args.apply and not args.revert:
        raise UsageError("--apply goes with --revert FILE")
    written: Path | None = None
    resolved = False
    with context.session(args, dev_url=args.dev_url) as session:
        report = detect(session, replay=args.replay)
        if report.drifted and args.generate:
            directory = session.settings.migrations_dir
            directory.mkdir(parents=True, exist_ok=True)
            written = adopt(session, report, new_path(directory, args.generate, ".sql"))
            resolved = True
        elif report.drifted and args.revert:
            if args.apply and not args.allow_destructive:
                _refuse_destructive(report, session.dialect)
            written = Path(args.revert)
            resolved = bool(revert(session, report, written, apply=args.apply))
    if args.format == "json":
        context.out_json(_json(report, written))
    else:
        _text(report)
        if written is not None and args.generate:
            context.out(f"{written}: written and recorded as applied on this database")
        elif written is not None and resolved:
            context.out(f"{written}: written and run; the schema is back at {report.version}")
        elif written is not None:
            context.out(
                f"{written}: written; review it, then run "
                f"'dbshift drift --revert {written} --apply'"
            )
    return 0 if resolved or not report.drifted else 1


def _refuse_destructive(report: DriftReport, dialect: Dialect) -> None:
    from dbshift.drift.resolve import revert_ops
    from dbshift.errors import UsageError

    lost = [op.describe() for op in revert_ops(report, dialect) if dialect.safety(op).destructive]
    if lost:
        raise UsageError(
            f"the revert loses data ({'; '.join(lost)}): check the script, then add "
            "--allow-destructive"
        )


def _text(report: DriftReport) -> None:
    at = f"version {report.version}" if report.version else "no migrations applied"
    if not report.drifted:
        context.out(
            f"no drift: the schema is what the history produced ({at}; {report.expected_from})"
        )
        return
    context.out(
        f"drift: {len(report.changes)} object(s) differ from what the history produced "
        f"({at}; {report.expected_from})"
    )
    width = max(len(c.object) for c in report.changes)
    for change in report.changes:
        label = _LABEL[change.change]
        context.out(f"  {label:<16} {change.object:<{width}}  {'; '.join(change.details)}")


def _json(report: DriftReport, written: object) -> dict[str, object]:
    return {
        "drift": report.drifted,
        "version": report.version,
        "expected_from": report.expected_from,
        "changes": [
            {"change": c.change, "object": c.object, "details": list(c.details)}
            for c in report.changes
        ],
        "written": str(written) if written is not None else None,
    }
