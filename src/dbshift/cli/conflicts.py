"""Migrations added on two branches, found after the merge from git history, and the
objects (tables, columns, indexes) both sides change, found by the linter's parsers.

``dbshift.sum`` already makes git stop at a merge where both branches added migrations;
once someone resolves it with ``dbshift hash`` the merge is clean and the two sets of
files simply interleave by version. This module finds such merges again (each merge
commit's two sides since their merge base), so ``validate`` can say which pending
migration was written without seeing the other branch's, and whether they touch the same
thing. Here rather than in ``runner``: the statement facts come from ``lint``.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from dbshift.frozen import frozen

if TYPE_CHECKING:
    from dbshift.dialects import Dialect
    from dbshift.migrations.model import Migration


@frozen
class Parallel:
    """Migrations added on each side of one merge commit."""

    merge: str
    first: tuple[str, ...]  # file names, first-parent side
    second: tuple[str, ...]


@frozen
class Conflict:
    merge: str
    older: Migration
    newer: Migration
    #: What both change: "table users", "column users.email", "index users_email_idx".
    objects: tuple[str, ...]

    def message(self) -> str:
        from dbshift.runner.executor import display_path

        return (
            f"{display_path(self.newer.path)} and {self.older.filename} were added on different "
            f"branches (merged in {self.merge}) and both change {', '.join(self.objects)}; check "
            f"that they work in version order, then add '-- dbshift:depends-on "
            f"{self.older.version}' to {self.newer.filename} (or 'dbshift rebase' to reorder)"
        )


def _git(directory: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args], cwd=directory, capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def parallel_additions(directory: Path, *, merges: int = 50) -> list[Parallel] | None:
    """Per recent merge commit, the migration files each side added since the merge base;
    None when ``directory`` is not in a git work tree (or git is missing)."""
    from dbshift.migrations.loader import SUM_FILE

    if _git(directory, "rev-parse", "--is-inside-work-tree") is None:
        return None
    # Only merges that changed the directory against both parents: where both sides added.
    log = _git(directory, "log", "--merges", f"-n{merges}", "--format=%h %H %P", "--", ".")
    out = []
    for line in (log or "").splitlines():
        short, _merge, *parents = line.split()
        if len(parents) != 2:
            continue
        base = _git(directory, "merge-base", *parents)
        if base is None:
            continue
        sides = []
        for parent in parents:
            names = _git(
                directory, "diff", "--relative", "--name-only", "--diff-filter=A",
                base.strip(), parent, "--", ".",
            )  # fmt: skip
            sides.append(
                tuple(
                    n
                    for n in (names or "").split()
                    if "/" not in n and n != SUM_FILE and n.endswith((".sql", ".py"))
                )
            )
        if sides[0] and sides[1]:
            out.append(Parallel(short, sides[0], sides[1]))
    return out


def touched(migration: Migration, dialect: Dialect) -> set[str]:
    """The tables, columns and indexes a SQL migration's up section changes or writes."""
    from dbshift.lint.facts import NEUTRAL_ACTS, Act
    from dbshift.lint.parse import ParseFailed, actions_for

    columns = {Act.ADD_COLUMN, Act.DROP_COLUMN, Act.RENAME_COLUMN, Act.ALTER_TYPE}
    columns |= {Act.SET_NOT_NULL, Act.DROP_NOT_NULL, Act.SET_DEFAULT, Act.DROP_DEFAULT}
    out: set[str] = set()
    for statement in migration.up.statements:
        try:
            actions = actions_for(statement.sql, dialect)[0]
        except (ParseFailed, Exception):  # what does not parse touches nothing we know of
            continue
        for action in actions:
            if action.act in NEUTRAL_ACTS or not action.table:
                continue
            out.add(f"table {action.table}")
            if action.act in columns:
                name = action.column.name if action.column else action.name
                if name:
                    out.add(f"column {action.table}.{name}")
            if action.act in (Act.CREATE_INDEX, Act.DROP_INDEX) and action.name:
                out.add(f"index {action.name}")
    return out


def conflicts(
    migrations: list[Migration], pending: set[int], dialect: Dialect, directory: Path
) -> tuple[list[Conflict], list[str]]:
    """Conflicts between branches' migrations (at least one of the pair still pending and
    neither depending on the other), and notes on parallel additions that touch different
    objects."""
    from dbshift.migrations import loader

    found = parallel_additions(directory)
    if not found:
        return [], []
    by_name = {m.filename: m for m in migrations}
    out: list[Conflict] = []
    notes: list[str] = []
    for merge in found:
        for a_name in merge.first:
            for b_name in merge.second:
                a, b = by_name.get(a_name), by_name.get(b_name)
                if a is None or b is None or not ({a.number, b.number} & pending):
                    continue
                older, newer = sorted(
                    (loader.resolve(a), loader.resolve(b)), key=lambda m: m.number
                )
                if (
                    older.version in newer.headers.depends_on
                    or newer.version in older.headers.depends_on
                ):
                    continue
                common = touched(older, dialect) & touched(newer, dialect)
                if common:
                    out.append(Conflict(merge.merge, older, newer, _finest(common)))
                else:
                    notes.append(
                        f"{newer.filename} and {older.filename} were added on different branches "
                        f"(merged in {merge.merge}); they change different objects"
                    )
    return out, notes


def _finest(objects: set[str]) -> tuple[str, ...]:
    """Columns and indexes when there are any, else the tables."""
    fine = sorted(o for o in objects if not o.startswith("table "))
    if fine:
        return tuple(fine)
    return tuple(sorted(objects))
