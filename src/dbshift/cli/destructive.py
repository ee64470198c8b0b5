"""Destructive statements in pending migrations, and ``migrate``'s confirmation of them.

What counts is what the linter's data-loss rules report: DROP TABLE, DROP COLUMN,
TRUNCATE, DELETE without WHERE, DROP DATABASE / SCHEMA. Reusing the rules (rather than
matching statement text here) brings their two judgements with them:

- a table created earlier in the same file holds nothing yet, so dropping it is not
  destructive (a table created by an earlier migration is: it may have served traffic
  between two ``migrate`` runs);
- ``-- dbshift:ignore drop-table <reason>`` above a statement is the author's recorded
  confirmation, reviewed with the file, so ``migrate`` does not ask again.

This lives in the CLI layer because the runner and the linter are siblings that may not
import each other; the runner calls back (``Session.migrate(confirm=...)``) under its
lock, before the first migration starts.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dbshift.errors import ValidationFailed

if TYPE_CHECKING:
    from dbshift.migrations.model import Migration

#: Lint rules whose findings lose data. delete-without-where also reports UPDATE without
#: WHERE, which overwrites rather than loses rows: only its DELETE findings count.
RULES = frozenset(
    {"drop-table", "drop-column", "truncate", "delete-without-where", "drop-database"}
)


@dataclass(frozen=True)
class Destructive:
    path: str
    line: int
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message} [{self.rule}]"


def find(migrations: list[Migration], dialect: str) -> list[Destructive]:
    """Destructive statements in the up sections of ``migrations`` (SQL files; a Python
    migration's effects cannot be read without running it)."""
    from dbshift.lint.engine import Linter
    from dbshift.lint.facts import Act
    from dbshift.lint.parse import ParseFailed, actions_for
    from dbshift.lint.rule import DEFAULT_SERVERS
    from dbshift.lint.rules import all_rules
    from dbshift.migrations.model import Kind
    from dbshift.runner.executor import display_path

    linter = Linter(all_rules(), DEFAULT_SERVERS[dialect])
    out: list[Destructive] = []
    for migration in migrations:
        if migration.kind is not Kind.SQL:
            continue
        path = display_path(migration.path)
        starts = {s.line: s.sql for s in migration.up.statements}
        findings, _ = linter.lint_text(migration.path.read_text(encoding="utf-8"), path)
        for f in findings:
            if f.rule not in RULES:
                continue
            if f.rule == "delete-without-where":
                try:
                    acts = actions_for(starts.get(f.line, ""), dialect)[0]
                except ParseFailed:
                    acts = ()
                if not any(a.act is Act.DELETE for a in acts):
                    continue
            out.append(Destructive(path, f.line, f.rule, f.message))
    return out


def confirm(migrations: list[Migration], dialect: str, *, allowed: bool) -> None:
    """Ask on a terminal; refuse (exit 1) when nobody can be asked. ``allowed``:
    ``--allow-destructive`` was given."""
    if allowed:
        return
    found = find(migrations, dialect)
    if not found:
        return
    for item in found:
        print(f"destructive: {item}", file=sys.stderr)
    if sys.stdin.isatty():
        print(
            f"apply {len(found)} destructive statement(s)? [y/N] ",
            end="",
            file=sys.stderr,
            flush=True,
        )
        if sys.stdin.readline().strip().lower() in ("y", "yes"):
            return
        raise ValidationFailed("not confirmed: nothing was applied")
    first = found[0]
    raise ValidationFailed(
        f"{first.path}:{first.line}: refusing {len(found)} destructive statement(s) "
        "without confirmation (listed above): review them, then run 'dbshift migrate "
        "--allow-destructive', or confirm each in the file with "
        "'-- dbshift:ignore RULE reason'"
    )
