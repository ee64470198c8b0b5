"""Comparing dbshift lint with squawk, the PostgreSQL migration linter: shared by
tests/lint/test_squawk_parity.py and bench/bench_lint.py (so no pytest here).

The claim checked: every squawk violation has a dbshift finding on the same statement from a
rule naming that squawk rule as its peer (``Rule.squawk``), unless dbshift deliberately
disagrees (``OPINIONS``, ``NEW_TABLE_IS_SAFE``, each with its reason).

squawk reports 0-based lines, at the offending part of a statement (a column definition, a
constraint), which may be lines below the statement's first line where dbshift reports; it
lints the whole file, a dbshift migration's down section included, where dbshift lints what
``migrate`` runs. Both are mapped here.
"""

from __future__ import annotations

import bisect
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from dbshift.dialects import named
from dbshift.lint.facts import Act
from dbshift.lint.parse import ParseFailed, actions_for
from dbshift.lint.rule import Rule
from dbshift.migrations.splitter import split_sql
from dbshift.migrations.sqlfile import parse_sql_migration

#: squawk rules whose advice dbshift does not give, and why.
OPINIONS = {
    # IF [NOT] EXISTS so a half-run migration can be re-run: dbshift runs a migration in
    # one transaction, or journals each statement of a no-transaction one and resumes
    # after the last that completed, so statements are never re-run blindly.
    "prefer-robust-stmts": "dbshift's runner makes re-runs exact, not idempotent",
    # statement_timeout caps work that is meant to take long (a backfill batch, a
    # CREATE INDEX CONCURRENTLY whose cancellation leaves an INVALID index behind); the
    # hazard that stalls the application is the lock queue, which lock_timeout bounds
    # (missing-lock-timeout).
    "require-statement-timeout": "the lock queue is the hazard; lock_timeout covers it",
    # ADD VALUE without BEFORE/AFTER appends: only code that sorts or compares by enum
    # order cares, and that is a design choice, not a migration hazard.
    "require-enum-value-ordering": "appending an enum value is not a migration hazard",
    # dbshift's runner sets lock_timeout / lock_wait_timeout for every migration
    # (ddl_lock_timeout) and retries on a timeout, so a file needs no SET of its own;
    # missing-lock-timeout speaks only where a file turns that protection off.
    "require-lock-timeout": "the runner sets the lock timeout for every migration",
}

#: squawk rules it also applies to tables created earlier in the same file. dbshift does
#: not: such a table has no rows and no traffic yet, so its locks and scans cost nothing.
NEW_TABLE_IS_SAFE = frozenset({"adding-not-nullable-field"})

#: squawk rules reported at every offending statement whose dbshift peers report once per
#: file (the first BEGIN/COMMIT inside dbshift's transaction, the first DDL without a lock
#: timeout): a peer finding anywhere in the file answers them.
ONCE_PER_FILE = frozenset({"transaction-nesting"})

#: (squawk rule, statement kinds) dbshift leaves alone, and why.
NOT_THIS_HAZARD: dict[str, frozenset[Act]] = {}

_UP = re.compile(r"^\s*--\s*dbshift:up\s*$", re.M)
_NO_TX = re.compile(r"^\s*--\s*dbshift:no-transaction\s*$", re.M)
_DOWN = re.compile(r"^\s*--\s*dbshift:down\s*$")


def squawk_binary() -> str | None:
    here = Path(sys.executable).parent / "squawk"
    return str(here) if here.exists() else shutil.which("squawk")


@dataclass(frozen=True)
class Violation:
    path: str
    #: 1-based, as an editor (and dbshift) counts.
    line: int
    rule: str


def squawk_command(paths: Sequence[Path | str], *, in_transaction: bool) -> list[str]:
    binary = squawk_binary()
    if binary is None:
        raise RuntimeError("squawk is not installed (pip install squawk-cli)")
    argv = [binary, "--reporter", "json"]
    if in_transaction:
        argv.append("--assume-in-transaction")
    return [*argv, *map(str, paths)]


def parse_squawk(stdout: str) -> list[Violation]:
    """Violations from squawk's JSON report, lines made 1-based."""
    return [Violation(v["file"], int(v["line"]) + 1, v["rule_name"]) for v in json.loads(stdout)]


def squawk(paths: Sequence[Path | str], *, in_transaction: bool) -> list[Violation]:
    done = subprocess.run(
        squawk_command(paths, in_transaction=in_transaction),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode not in (0, 1):  # 1: violations found
        raise RuntimeError(f"squawk exited {done.returncode}: {done.stderr.strip()[-800:]}")
    return parse_squawk(done.stdout)


def transactional(text: str) -> bool:
    """Whether a migration tool runs the file in one transaction (a dbshift migration
    without ``no-transaction``); a plain file runs as written."""
    return bool(_UP.search(text)) and not _NO_TX.search(text)


def statements(text: str, path: str) -> list[tuple[int, bool, frozenset[Act]]]:
    """Each statement dbshift lints in the file: its first line, whether it only touches
    tables created earlier in the file, and its action kinds."""
    if _UP.search(text):
        raw = parse_sql_migration(Path(path), text, named("postgresql")).up.statements
    else:
        raw = tuple(split_sql(text, named("postgresql")))
    created: set[str] = set()
    out = []
    for stmt in raw:
        try:
            acts, _, _ = actions_for(stmt.sql, named("postgresql"))
        except ParseFailed:
            acts = ()
        tables = {a.table for a in acts if a.table and a.act is not Act.CREATE_TABLE}
        kinds = frozenset(a.act for a in acts)
        out.append((stmt.line, bool(tables) and tables <= created, kinds))
        created |= {a.table for a in acts if a.act is Act.CREATE_TABLE and a.table}
    return out


def down_starts(text: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if _DOWN.match(line):
            return number
    return None


def _key(path: str) -> str:
    """The two tools print paths differently (dbshift relative to the working directory
    where it can); compare them resolved."""
    return str(Path(path).resolve())


def peers(rules: Iterable[Rule]) -> dict[str, set[str]]:
    """squawk rule name -> the dbshift rules that name it as their peer."""
    out: dict[str, set[str]] = {}
    for rule in rules:
        for name in rule.squawk:
            out.setdefault(name, set()).add(rule.id)
    return out


def unmatched(
    violations: Iterable[Violation],
    findings: Iterable[tuple[str, int, str]],
    texts: dict[str, str],
    rules: Sequence[Rule],
) -> list[str]:
    """squawk violations with no dbshift peer finding (path, line, rule id) on the same
    statement, as ``path:line: squawk-rule (dbshift on line N: [what it reported])``."""
    by_rule = peers(rules)
    reported: dict[tuple[str, int], set[str]] = {}
    in_file: dict[str, set[str]] = {}
    for path, line, rule_id in findings:
        reported.setdefault((_key(path), line), set()).add(rule_id)
        in_file.setdefault(_key(path), set()).add(rule_id)
    by_path = {_key(path): (path, text) for path, text in texts.items()}
    stmts: dict[str, list[tuple[int, bool, frozenset[Act]]]] = {}
    missing = []
    for v in violations:
        if v.rule in OPINIONS:
            continue
        key = _key(v.path)
        path, text = by_path[key]
        down = down_starts(text)
        if down is not None and v.line > down:
            continue  # the down section: dbshift lints what migrate runs
        if key not in stmts:
            stmts[key] = statements(text, path)
        lines = [line for line, _, _ in stmts[key]]
        index = bisect.bisect_right(lines, v.line) - 1
        start = lines[index] if index >= 0 else v.line
        if index >= 0:
            _, new_table, kinds = stmts[key][index]
            if new_table and v.rule in NEW_TABLE_IS_SAFE:
                continue
            if kinds and kinds <= NOT_THIS_HAZARD.get(v.rule, frozenset()):
                continue
        there = reported.get((key, start), set())
        if v.rule in ONCE_PER_FILE:
            there = in_file.get(key, set())
        if not there & by_rule.get(v.rule, set()):
            missing.append(
                f"{v.path}:{v.line}: {v.rule} (dbshift on line {start}: {sorted(there)})"
            )
    return missing
