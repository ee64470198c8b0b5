"""Lint files: read, split as the runner would, parse, run the rules, apply suppressions.

Statements are split by the migration splitter, so lint sees exactly the statements
``migrate`` would send, with the line each starts on. A file that cannot be split or a
statement that cannot be parsed becomes an error finding with its file:line, and linting
goes on with the rest.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from dbshift.errors import MigrationFileError, SplitError
from dbshift.lint.facts import Act, Stmt
from dbshift.lint.parse import ParseFailed, actions_for, reads_whole_files
from dbshift.lint.rule import FileContext, Finding, Rule, Server, Severity
from dbshift.migrations.placeholders import NamesAsValues
from dbshift.migrations.splitter import split_sql
from dbshift.migrations.sqlfile import parse_sql_migration

_IGNORE = re.compile(r"--\s*dbshift:ignore\b[ \t]*([\w-]*)[ \t]*(.*)$")
_UP = re.compile(r"^\s*--\s*dbshift:up\s*$", re.M)
_NO_TX = re.compile(r"^\s*--\s*dbshift:no-transaction\s*$", re.M)

#: From this many files on, ``lint_paths`` uses every CPU it may (forked workers).
PARALLEL_FILES = 64

#: Findings about the input itself rather than a hazard; they cannot be suppressed.
PARSE_ERROR = "parse-error"
BAD_IGNORE = "invalid-ignore"


@dataclass(frozen=True)
class Report:
    findings: tuple[Finding, ...]
    files: int
    statements: int

    @property
    def failed(self) -> bool:
        return any(f.severity is Severity.ERROR for f in self.findings)


class Linter:
    """The selected rules, indexed by the action kinds they want."""

    def __init__(self, rules: Sequence[Rule], server: Server) -> None:
        self.server = server
        for rule in rules:
            # A rule's dialects that are not servers' Dialect classes fail here, loudly.
            rule.check_dialects()
        active = [r for r in rules if r.judges(server.facts)]
        self.rules = active
        self.known = {r.id for r in rules}
        self.by_act: dict[Act, list[Rule]] = defaultdict(list)
        self.per_statement: list[Rule] = []
        for rule in active:
            if rule.acts:
                for act in rule.acts:
                    self.by_act[act].append(rule)
            else:
                self.per_statement.append(rule)

    def lint_paths(self, paths: Iterable[Path], *, jobs: int | None = None) -> Report:
        """Lint the files, on up to ``jobs`` processes (default: the CPUs this process may
        use, for trees of at least ``PARALLEL_FILES`` files). Files are independent, so
        the report is the same whatever the number of processes."""
        paths = list(paths)
        if jobs is None:
            jobs = _cpus() if len(paths) >= PARALLEL_FILES else 1
        jobs = max(1, min(jobs, len(paths)))
        if jobs > 1 and hasattr(os, "fork"):
            return self._forked(paths, jobs)
        return self._serial(paths)

    def _forked(self, paths: list[Path], jobs: int) -> Report:
        """Contiguous slices of ``paths`` linted by forked children (the rules and parser
        already loaded), the first slice here; reports come back pickled through pipes, in
        order. A child that fails leaves its slice to be linted here."""
        import pickle

        size = -(-len(paths) // jobs)
        slices = [paths[i : i + size] for i in range(0, len(paths), size)]
        children = []
        for part in slices[1:]:
            read, write = os.pipe()
            pid = os.fork()
            if pid == 0:  # pragma: no cover - runs in the child
                code = 1
                try:
                    os.close(read)
                    with os.fdopen(write, "wb") as out:
                        pickle.dump(self._serial(part), out, protocol=pickle.HIGHEST_PROTOCOL)
                    code = 0
                finally:
                    os._exit(code)
            os.close(write)
            children.append((pid, read, part))
        reports = [self._serial(slices[0])]
        for pid, read, part in children:
            with os.fdopen(read, "rb") as pipe:
                data = pipe.read()
            _, status = os.waitpid(pid, 0)
            report = pickle.loads(data) if status == 0 and data else None
            reports.append(report if isinstance(report, Report) else self._serial(part))
        return Report(
            tuple(f for r in reports for f in r.findings),
            sum(r.files for r in reports),
            sum(r.statements for r in reports),
        )

    def _serial(self, paths: Iterable[Path]) -> Report:
        findings: list[Finding] = []
        files = statements = 0
        for path in paths:
            # A MySQL dump's raw BLOB/geometry bytes in literals are kept, as the runner
            # keeps them (Dialect.raw_bytes_in_literals).
            errors = "surrogateescape" if self.server.facts.raw_bytes_in_literals else "strict"
            try:
                text = path.read_text(encoding="utf-8", errors=errors)
            except (OSError, UnicodeDecodeError) as exc:
                reason = getattr(exc, "strerror", None) or "not UTF-8 text"
                findings.append(_input_error(str(path), 1, f"cannot read: {reason}"))
                continue
            found, count = self.lint_text(text, str(path))
            findings.extend(found)
            files += 1
            statements += count
        return Report(tuple(findings), files, statements)

    def lint_text(self, text: str, path: str, *, down: bool = False) -> tuple[list[Finding], int]:
        """Findings for one file's text, and how many statements it has. ``down``: a
        migration's down section instead of its up section (what ``rollback`` runs)."""
        try:
            stmts, in_tx, lock_timeout = self._statements(text, path, down=down)
        except MigrationFileError as exc:
            return [_input_error(path, exc.line or 1, _strip_where(exc.message, path))], 0
        ctx = FileContext(
            path=path, server=self.server, in_transaction=in_tx, lock_timeout=lock_timeout
        )
        findings: list[Finding] = []
        for stmt in stmts:
            findings.extend(self._stmt_findings(stmt, ctx))
        for rule in self.rules:
            findings.extend(rule.finish(ctx))
        return self._suppressed(findings, text, path, stmts), len(stmts)

    def _statements(
        self, text: str, path: str, *, down: bool = False
    ) -> tuple[list[Stmt], bool, float | None]:
        facts = self.server.facts
        lock_timeout = None
        if _UP.search(text):
            parsed = parse_sql_migration(Path(path), text, facts, NamesAsValues())
            raw = (parsed.down if down else parsed.up).statements
            in_tx = parsed.transactional
            lock_timeout = parsed.lock_timeout
        else:
            # A plain .sql file (no dbshift markers): linted whole, as squawk does; it
            # is in a transaction only where it opens one itself.
            in_tx = False
            if reads_whole_files(facts):
                whole = self._whole(text, path)
                if whole is not None:
                    return whole, in_tx, lock_timeout
            try:
                raw = tuple(split_sql(text, facts))
            except SplitError as exc:
                raise MigrationFileError(path, str(exc), line=exc.line) from None
        return [self._parse(s.sql, s.line, path) for s in raw], in_tx, lock_timeout

    def _whole(self, text: str, path: str) -> list[Stmt] | None:
        """A PostgreSQL file's statements from one parser call, or None if some statement
        does not parse (then it is split and parsed statement by statement, so the error
        names its line). Splitting and a parser call per statement were most of the time
        of a 10,000-statement run; the statements and lines are the splitter's."""
        from dbshift.lint.parse.postgres import section

        try:
            parsed = section(text)
        except ParseFailed:
            return None
        facts = self.server.facts
        return [Stmt(path, 1 + newlines, sql, facts, acts) for newlines, sql, acts in parsed]

    def _parse(self, sql: str, line: int, path: str) -> Stmt:
        try:
            acts, algorithm, lock = actions_for(sql, self.server.facts)
        except ParseFailed as exc:
            return Stmt(path, line, sql, self.server.facts, error=str(exc))
        return Stmt(path, line, sql, self.server.facts, acts, algorithm, lock)

    def _stmt_findings(self, stmt: Stmt, ctx: FileContext) -> list[Finding]:
        if stmt.error is not None:
            return [_input_error(stmt.path, stmt.line, f"cannot parse: {stmt.error}")]
        out: list[Finding] = []
        for action in stmt.actions:
            for rule in self.by_act.get(action.act, ()):
                out.extend(rule.check_action(stmt, action, ctx))
        for rule in self.per_statement:
            out.extend(rule.check_statement(stmt, ctx))
        _advance(ctx, stmt)
        return out

    def _suppressed(
        self, findings: list[Finding], text: str, path: str, stmts: list[Stmt]
    ) -> list[Finding]:
        """Drop findings a ``-- dbshift:ignore RULE reason`` comment covers.

        A comment covers the next statement starting on or after its line (so it goes on
        the line before the statement, or at the end of the statement's first line).
        """
        starts = sorted({s.line for s in stmts})
        covered: dict[int, set[str]] = defaultdict(set)
        problems: list[Finding] = []
        lines = text.splitlines() if "dbshift:ignore" in text else []
        for number, line in enumerate(lines, start=1):
            match = _IGNORE.search(line)
            if match is None:
                continue
            rule_id, reason = match.group(1), match.group(2).strip()
            if not rule_id or rule_id not in self.known:
                problems.append(_bad_ignore(path, number, f"unknown rule {rule_id!r}"))
                continue
            if not reason:
                problems.append(_bad_ignore(path, number, f"ignoring {rule_id} needs a reason"))
                continue
            target = next((s for s in starts if s >= number), None)
            if target is not None:
                covered[target].add(rule_id)
        kept = [
            f
            for f in findings
            if f.rule in (PARSE_ERROR, BAD_IGNORE) or f.rule not in covered.get(f.line, ())
        ]
        return sorted(kept + problems, key=lambda f: (f.path, f.line, f.rule))


def _advance(ctx: FileContext, stmt: Stmt) -> None:
    """Update what the file has done so far, after the rules saw ``stmt``."""
    for action in stmt.actions:
        if action.act is Act.CREATE_TABLE and action.table:
            ctx.created.add(action.table)
        elif action.act is Act.RENAME_TABLE and action.table in ctx.created and action.new_name:
            ctx.created.add(action.new_name)
        elif action.act is Act.SET and action.name:
            ctx.settings[action.name] = action.value or ""
        elif action.act is Act.TRANSACTION:
            ctx.in_transaction = action.name in {"begin", "savepoint"} or (
                ctx.in_transaction and action.name not in {"commit", "rollback"}
            )
    if stmt.is_ddl and ctx.first_ddl is None:
        ctx.first_ddl = stmt
    if stmt.is_data and ctx.first_data is None:
        ctx.first_data = stmt


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _input_error(path: str, line: int, message: str) -> Finding:
    return Finding(PARSE_ERROR, Severity.ERROR, path, line, message)


def _bad_ignore(path: str, line: int, message: str) -> Finding:
    return Finding(
        BAD_IGNORE,
        Severity.ERROR,
        path,
        line,
        message,
        fix="write '-- dbshift:ignore RULE_ID why it is safe here'",
    )


def _strip_where(message: str, path: str) -> str:
    """MigrationFileError messages start with 'path:line: '; findings carry those apart."""
    head, sep, rest = message.partition(": ")
    return rest if sep and head.startswith(path) else message
