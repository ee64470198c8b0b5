"""The ``-- dbshift:batched`` statement form of SQL migrations.

The directive marks the next statement, a single-table ``UPDATE … SET … [WHERE …]`` or
``DELETE FROM … [WHERE …]``, to run in keyset batches (``dbshift.runner.batched``)::

    -- dbshift:batched key=id size=2000 target=200ms
    UPDATE users SET email_lower = lower(email) WHERE email_lower IS NULL;

Options, all optional: ``key=col[,col]`` (default: the primary key), ``size=N`` (the
first batch's rows; it adapts), ``target=200ms`` (the batch time it adapts to).

The statement is taken apart here, without a database: its table (and alias), the text
before its top-level WHERE, and the WHERE condition, so each batch can run
``<head> WHERE <key range> AND (<condition>)``. What cannot be cut by key range is
refused with the line: joins and several tables, ``UPDATE … FROM``, ORDER BY, LIMIT,
RETURNING.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from dbshift.errors import MigrationFileError


@dataclass(frozen=True)
class BatchedStatement:
    verb: str  # "UPDATE" or "DELETE"
    #: The table's name and schema, unquoted (for the catalog).
    table: str
    schema: str | None
    #: The table and alias as written in the statement.
    table_sql: str
    alias: str | None
    alias_sql: str | None
    #: The statement up to its top-level WHERE; the WHERE condition (None: every row).
    head: str
    where: str | None
    key: tuple[str, ...] = ()
    batch_size: int | None = None
    target_seconds: float | None = None


_OPTION = re.compile(r"^(key|size|target)=(\S+)$", re.I)
_NAME = r'(?:"(?:[^"]|"")+"|`(?:[^`]|``)+`|\[[^\]]+\]|[A-Za-z_][\w$]*)'
_TABLE = re.compile(rf"({_NAME})(?:\s*\.\s*({_NAME}))?")
_REFUSED = ("ORDER", "LIMIT", "RETURNING", "JOIN", "FROM", "USING", "OUTPUT")


@dataclass(frozen=True)
class BatchOptions:
    key: tuple[str, ...] = ()
    batch_size: int | None = None
    target_seconds: float | None = None


def parse_options(text: str, *, path: Path, line: int) -> BatchOptions:
    """``key=a,b size=1000 target=200ms`` after the directive."""
    from dbshift.migrations.sqlfile import parse_duration

    key: tuple[str, ...] = ()
    size: int | None = None
    target: float | None = None
    for word in text.split():
        match = _OPTION.match(word)
        if match is None:
            raise MigrationFileError(
                str(path),
                f"'dbshift:batched' takes key=col[,col], size=N and target=DURATION, got {word!r}",
                line=line,
            )
        name, value = match.group(1).lower(), match.group(2)
        if name == "key":
            key = tuple(part for part in value.split(",") if part)
        elif name == "size":
            if not value.isdigit() or int(value) < 1:
                raise MigrationFileError(
                    str(path),
                    f"'dbshift:batched' size must be a positive integer: {value!r}",
                    line=line,
                )
            size = int(value)
        else:
            try:
                target = parse_duration(value, path=path, line=line)
            except MigrationFileError:
                raise MigrationFileError(
                    str(path),
                    f"'dbshift:batched' target expects a duration such as 200ms or 1s, "
                    f"got {value!r}",
                    line=line,
                ) from None
            if target <= 0:
                raise MigrationFileError(
                    str(path), "'dbshift:batched' target must be above 0", line=line
                )
    return BatchOptions(key=key, batch_size=size, target_seconds=target)


def parse_batched(sql: str, options: BatchOptions, *, path: Path, line: int) -> BatchedStatement:
    """Take a marked statement apart, or say on its line why it cannot be batched."""

    def refuse(why: str) -> MigrationFileError:
        return MigrationFileError(str(path), f"'-- dbshift:batched' statement {why}", line=line)

    sql = sql.strip()
    words = _top_level_words(sql)
    text = sql
    head_match = re.match(r"(?is)^\s*(UPDATE|DELETE\s+FROM)\s+", text)
    if head_match is None:
        raise refuse("must be an UPDATE or a DELETE FROM on one table")
    verb = "UPDATE" if head_match.group(1).upper() == "UPDATE" else "DELETE"
    rest = text[head_match.end() :]
    table_match = _TABLE.match(rest)
    if table_match is None:
        raise refuse("names no table")
    first, second = table_match.group(1), table_match.group(2)
    schema_sql, name_sql = (first, second) if second else (None, first)
    after = rest[table_match.end() :]
    alias_match = re.match(rf"(?is)^\s+(?:AS\s+)?({_NAME})", after)
    alias_sql = None
    if alias_match and alias_match.group(1).upper() not in ("SET", "WHERE"):
        alias_sql = alias_match.group(1)
    where_at = None
    # DELETE's own FROM is its second word.
    for position, word in words[2:] if verb == "DELETE" else words:
        upper = word.upper()
        if upper == "WHERE" and where_at is None:
            where_at = position
        elif upper in _REFUSED:
            raise refuse(f"cannot be cut into key ranges: it has a top-level {upper}")
    if verb == "UPDATE" and not any(w.upper() == "SET" for _, w in words):
        raise refuse("has no SET")
    if _top_level_comma_before(sql, "SET" if verb == "UPDATE" else "WHERE"):
        raise refuse("names several tables; batch one table at a time")
    head = sql[:where_at].rstrip() if where_at is not None else sql.rstrip()
    where = sql[where_at + len("WHERE") :].strip() if where_at is not None else None
    return BatchedStatement(
        verb=verb,
        table=_unquote(name_sql),
        schema=_unquote(schema_sql) if schema_sql else None,
        table_sql=f"{schema_sql}.{name_sql}" if schema_sql else name_sql,
        alias=_unquote(alias_sql) if alias_sql else None,
        alias_sql=alias_sql,
        head=head,
        where=where or None,
        key=options.key,
        batch_size=options.batch_size,
        target_seconds=options.target_seconds,
    )


def _unquote(name: str) -> str:
    if name[0] == '"':
        return name[1:-1].replace('""', '"')
    if name[0] == "`":
        return name[1:-1].replace("``", "`")
    if name[0] == "[":
        return name[1:-1]
    return name


def _scan(sql: str) -> list[tuple[int, str, int]]:
    """(position, character, paren depth) of the characters outside strings, quoted
    names and comments."""
    out: list[tuple[int, str, int]] = []
    depth = 0
    i = 0
    while i < len(sql):
        c = sql[i]
        if c in "'\"`":
            end = i + 1
            while end < len(sql):
                if sql[end] == c:
                    if end + 1 < len(sql) and sql[end + 1] == c:
                        end += 2
                        continue
                    break
                if sql[end] == "\\" and c == "'":
                    end += 1
                end += 1
            i = end + 1
            continue
        if sql.startswith("--", i):
            newline = sql.find("\n", i)
            i = len(sql) if newline < 0 else newline
            continue
        if sql.startswith("/*", i):
            close = sql.find("*/", i + 2)
            i = len(sql) if close < 0 else close + 2
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        out.append((i, c, depth))
        i += 1
    return out


def _top_level_words(sql: str) -> list[tuple[int, str]]:
    """Bare words at parenthesis depth 0, with their positions."""
    words: list[tuple[int, str]] = []
    start: int | None = None
    previous = -2
    chars = _scan(sql)
    for position, c, depth in chars:
        if (
            (c.isalnum() or c == "_")
            and depth == 0
            and position == previous + 1
            and start is not None
        ):
            previous = position
            continue
        if start is not None:
            words.append((start, sql[start : previous + 1]))
            start = None
        if (c.isalpha() or c == "_") and depth == 0:
            start = previous = position
    if start is not None:
        words.append((start, sql[start : previous + 1]))
    return words


def _top_level_comma_before(sql: str, keyword: str) -> bool:
    """A comma at depth 0 before the first top-level ``keyword`` (``UPDATE a, b SET``)."""
    stop = next((p for p, w in _top_level_words(sql) if w.upper() == keyword), len(sql))
    return any(c == "," and depth == 0 and p < stop for p, c, depth in _scan(sql))
