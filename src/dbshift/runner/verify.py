"""Run a migration before anyone else does: on a scratch database, through the runner.

``generate`` and ``diff --verify`` hand over the start (the migrations directory, or the
DDL of the ``--from`` schema), the new migration's text and both schemas. On a scratch
database (a temporary SQLite file; a ``dbshift_dev_*`` database on ``dev_url``) the
start is migrated, the new migration applied by the runner exactly as ``migrate`` would
(its transaction or journal, its no-transaction directive), the database inspected and
diffed against the desired schema (must be empty), the migration rolled back, and the
database diffed against the start (must be empty). Any failure names the statement and
where it stands in the migration, and nothing is written: a file that cannot run, or that
does not reach its target, is worse than none (it fails in production halfway, after
statements that committed on their own).
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from dbshift.errors import DbshiftError, MigrationFailed

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from dbshift.config import Settings
    from dbshift.dialects import Dialect
    from dbshift.model import Schema
    from dbshift.ops import Operation

_FAILED_AT = re.compile(
    r"^(?P<path>.*?):(?P<line>\d+): (?P<way>up|down) failed: (?P<why>.*)$", re.S
)


class VerificationFailed(MigrationFailed):
    """The migration does not run, or does not reach its target, on a scratch database."""


def verify(
    settings: Settings,
    dialect: Dialect,
    *,
    start: Path | str,
    filename: str,
    text: str,
    start_schema: Schema,
    desired: Schema,
    shown_as: str,
) -> None:
    """Raise ``VerificationFailed`` unless the migration ``text`` runs up and down.

    ``start`` is a migrations directory (copied) or the DDL that builds the start;
    ``shown_as`` is how messages name the file (its final path, or ``<plan>``)."""
    from dbshift.diff import DiffOptions, diff
    from dbshift.migrations import loader, sumfile
    from dbshift.runner.session import QuietReporter, Session
    from dbshift.runner.sources import inspect_url, scratch_database

    options = DiffOptions(inline_foreign_keys=dialect.foreign_keys_only_in_create_table)
    with tempfile.TemporaryDirectory(prefix="dbshift-verify-") as tmp:
        directory = Path(tmp) / "migrations"
        if isinstance(start, Path):
            shutil.copytree(start, directory)
        else:
            directory.mkdir()
            if start.strip():
                (directory / "0_start.sql").write_text(f"-- dbshift:up\n{start}\n")
        (directory / filename).write_text(text, encoding="utf-8")
        sumfile.write(directory, loader.scan(directory))
        candidate = directory / filename
        # In the start's default collation (MySQL/MariaDB): the tables the migrations
        # create without one take it, as they did where ``start_schema`` was read.
        collation = start_schema.defaults.collation
        with scratch_database(settings, dialect, collation=collation) as url:
            raw = url.render_as_string(hide_password=False)
            scratch = replace(settings, url=raw, migrations_dir=directory)
            with Session(scratch, QuietReporter()) as session:
                _step(lambda: session.migrate(), candidate, shown_as)
                left = diff(inspect_url(raw, settings), desired, options)
                if left:
                    raise VerificationFailed(
                        f"{shown_as}: after its up section the database still differs from "
                        f"the desired schema ({_listed(left)}); nothing was written"
                    )
                if "-- dbshift:down" not in text:
                    return
                _step(lambda: session.rollback(count=1), candidate, shown_as)
                back = diff(inspect_url(raw, settings), start_schema, options)
                if back:
                    raise VerificationFailed(
                        f"{shown_as}: its down section does not bring the start back "
                        f"({_listed(back)}); nothing was written"
                    )


def _step(run: Callable[[], object], candidate: Path, shown_as: str) -> None:
    try:
        run()
    except DbshiftError as exc:
        raise VerificationFailed(_explained(exc.message, candidate, shown_as)) from None


def _explained(message: str, candidate: Path, shown_as: str) -> str:
    """The runner's ``file:line: up failed: why`` with the statement itself, and where the
    file will be, not the scratch copy."""
    match = _FAILED_AT.match(message)
    if match is None or Path(match.group("path")).name != candidate.name:
        return f"verifying {shown_as} on a scratch database: {message}; nothing was written"
    line = int(match.group("line"))
    lines = candidate.read_text(encoding="utf-8").splitlines()
    statement = lines[line - 1].strip() if 0 < line <= len(lines) else ""
    return (
        f"{shown_as}:{line}: {match.group('way')} fails on a scratch database: "
        f"{statement} -- {match.group('why')}; nothing was written"
    )


def _listed(ops: Sequence[Operation]) -> str:
    described = [op.describe() for op in ops[:3]]
    more = f" and {len(ops) - 3} more" if len(ops) > 3 else ""
    return "; ".join(described) + more
