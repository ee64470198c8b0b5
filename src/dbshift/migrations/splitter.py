"""Split migration SQL into statements the way psql, mysql and sqlite3 do.

Hand-written on purpose: sqlparse and sqlglot do not implement the mysql client's
``DELIMITER`` command or sqlite3_complete()'s trigger rule, and a general parser is far
slower than the one pass over the text this needs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dbshift.errors import SplitError

if TYPE_CHECKING:
    from dbshift.dialects import Dialect
    from dbshift.migrations.batched import BatchedStatement


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")
_FROM_STDIN = re.compile(r"\bFROM\s+STDIN\b", re.IGNORECASE)
#: The line that ends a COPY's rows in psql's input: ``\.`` alone.
_END_OF_COPY = re.compile(r"^\\\.[ \t]*\r?$", re.MULTILINE)
_DOLLAR_TAG = re.compile(r"\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$")


@dataclass(frozen=True)
class Statement:
    sql: str
    line: int
    #: ``-- dbshift:batched``: how the runner cuts this statement into keyset batches.
    batched: BatchedStatement | None = None
    #: ``COPY ... FROM stdin``: the rows that follow it in the file, up to the ``\.`` line
    #: (psql's form, as pg_dump writes a table's data), sent through the driver's COPY.
    copy_data: str | None = None


_ROUTINE_KINDS = {"FUNCTION", "PROCEDURE"}
_TEMP = {"TEMP", "TEMPORARY"}
# sqlite3_complete() states, for the statement being read (see complete.c in SQLite).
_TRIGGER, _SEMI, _END = 5, 6, 7


def split_sql(text: str, dialect: Dialect, *, first_line: int = 1) -> list[Statement]:
    """Statements of ``text`` with the line each starts on (``first_line`` is line 1), as
    the dialect's command-line client reads them (``Dialect.client_syntax``)."""
    return _Splitter(text, dialect, first_line).run()


def _creates_routine(words: list[str]) -> bool:
    """CREATE [OR REPLACE] FUNCTION|PROCEDURE, whose BEGIN ATOMIC body holds semicolons."""
    if words[0] != "CREATE" or len(words) < 2:
        return False
    if words[1] in _ROUTINE_KINDS:
        return True
    return len(words) == 4 and words[1:3] == ["OR", "REPLACE"] and words[3] in _ROUTINE_KINDS


def _creates_trigger(words: list[str]) -> bool:
    """CREATE [TEMP|TEMPORARY] TRIGGER, as sqlite3_complete() recognises it."""
    if words[0] != "CREATE":
        return False
    if len(words) == 2:
        return words[1] == "TRIGGER"
    return len(words) == 3 and words[1] in _TEMP and words[2] == "TRIGGER"


class _Splitter:
    def __init__(self, text: str, dialect: Dialect, first_line: int) -> None:
        self.text = text
        self.syntax = syntax = dialect.client_syntax
        # Read once: the loop below runs per character.
        self.delimiter_command = syntax.delimiter_command
        self.psql_meta_commands = syntax.psql_meta_commands
        self.hash_comments = syntax.hash_comments
        self.executable_comments = syntax.executable_comments
        self.backslash_escapes = syntax.backslash_escapes
        self.parentheses = syntax.parentheses_hold_semicolons
        self.out: list[Statement] = []
        self.delimiter = ";"
        self._line_pos = 0
        self._line_no = first_line
        self._reset()

    def _reset(self) -> None:
        self.start: int | None = None
        self.line = 0
        self.words: list[str] = []
        self.routine = False  # PostgreSQL CREATE FUNCTION/PROCEDURE (BEGIN ATOMIC bodies)
        self.depth = 0
        self.parens = 0  # PostgreSQL: psql does not end a statement inside parentheses
        self.trigger: int | None = None  # SQLite CREATE TRIGGER state

    def line_at(self, pos: int) -> int:
        self._line_no += self.text.count("\n", self._line_pos, pos)
        self._line_pos = pos
        return self._line_no

    def begin(self, pos: int) -> None:
        if self.start is None:
            self.start = pos
            self.line = self.line_at(pos)

    def finish(self, end: int) -> None:
        if self.start is not None:
            sql = self.text[self.start : end].rstrip()
            if sql:
                self.out.append(Statement(sql=sql, line=self.line))
        self._reset()

    def fail(self, what: str, pos: int) -> SplitError:
        return SplitError(f"unterminated {what}", self.line_at(pos))

    def run(self) -> list[Statement]:
        text, n = self.text, len(self.text)
        i = 0
        while i < n:
            c = text[i]
            if c.isspace():
                i += 1
                continue
            if self.delimiter_command:
                if self.start is None and c in "dD" and self._delimiter_command(i):
                    i = self._after_delimiter_command(i)
                    continue
                if self.delimiter != ";" and text.startswith(self.delimiter, i):
                    self.finish(i)
                    i += len(self.delimiter)
                    continue
            if (
                c == "\\"
                and self.psql_meta_commands
                and self.start is None
                and self._line_starts_at(i)
            ):
                i = self._psql_meta_command(i)
                continue
            if c == ";" and self.delimiter == ";":
                if self._semicolon_ends():
                    if self.psql_meta_commands and self.words[:1] == ["COPY"]:
                        i = self._copy_from_stdin(i)
                        continue
                    self.finish(i)
                i += 1
                continue
            if c == "-" and text.startswith("--", i) and self._dash_comment(i):
                i = self._line_end(i)
                continue
            if c == "#" and self.hash_comments:
                i = self._line_end(i)
                continue
            if c == "/" and text.startswith("/*", i):
                code = self.executable_comments and i + 2 < n and text[i + 2] in "!+"
                end = self._block_comment_end(i)
                if code:
                    self.begin(i)
                    self._token("")
                i = end
                continue
            self.begin(i)
            i = self._token_at(i)
        self.finish(n)
        return self.out

    # -- tokens ------------------------------------------------------------------------

    def _token_at(self, i: int) -> int:
        text = self.text
        c = text[i]
        if c == "'":
            self._token("")
            return self._quoted(i, "'", backslash=self.backslash_escapes, what="quoted string")
        if c == '"':
            self._token("")
            return self._quoted(
                i,
                '"',
                backslash=self.backslash_escapes,
                what="quoted string"
                if self.syntax.double_quotes_are_strings
                else "quoted identifier",
            )
        if c == "`" and self.syntax.backquoted_identifiers:
            self._token("")
            return self._quoted(i, "`", backslash=False, what="quoted identifier")
        if c == "[" and self.syntax.bracketed_identifiers:
            self._token("")
            end = text.find("]", i + 1)
            if end < 0:
                raise self.fail("[quoted identifier]", i)
            return end + 1
        if c == "$" and self.syntax.dollar_quoting:
            match = _DOLLAR_TAG.match(text, i)
            if match is not None:
                tag = match.group(0)
                end = text.find(tag, match.end())
                if end < 0:
                    raise self.fail(f"dollar-quoted string {tag}", i)
                self._token("")
                return end + len(tag)
        match = _WORD.match(text, i)
        if match is not None:
            word = match.group(0)
            end = match.end()
            if self.delimiter != ";" and self.delimiter in word:
                cut = word.index(self.delimiter)
                word, end = word[:cut], i + cut
                if not word:
                    return i + 1
            if (
                self.syntax.escape_string_prefix
                and word in ("E", "e")
                and end < len(text)
                and text[end] == "'"
            ):
                self._token("")
                return self._quoted(end, "'", backslash=True, what="quoted string")
            self._token(word.upper())
            return end
        if self.parentheses and c in "()":
            self.parens = self.parens + 1 if c == "(" else max(self.parens - 1, 0)
        self._token("")
        return i + 1

    def _token(self, word: str) -> None:
        """Feed the routine (PG) and trigger (SQLite) trackers one significant token."""
        if len(self.words) < 4:
            self.words.append(word)
            w = self.words
            if self.syntax.begin_atomic_routines and _creates_routine(w):
                self.routine = True
            if self.syntax.trigger_bodies and self.trigger is None and _creates_trigger(w):
                self.trigger = _TRIGGER
                return
        if self.routine and word:
            if word in ("BEGIN", "CASE"):
                self.depth += 1
            elif word == "END" and self.depth > 0:
                self.depth -= 1
        if self.trigger is not None:
            self.trigger = _END if (word == "END" and self.trigger == _SEMI) else _TRIGGER

    def _dash_comment(self, i: int) -> bool:
        """MySQL needs whitespace after ``--`` (``SELECT 1--1`` is arithmetic there)."""
        n, text = len(self.text), self.text
        return (
            not self.syntax.dash_comment_needs_space
            or i + 2 >= n
            or text[i + 2].isspace()
            or ord(text[i + 2]) < 32
        )

    def _semicolon_ends(self) -> bool:
        if self.trigger is not None:
            if self.trigger == _END:
                return True
            self.trigger = _SEMI
            return False
        return not (self.routine and self.depth > 0) and self.parens == 0

    # -- quoted things and comments -------------------------------------------------------

    def _quoted(self, i: int, quote: str, *, backslash: bool, what: str) -> int:
        text = self.text
        j = i + 1
        n = len(text)
        while True:
            k = text.find(quote, j)
            if k < 0:
                raise self.fail(what, i)
            if backslash:
                b = text.find("\\", j, k)
                if b >= 0:
                    j = b + 2
                    continue
            if k + 1 < n and text[k + 1] == quote:
                j = k + 2
                continue
            return k + 1

    def _line_end(self, i: int) -> int:
        end = self.text.find("\n", i)
        return len(self.text) if end < 0 else end + 1

    def _block_comment_end(self, i: int) -> int:
        text = self.text
        if not self.syntax.nested_block_comments:
            end = text.find("*/", i + 2)
            if end < 0:
                raise self.fail("/* comment */", i)
            return end + 2
        depth, j = 1, i + 2
        while depth:
            close = text.find("*/", j)
            if close < 0:
                raise self.fail("/* comment */", i)
            opening = text.find("/*", j, close)
            if opening >= 0:
                depth, j = depth + 1, opening + 2
            else:
                depth, j = depth - 1, close + 2
        return j

    # -- psql's COPY ... FROM stdin ---------------------------------------------------------

    def _copy_from_stdin(self, semicolon: int) -> int:
        """End a COPY statement at ``semicolon``; for ``FROM stdin`` its rows follow on the
        next line, up to a line that is ``\\.`` alone, as psql reads them (pg_dump's
        plain format writes each table's data so). Returns where reading goes on."""
        assert self.start is not None
        sql = self.text[self.start : semicolon].rstrip()
        if not _FROM_STDIN.search(sql):
            self.finish(semicolon)
            return semicolon + 1
        line = self.line
        first = self._line_end(semicolon)
        end = _END_OF_COPY.search(self.text, first)
        if end is None:
            raise SplitError("COPY ... FROM stdin without the '\\.' line that ends its rows", line)
        self.out.append(Statement(sql=sql, line=line, copy_data=self.text[first : end.start()]))
        self._reset()
        return self._line_end(end.start())

    # -- psql meta-commands ------------------------------------------------------------------

    def _line_starts_at(self, i: int) -> bool:
        line_start = self.text.rfind("\n", 0, i) + 1
        return not self.text[line_start:i].strip()

    def _psql_meta_command(self, i: int) -> int:
        """``\\restrict KEY`` / ``\\unrestrict KEY`` (pg_dump 15.14+, 16.10+, 17.6+ put them
        around every plain dump) only guard psql against meta-commands smuggled into the
        dump's data; run as SQL they are syntax errors, so they are read as psql reads
        them and skipped. Any other meta-command changes how psql runs the file
        (``\\connect``, ``\\set``, ``\\i``) and is refused by name."""
        end = self._line_end(i)
        command = self.text[i:end].split()[0]
        if command in ("\\restrict", "\\unrestrict"):
            return end
        raise SplitError(
            f"psql meta-command {command} is not SQL and dbshift does not run it; "
            "remove it from the file",
            self.line_at(i),
        )

    # -- the mysql client's DELIMITER command -----------------------------------------------

    def _delimiter_command(self, i: int) -> bool:
        text = self.text
        if text[i : i + 9].lower() != "delimiter":
            return False
        if i + 9 < len(text) and not text[i + 9].isspace():
            return False
        line_start = text.rfind("\n", 0, i) + 1
        return not text[line_start:i].strip()

    def _after_delimiter_command(self, i: int) -> int:
        text = self.text
        end = text.find("\n", i)
        end = len(text) if end < 0 else end
        parts = text[i + 9 : end].split()
        if not parts:
            raise SplitError("DELIMITER needs a delimiter, e.g. 'DELIMITER $$'", self.line_at(i))
        self.delimiter = parts[0]
        return end
