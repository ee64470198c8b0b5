"""SQL migration files: ``-- dbshift:up`` / ``-- dbshift:down`` sections and directives.

A directive is a whole line ``-- dbshift:NAME``. Unknown names are errors, so a typo such
as ``-- dbshift:no-transation`` cannot silently run a ``CREATE INDEX CONCURRENTLY`` inside
a transaction. ``-- dbshift:ignore RULE reason`` is the linter's suppression comment; the
runner passes over it. ``-- dbshift:lock-timeout 5s`` (``500ms``, ``2``, ``off``) sets how
long each statement of the file waits for its lock before the runner retries it.
``-- dbshift:batched [key=…] [size=…] [target=…]`` marks the next statement (a single-table
UPDATE or DELETE) to run in keyset batches, each committed with its checkpoint
(``dbshift.migrations.batched``); a file with one runs without a surrounding transaction,
as with ``no-transaction``, since each batch commits.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from dbshift.errors import MigrationFileError, SplitError
from dbshift.migrations.batched import BatchOptions, parse_batched, parse_options
from dbshift.migrations.model import Headers, Section
from dbshift.migrations.placeholders import protect, restore, substitute
from dbshift.migrations.splitter import split_sql

if TYPE_CHECKING:
    from dbshift.dialects import Dialect

_DIRECTIVE = re.compile(r"^--\s*dbshift:([A-Za-z][\w-]*)(.*)$")
_KNOWN = {"up", "down", "no-transaction", "ignore", "lock-timeout", "batched"}
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*(ms|s)?$", re.I)
#: Workflow headers: each takes its value on the same line (``dbshift.migrations.headers``).
_HEADERS = {"irreversible", "not-before", "window", "depends-on"}


@dataclass(frozen=True)
class ParsedSQL:
    up: Section
    down: Section
    transactional: bool
    #: Seconds from ``-- dbshift:lock-timeout``; 0 turns the runner's timeout off; None:
    #: the file does not say (the configured ``ddl_lock_timeout`` applies).
    lock_timeout: float | None = None
    headers: Headers = field(default_factory=Headers)


#: Other tools' section markers, as the first thing in a file: what to do instead.
_FOREIGN_MARKERS = {
    "-- migrate:up": "a dbmate migration ('-- migrate:up'): convert the directory with "
    "'dbshift import dbmate DIR'",
    "-- +goose up": "a goose migration ('-- +goose Up'): convert the directory with "
    "'dbshift import goose DIR'",
}


def parse_sql_migration(
    path: Path, text: str, dialect: Dialect, placeholders: Mapping[str, str] | None = None
) -> ParsedSQL:
    """Split a file into its sections and statements; errors carry ``file:line``.

    With ``placeholders`` (the runner's case) ``${name}`` is replaced in every statement;
    without (the linter's) the text stays as written.
    """
    sections: dict[str, tuple[int, list[str]]] = {}
    current: str | None = None
    transactional = True
    lock_timeout: float | None = None
    headers: dict[str, list[tuple[int, str]]] = {}
    #: section -> (line, options) of each ``-- dbshift:batched`` in it.
    batched: dict[str, list[tuple[int, BatchOptions]]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        match = _DIRECTIVE.match(line.strip())
        if match is None:
            if current is not None:
                sections[current][1].append(line)
            elif line.strip().lower() in _FOREIGN_MARKERS:
                raise MigrationFileError(
                    str(path), _FOREIGN_MARKERS[line.strip().lower()], line=number
                )
            elif line.strip() and not line.strip().startswith("--"):
                raise MigrationFileError(
                    str(path), "SQL before the '-- dbshift:up' line", line=number
                )
            continue
        name, rest = match.group(1), match.group(2).strip()
        if name == "ignore":
            # A lint suppression (``-- dbshift:ignore RULE reason``): a comment to the
            # runner, checked by ``dbshift lint``. Kept in place so line numbers hold.
            if current is not None:
                sections[current][1].append(line)
            continue
        if name in _HEADERS:
            headers.setdefault(name, []).append((number, rest))
            if current is not None:
                sections[current][1].append("")  # keep later statements' line numbers
            continue
        if name not in _KNOWN:
            known = ", ".join(sorted(_KNOWN | _HEADERS))
            raise MigrationFileError(
                str(path), f"unknown directive 'dbshift:{name}' (known: {known})", line=number
            )
        if name == "batched":
            if current is None:
                raise MigrationFileError(
                    str(path), "'-- dbshift:batched' before '-- dbshift:up'", line=number
                )
            options = parse_options(rest, path=path, line=number)
            batched.setdefault(current, []).append((number, options))
            transactional = False  # each batch commits with its checkpoint
            sections[current][1].append("")  # keep later statements' line numbers
            continue
        if name == "lock-timeout":
            lock_timeout = parse_duration(rest, path=path, line=number)
            if current is not None:
                sections[current][1].append("")  # keep later statements' line numbers
            continue
        if rest:
            raise MigrationFileError(
                str(path), f"unexpected text after 'dbshift:{name}': {rest!r}", line=number
            )
        if name == "no-transaction":
            transactional = False
            if current is not None:
                sections[current][1].append("")  # keep later statements' line numbers
            continue
        if name in sections:
            raise MigrationFileError(str(path), f"second '-- dbshift:{name}' line", line=number)
        if name == "down" and "up" not in sections:
            raise MigrationFileError(
                str(path), "'-- dbshift:down' before '-- dbshift:up'", line=number
            )
        sections[name] = (number + 1, [])
        current = name
    if "up" not in sections:
        raise MigrationFileError(str(path), "no '-- dbshift:up' section")
    up = _section(path, sections["up"], dialect, placeholders, batched.get("up", []))
    down = (
        _section(path, sections["down"], dialect, placeholders, batched.get("down", []))
        if "down" in sections
        else Section(present=False)
    )
    from dbshift.migrations.headers import parse_headers

    if transactional and dialect.unwraps_file_transaction:
        up, down = _unwrapped(up, dialect), _unwrapped(down, dialect)
    return ParsedSQL(
        up=up,
        down=down,
        transactional=transactional,
        lock_timeout=lock_timeout,
        headers=parse_headers(path, headers),
    )


_BEGIN = re.compile(r"BEGIN(?:\s+(?:DEFERRED|IMMEDIATE|EXCLUSIVE))?(?:\s+TRANSACTION)?", re.I)
_COMMIT = re.compile(r"(?:COMMIT|END)(?:\s+TRANSACTION)?", re.I)
_TRANSACTION_VERB = re.compile(r"(?:BEGIN|COMMIT|END|ROLLBACK)\b", re.I)
_PRAGMA = re.compile(r"PRAGMA\b", re.I)


def _bare(sql: str) -> str:
    return sql.strip().rstrip(";").strip()


def _unwrapped(section: Section, dialect: Dialect) -> Section:
    """A section that is one transaction of its own, as a dump is (``PRAGMA …;
    BEGIN TRANSACTION; … COMMIT;``), without that BEGIN and COMMIT: the migration's
    transaction is it, and holds the history row too. Left whole, SQLite refuses the BEGIN
    ("cannot start a transaction within a transaction") and PostgreSQL's COMMIT ends
    dbshift's transaction early. The PRAGMAs before the BEGIN run inside it, in the form
    the dialect gives them there. Any other BEGIN, COMMIT or ROLLBACK leaves it whole
    (the transaction_nesting lint rule speaks of those)."""
    statements = list(section.statements)
    begin = next((i for i, s in enumerate(statements) if not _PRAGMA.match(_bare(s.sql))), None)
    if (
        begin is None
        or begin == len(statements) - 1
        or not _BEGIN.fullmatch(_bare(statements[begin].sql))
        or not _COMMIT.fullmatch(_bare(statements[-1].sql))
        or any(_TRANSACTION_VERB.match(_bare(s.sql)) for s in statements[begin + 1 : -1])
        or any(s.batched is not None for s in statements)
    ):
        return section
    before = [replace(s, sql=dialect.in_migration_transaction(s.sql)) for s in statements[:begin]]
    return dataclasses.replace(section, statements=(*before, *statements[begin + 1 : -1]))


def parse_duration(text: str, *, path: Path, line: int | None) -> float:
    """``5s``, ``500ms``, ``2`` (seconds) or ``off``: seconds, 0 for off."""
    if text.strip().lower() in ("off", "0"):
        return 0.0
    match = _DURATION.match(text.strip())
    if match is None:
        raise MigrationFileError(
            str(path),
            f"'dbshift:lock-timeout' expects a duration such as 5s, 500ms or off, got {text!r}",
            line=line,
        )
    value = float(match.group(1))
    return value / 1000 if (match.group(2) or "s").lower() == "ms" else value


def _section(
    path: Path,
    part: tuple[int, list[str]],
    dialect: Dialect,
    placeholders: Mapping[str, str] | None,
    batched: list[tuple[int, BatchOptions]],
) -> Section:
    first_line, lines = part
    try:
        statements = split_sql(protect("\n".join(lines)), dialect, first_line=first_line)
    except SplitError as exc:
        raise MigrationFileError(str(path), str(exc), line=exc.line) from None
    # A COPY's rows are data: placeholders are not looked for in them.
    statements = [
        replace(
            s, sql=restore(s.sql), copy_data=None if s.copy_data is None else restore(s.copy_data)
        )
        for s in statements
    ]
    statements = [
        replace(s, sql=sql) for s in statements if (sql := dialect.runnable_form(s.sql)) is not None
    ]
    if placeholders is not None:
        statements = [
            replace(s, sql=substitute(s.sql, placeholders, path=str(path), line=s.line))
            for s in statements
        ]
    for line, options in batched:
        index = next((i for i, s in enumerate(statements) if s.line > line), None)
        if index is None:
            raise MigrationFileError(
                str(path), "'-- dbshift:batched' is followed by no statement", line=line
            )
        if statements[index].batched is not None:
            raise MigrationFileError(
                str(path), "two '-- dbshift:batched' lines mark one statement", line=line
            )
        statement = statements[index]
        form = parse_batched(statement.sql, options, path=path, line=statement.line)
        statements[index] = replace(statement, batched=form)
    return Section(statements=tuple(statements))
