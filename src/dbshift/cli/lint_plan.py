"""The linter over SQL dbshift wrote itself: a ``diff`` plan or a ``generate``d file.

The differ's operations already rate themselves (lock, rewrite, breaking, destructive),
but the linter is the one place that knows every hazard per server version; running it
on dbshift's own output keeps the two honest with each other, and tells the user what a
generated migration still risks (a missing lock_timeout, a rewrite with no safe form)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dbshift.config import Settings
    from dbshift.dialects import Dialect
    from dbshift.lint.rule import Finding


def lint_script(text: str, path: str, dialect: Dialect, settings: Settings) -> list[Finding]:
    from dbshift.lint.engine import Linter
    from dbshift.lint.rule import DEFAULT_SERVERS
    from dbshift.lint.rules import all_rules

    rules = [
        r
        for r in all_rules()
        if r.id not in settings.lint.ignore
        and (not settings.lint.select or r.id in settings.lint.select)
    ]
    findings, _ = Linter(rules, DEFAULT_SERVERS[dialect.name]).lint_text(text, path)
    return findings


def report(findings: list[Finding]) -> None:
    """Findings on stderr, one line each (the full why/fix: ``dbshift lint FILE``)."""
    for f in findings:
        print(f"{f.path}:{f.line}: {f.severity} [{f.rule}] {f.message}", file=sys.stderr)
