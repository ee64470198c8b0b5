"""``dbshift migrate``: apply pending migrations, or show them (--dry-run, --sql).

Destructive statements (see ``dbshift.cli.destructive``) are confirmed first: asked on a
terminal, refused (exit 1) elsewhere unless ``--allow-destructive``. A database holding
tables but no history is refused unless ``--init-existing`` (or after ``baseline``).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from dbshift.cli import auto_backup, context, destructive
from dbshift.cli.live_objects import LiveCatalog

if TYPE_CHECKING:
    from dbshift.migrations.model import Migration
    from dbshift.model import Schema
    from dbshift.runner.scheduling import Clock
    from dbshift.runner.session import Session


OPTIONS = context.SESSION_OPTIONS | {"ddl_lock_timeout"}

#: Shown at the end of ``dbshift migrate --help``.
EXAMPLES = (
    "dbshift migrate                     # apply everything pending",
    "dbshift migrate --to 20240101120000 --dry-run",
    "dbshift --env production migrate --format json",
)


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
        "--no-backup", action="store_true", help="skip the automatic backup (docs/backups.md)"
    )
    context.add_format(parser)
    parser.add_argument(
        "--init-existing",
        action="store_true",
        help="the database already holds tables and has no dbshift history: keep them and "
        "apply every migration (else refused; see also 'dbshift baseline')",
    )
    parser.add_argument(
        "--kill-orphaned",
        action="store_true",
        help="when a dbshift run that died left its statement running on the server and "
        "holding the migration lock, KILL it instead of waiting for it",
    )
    parser.add_argument(
        "--offline-ok",
        action="store_true",
        help="apply online migration files (.toml) whole even on tables holding rows "
        "(expand and contract at once: stop the application first; docs/online.md)",
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
        dialect = session.dialect

        def live() -> Schema:
            from dbshift.inspect import inspect_schema

            # Only column types are looked up: what diff refuses is no reason to stop here.
            return inspect_schema(session.conn, refuse_unsupported=False)

        def confirm(todo: list[Migration]) -> None:
            _guard(session, args, clock, todo)
            catalog = LiveCatalog(session.conn, session.dialect)
            destructive.confirm(
                todo, dialect, allowed=args.allow_destructive, live=live, catalog=catalog
            )
            auto_backup.before_run(session, todo, down=False, disabled=args.no_backup)

        count = session.migrate(
            to=args.to, dry_run=args.dry_run, confirm=confirm, init_existing=args.init_existing
        )
        verdict = session.sum_to_rehash
        if verdict is not None and not args.dry_run:
            from dbshift.runner import sumcheck

            sumcheck.rehash(session.settings)
            session.reporter.notice(verdict.notice(done=True))
        if args.dry_run:
            text = f"{count} migration(s) would be applied (dry run: nothing changed)"
        elif count == 0:
            text = "nothing to migrate: the database is up to date"
        else:
            text = f"applied {count} migration(s)"
        context.report(args, text, count=count, dry_run=args.dry_run)
    return 0
