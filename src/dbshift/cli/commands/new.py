"""``dbshift new NAME``: a timestamped migration file, and the sum file rewritten."""

from __future__ import annotations

import argparse
import re
import sys
from typing import TYPE_CHECKING

from dbshift.cli import context
from dbshift.errors import UsageError

if TYPE_CHECKING:
    from pathlib import Path

    from dbshift.migrations.sumfile import SumProblem

SQL_TEMPLATE = """\
-- dbshift:up


-- dbshift:down

"""

PY_TEMPLATE = '''\
"""{name}"""


def up(ctx):
    # ctx.execute("UPDATE ... WHERE id = :id", {{"id": 1}}); ctx.connection is SQLAlchemy's
    raise NotImplementedError("write the up migration")


def down(ctx):
    raise NotImplementedError("write the down migration")
'''


#: The connection and configuration options this command uses (its help lists only these).
OPTIONS = frozenset({"config", "env", "migrations"})

#: Shown at the end of ``dbshift new --help``.
EXAMPLES = (
    "dbshift new 'add users email'        # migrations/<timestamp>_add_users_email.sql",
    "dbshift new backfill_emails --python # a Python migration with up(ctx)/down(ctx)",
    "dbshift new add_index --format json  # the path as JSON, for scripts",
)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", help="what the migration does, e.g. 'add users email'")
    parser.add_argument("--python", action="store_true", help="a Python migration instead of SQL")
    context.add_format(parser)
    parser.set_defaults(handler=run)


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    if not slug:
        raise UsageError(f"migration name {name!r} has no letters or digits")
    return slug[:80]


def run(args: argparse.Namespace) -> int:
    settings = context.settings(args)
    directory = settings.migrations_dir
    suffix, template = (".py", PY_TEMPLATE) if args.python else (".sql", SQL_TEMPLATE)
    stale = stale_sum(directory)
    path = new_path(directory, args.name, suffix)
    path.write_text(template.format(name=args.name) if args.python else template, encoding="utf-8")
    rehashed = update_sum(directory, stale)
    context.report(args, str(path), file=str(path), sum_updated=rehashed)
    return 0


def stale_sum(directory: Path) -> SumProblem | None:
    """Whether dbshift.sum was out of date before a command adds a file (None: it was not,
    or there is none yet)."""
    from dbshift.migrations import loader, sumfile

    if not (directory / loader.SUM_FILE).is_file():
        return None
    return sumfile.check(directory, loader.scan(directory))


def update_sum(directory: Path, stale: SumProblem | None) -> bool:
    """Add the new file to dbshift.sum, unless the sum was already out of date.

    Re-hashing then would bless an edit nobody has looked at, perhaps to a migration
    already applied somewhere: the sum is left as it was, with a warning that says why.
    """
    from dbshift.migrations import loader, sumfile

    if stale is None:
        sumfile.write(directory, loader.scan(directory))
        return True
    what = ", ".join(stale.files) if stale.files else "its own content"
    print(
        f"dbshift: warning: {directory / loader.SUM_FILE} was already out of date "
        f"({what}), so it was left as it was: run 'dbshift hash' once that is intended; "
        "a migration that was already applied should be reverted instead, or accepted "
        "with 'dbshift repair'",
        file=sys.stderr,
    )
    return False


def new_path(directory: Path, name: str, suffix: str) -> Path:
    """``<UTC YYYYMMDDHHMMSS>_<slug><suffix>``, the next free second if taken."""
    from datetime import UTC, datetime, timedelta

    from dbshift.migrations import loader

    existing = {f.number for f in loader.scan(directory)}
    moment = datetime.now(UTC)
    version = moment.strftime("%Y%m%d%H%M%S")
    while int(version) in existing:  # two `new` in one second: take the next free second
        moment += timedelta(seconds=1)
        version = moment.strftime("%Y%m%d%H%M%S")
    return directory / f"{version}_{slugify(name)}{suffix}"
