"""``dbshift due``: the pending migrations, whether each may run now, and when it may."""

from __future__ import annotations

import argparse

from dbshift.cli import context

OPTIONS = context.SESSION_OPTIONS

#: Shown at the end of ``dbshift due --help``.
EXAMPLES = (
    "dbshift due                    # which pending migrations may run now",
    "dbshift --env production due --format json",
)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--to", metavar="VERSION", help="stop after this version")
    context.add_format(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from dbshift.runner import scheduling

    clock = scheduling.Clock.from_environment()
    with context.session(args) as session:
        now = clock.now()
        found = scheduling.slots(session.pending(to=args.to), session.settings, now)
    runnable = {id(s) for s in scheduling.runnable_now(found)}
    if args.format == "json":
        context.out_json(
            {
                "now": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "migrations": [
                    {
                        "version": s.migration.version,
                        "file": s.migration.filename,
                        "due": s.due.due,
                        "runs_now": id(s) in runnable,
                        "next_at": s.due.next_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                        "window_closes_at": s.due.closes_at.strftime("%Y-%m-%dT%H:%M:%SZ")
                        if s.due.closes_at
                        else None,
                        "rule": s.rule or None,
                        "reason": s.due.reason or None,
                    }
                    for s in found
                ],
            }
        )
        return 0
    if not found:
        context.out("nothing pending")
        return 0
    for s in found:
        if id(s) in runnable:
            closes = (
                f" (window closes {s.due.closes_at:%Y-%m-%dT%H:%MZ})" if s.due.closes_at else ""
            )
            context.out(f"runs now   {s.migration.filename}{closes}")
        elif s.due.due:
            context.out(f"waits      {s.migration.filename} (due, but after one that is not)")
        else:
            context.out(f"not yet    {s.migration.filename}: {s.due.reason}")
    context.out(f"{len(runnable)} of {len(found)} pending migration(s) would run now")
    return 0
