"""``dbshift migrate``: apply pending migrations, or show them (--dry-run, --sql).

Destructive statements (see ``dbshift.cli.destructive``) are confirmed first: asked on a
terminal, refused (exit 1) elsewhere unless ``--allow-destructive``.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from dbshift.cli import context, destructive

if TYPE_CHECKING:
    from dbshift.migrations.model import Migration
    from dbshift.model import Schema
    from dbshift.runner.scheduling import Clock
    from dbshift.runner.session import Session


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--to", metavar="VERSION", help="stop after this version")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--dry-run", action="store_true", help="list what would run; change nothing")
    mode.add_argument(
        "--sql", action="store_true", help="print the offline SQL script; change nothing"
    )
    parser.add_argument(
        "--out-of-order",
        action="store_true",
        default=None,
        help="apply pending migrations older than the newest applied one",
    )
    parser.add_argument(
        "--allow-destructive",
        action="store_true",
        help="apply DROP TABLE/COLUMN, TRUNCATE, DELETE without WHERE, narrowing type "
        "changes without asking",
    )
    parser.add_argument(
        "--ignore-schedule",
        action="store_true",
        help="run migrations whose not-before or window says later",
    )
    parser.add_argument(
        "--wait",
        action="store_true",
        help="wait for the migrations' window (a countdown on a terminal), then apply them",
    )
    parser.set_defaults(handler=run)


def _wait(session: Session, args: argparse.Namespace, clock: Clock) -> None:
    """``--wait``: sleep (before taking the lock) until every migration in range is due."""
    import sys

    from dbshift.runner import scheduling

    for _ in range(16):  # each wait reaches at least one more opening
        found = scheduling.slots(session.pending(to=args.to), session.settings, clock.now())
        if scheduling.refusal(found, session.settings) is None:
            return
        late = [s for s in found if not s.due.due]
        scheduling.wait_for(late, clock, show=sys.stderr.isatty() and not clock.virtual)
    from dbshift.errors import ValidationFailed

    raise ValidationFailed(
        "the pending migrations' windows never open at the same time; apply them in parts "
        "with 'dbshift migrate --to VERSION --wait'"
    )


def _guard(session: Session, args: argparse.Namespace, clock: Clock, todo: list[Migration]) -> None:
    """Under the lock, before anything runs: refuse migrations that are not due yet
    (``dbshift.runner.scheduling``) or would run before one they depend on."""
    from dbshift.errors import ValidationFailed
    from dbshift.runner import dependencies, scheduling

    if not args.ignore_schedule:
        refused = scheduling.refusal(
            scheduling.slots(todo, session.settings, clock.now()), session.settings
        )
        if refused is not None:
            raise refused
    unmet = dependencies.unmet(todo, session.analysis())
    if unmet:
        more = f" (and {len(unmet) - 1} more)" if len(unmet) > 1 else ""
        raise ValidationFailed(unmet[0] + more)


def run(args: argparse.Namespace) -> int:
    with context.session(args, out_of_order=args.out_of_order) as session:
        if args.sql:
            context.out(session.offline_sql(to=args.to))
            return 0
        from dbshift.runner.scheduling import Clock

        clock = Clock.from_environment()  # one clock: --wait's sleeps move a fixed one
        if args.wait and not args.ignore_schedule and not args.dry_run:
            _wait(session, args, clock)
        dialect = session.dialect.name

        def live() -> Schema:
            from dbshift.inspect import inspect_schema

            return inspect_schema(session.conn)

        def confirm(todo: list[Migration]) -> None:
            _guard(session, args, clock, todo)
            destructive.confirm(todo, dialect, allowed=args.allow_destructive, live=live)

        count = session.migrate(to=args.to, dry_run=args.dry_run, confirm=confirm)
        if args.dry_run:
            context.out(f"{count} migration(s) would be applied (dry run: nothing changed)")
        elif count == 0:
            context.out("nothing to migrate: the database is up to date")
        else:
            context.out(f"applied {count} migration(s)")
    return 0
