"""``dbshift validate``: files, sum file and history agree, or exit 1 naming each problem."""

from __future__ import annotations

import argparse
import sys

from dbshift.cli import context

OPTIONS = context.SESSION_OPTIONS

#: Shown at the end of ``dbshift validate --help``.
EXAMPLES = (
    "dbshift validate               # exit 1 naming each problem (a CI gate)",
    "dbshift validate --format json",
)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from dbshift.runner.session import Session


def _workflow_problems(session: Session) -> list[str]:
    """``depends-on`` headers, and migrations from two merged branches that change the
    same object (see ``dbshift.cli.conflicts``); parallel ones that do not are noted."""
    from dbshift.cli import conflicts
    from dbshift.runner import dependencies

    migrations = session.migrations()
    analysis = session.analysis(migrations)
    found = dependencies.problems(migrations, analysis)
    pending = {m.number for m in analysis.pending}
    clashes, notes = conflicts.conflicts(
        migrations, pending, session.dialect, session.settings.migrations_dir
    )
    for note in notes:
        print(f"dbshift: note: {note}", file=sys.stderr)
    return found + [c.message() for c in clashes]


def _online_problems(session: Session) -> list[str]:
    """Online files (``.toml``) must read as online migrations; one started and not
    completed is noted (it is the online workflow's business, not a disagreement)."""
    from dbshift.errors import DbshiftError
    from dbshift.migrations.model import Kind
    from dbshift.online.spec import load_online

    found = []
    for migration in session.migrations():
        if migration.kind is not Kind.ONLINE:
            continue
        try:
            load_online(migration.path)
        except DbshiftError as exc:
            found.append(exc.message)
    for migration in session.status().in_flight():
        print(
            f"dbshift: note: {migration.filename}: online migration in flight; 'dbshift online "
            f"complete {migration.path.stem}' finishes it ('migrate' stops before it)",
            file=sys.stderr,
        )
    return found


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
        problems += _workflow_problems(session)
        problems += _online_problems(session)
    if context.wants_json(args):
        context.out_json({"valid": not problems, "problems": problems})
        return 1 if problems else 0
    for problem in problems:
        print(f"dbshift: invalid: {problem}", file=sys.stderr)
    if problems:
        if any("older than the newest applied" in p for p in problems):
            print(
                "dbshift: hint: 'dbshift rebase' renumbers those pending migrations after the "
                "newest applied one",
                file=sys.stderr,
            )
        return 1
    context.out("valid: files, dbshift.sum and history agree")
    return 0
