"""Reading the parts of SQLite's stored CREATE statements that no pragma reports.

SQLite keeps each table, index and view as the text it was created with; pragmas give
columns, keys and foreign keys, but not constraint names, CHECK expressions, generated
expressions, collations or AUTOINCREMENT. Those come from the text, sliced verbatim so
that rendering them back reproduces the same text. A tokenizer (strings, the four
identifier quotings, comments, parentheses) rather than a search for keywords: a name or a
string may hold any of the keywords looked for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

_QUOTES = {"'": "'", '"': '"', "`": "`", "[": "]"}


class Token(NamedTuple):
    """One token: a tuple, cheap to build (a schema's DDL is thousands of them)."""

    text: str
    start: int
    end: int
    #: "word", "ident" (a quoted name), "string", "punct"
    kind: str

    @property
    def upper(self) -> str:
        return self.text.upper() if self.kind == "word" else ""

    @property
    def name(self) -> str:
        """The identifier this token spells, unquoted."""
        if self.kind == "ident":
            inner = self.text[1:-1]
            close = _QUOTES[self.text[0]]
            return inner if close == "]" else inner.replace(close * 2, close)
        if self.kind == "string":  # SQLite accepts 'name' where a name is expected
            return self.text[1:-1].replace("''", "'")
        return self.text


#: The characters ``str.isspace()`` holds true (Unicode White_Space and \x1c-\x1f), which
#: is what separates tokens; ``tests/inspect/test_sqlite_ddl.py`` checks the list.
SPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)

#: At each position: what is skipped (white space and comments, possibly nothing), then one
#: token, each kind an alternative tried in this order, so every character is consumed by
#: exactly one match. A word is ASCII letters, digits, ``_`` and ``$`` and any non-ASCII
#: character; it starts at a character that is not white space (a non-ASCII space inside a
#: word stays in it). A quoted name or string runs to its closing quote (doubled quotes
#: inside; none for ``[…]``) or, unterminated, to the end; so does a ``/*`` comment. The
#: skipped part is atomic (``(?>…)``: an unterminated comment is not given back to be read
#: as ``/`` and ``*``), and ``\Z`` ends the text after trailing space or comments. Matching
#: in C is what makes this cheap: a loop over the characters in Python was 80% of
#: inspecting a 1,000-table SQLite schema; the skipped part riding with the token that
#: follows it halves the matches (a quarter less tokenizing time than one match each).
_TOKEN = re.compile(
    rf"""
    (?P<skip>(?>(?:[{SPACE}]+ | --[^\n]*\n? | /\*(?:.*?\*/|.*) )*))
    (?: (?P<string>'[^']*(?:''[^']*)*'?)
    | (?P<ident>"[^"]*(?:""[^"]*)*"? | `[^`]*(?:``[^`]*)*`? | \[[^\]]*\]?)
    | (?P<word>[A-Za-z0-9_$\x80-\U0010ffff]+)
    | (?P<punct>.)
    | \Z )
    """,
    re.VERBOSE | re.DOTALL,
)


def tokens(sql: str) -> list[Token]:
    # findall gives each match's groups as strings (no Match objects to query): the skipped
    # part, then exactly one non-empty token, as every token alternative matches at least
    # one character; none only at the end (``\Z``). The matches are back to back, so
    # positions are the running sum of their lengths.
    out: list[Token] = []
    position = 0
    new = tuple.__new__
    for skip, string, ident, word, punct in _TOKEN.findall(sql):
        text = string or ident or word or punct
        if not text:
            break
        start = position + len(skip)
        position = start + len(text)
        kind = "string" if string else "ident" if ident else "word" if word else "punct"
        out.append(new(Token, (text, start, position, kind)))
    return out


def split_top_level(toks: list[Token], start: int, end: int) -> list[tuple[int, int]]:
    """Token index ranges between top-level commas of toks[start:end]."""
    parts, depth, begin = [], 0, start
    for i in range(start, end):
        t = toks[i].text
        if t == "(":
            depth += 1
        elif t == ")":
            depth -= 1
        elif t == "," and depth == 0:
            parts.append((begin, i))
            begin = i + 1
    parts.append((begin, end))
    return parts


def matching(toks: list[Token], open_at: int) -> int:
    """Index of the ``)`` closing the ``(`` at ``open_at``."""
    depth = 0
    for i in range(open_at, len(toks)):
        if toks[i].text == "(":
            depth += 1
        elif toks[i].text == ")":
            depth -= 1
            if depth == 0:
                return i
    return len(toks) - 1


@dataclass
class ColumnExtras:
    collation: str | None = None
    generated: str | None = None
    autoincrement: bool = False


@dataclass
class TableExtras:
    """What the CREATE TABLE text adds to the pragmas."""

    columns: dict[str, ColumnExtras] = field(default_factory=dict)
    pk_name: str | None = None
    #: (name, expression) in declaration order.
    checks: list[tuple[str, str]] = field(default_factory=list)
    #: columns → name, for UNIQUE constraints.
    uniques: dict[tuple[str, ...], str] = field(default_factory=dict)
    #: (columns, referenced table) → (name, deferrable, initially deferred)
    foreign_keys: dict[tuple[tuple[str, ...], str], tuple[str, bool, bool]] = field(
        default_factory=dict
    )
    #: The table options after the column list (``WITHOUT ROWID``, ``STRICT``), upper-cased.
    options: tuple[str, ...] = ()


_COLUMN_STOP = {
    "CONSTRAINT",
    "PRIMARY",
    "NOT",
    "NULL",
    "UNIQUE",
    "CHECK",
    "DEFAULT",
    "COLLATE",
    "REFERENCES",
    "GENERATED",
    "AS",
}


#: Two schemas compared are mostly the same tables created the same way (a diff's two sides,
#: a migration's before and after), and SQLite hands back the text they were created with:
#: the same text parses once per process. The result is shared, so callers only read it.
#: (Tokenizing was two thirds of inspecting a 1,000-table SQLite schema.)
@lru_cache(maxsize=65536)
def parse_table(sql: str) -> TableExtras:
    toks = tokens(sql)
    extras = TableExtras()
    open_at = next((i for i, t in enumerate(toks) if t.text == "("), None)
    if open_at is None:
        return extras
    close_at = matching(toks, open_at)
    text = sql
    for begin, end in split_top_level(toks, open_at + 1, close_at):
        if begin >= end:
            continue
        first = toks[begin].upper
        if first in ("CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"):
            _table_constraint(toks, begin, end, text, extras)
        else:
            _column(toks, begin, end, text, extras)
    extras.options = tuple(t.upper for t in toks[close_at + 1 :] if t.upper)
    return extras


def _names_in(toks: list[Token], open_at: int) -> tuple[tuple[str, ...], int]:
    close = matching(toks, open_at)
    names = []
    for b, e in split_top_level(toks, open_at + 1, close):
        if b < e:
            names.append(toks[b].name)
    return tuple(names), close


def _table_constraint(toks: list[Token], i: int, end: int, text: str, extras: TableExtras) -> None:
    name = ""
    if toks[i].upper == "CONSTRAINT":
        name, i = toks[i + 1].name, i + 2
    word = toks[i].upper
    if word == "PRIMARY":
        extras.pk_name = name or None
    elif word == "UNIQUE":
        columns, _ = _names_in(toks, i + 1)
        extras.uniques[columns] = name
    elif word == "CHECK":
        close = matching(toks, i + 1)
        extras.checks.append((name, text[toks[i + 1].end : toks[close].start].strip()))
    elif word == "FOREIGN":
        columns, close = _names_in(toks, i + 2)
        _references(toks, close + 1, end, columns, name, extras)


def _references(
    toks: list[Token], i: int, end: int, columns: tuple[str, ...], name: str, extras: TableExtras
) -> None:
    """``REFERENCES t [(cols)] [ON …] [DEFERRABLE INITIALLY DEFERRED]`` starting at ``i``."""
    table = toks[i + 1].name
    words = [t.upper for t in toks[i:end]]
    deferrable = "DEFERRABLE" in words and not (
        words.index("DEFERRABLE") > 0 and words[words.index("DEFERRABLE") - 1] == "NOT"
    )
    deferred = deferrable and "DEFERRED" in words
    extras.foreign_keys[(columns, table)] = (name, deferrable, deferred)


def _column(toks: list[Token], begin: int, end: int, text: str, extras: TableExtras) -> None:
    column = toks[begin].name
    info = ColumnExtras()
    i = begin + 1
    while i < end and toks[i].upper not in _COLUMN_STOP:
        if toks[i].text == "(":
            i = matching(toks, i)
        i += 1
    name = ""
    while i < end:
        word = toks[i].upper
        if word == "CONSTRAINT":
            name, i = toks[i + 1].name, i + 2
            continue
        if word == "COLLATE":
            info.collation = toks[i + 1].name
            i += 2
        elif word == "CHECK":
            close = matching(toks, i + 1)
            extras.checks.append((name, text[toks[i + 1].end : toks[close].start].strip()))
            i = close + 1
        elif word == "AS" and i + 1 < end and toks[i + 1].text == "(":
            close = matching(toks, i + 1)
            info.generated = text[toks[i + 1].end : toks[close].start].strip()
            i = close + 1
        elif word == "PRIMARY":
            extras.pk_name = name or None
            i += 2
        elif word == "AUTOINCREMENT":
            info.autoincrement = True
            i += 1
        elif word == "UNIQUE":
            extras.uniques[(column,)] = name
            i += 1
        elif word == "REFERENCES":
            stop = i + 1
            while stop < end and toks[stop].upper not in (
                "CONSTRAINT",
                "NOT",
                "NULL",
                "UNIQUE",
                "CHECK",
                "DEFAULT",
                "COLLATE",
                "PRIMARY",
            ):
                stop += 1
            _references(toks, i, stop, (column,), name, extras)
            i = stop
        elif toks[i].text == "(":
            i = matching(toks, i) + 1
        else:
            i += 1
        name = ""  # CONSTRAINT name applies to the one constraint that follows it
    extras.columns[column] = info


def index_parts(sql: str) -> tuple[list[str], str | None]:
    """The element texts of a CREATE INDEX (without ASC/DESC/COLLATE) and its WHERE."""
    toks = tokens(sql)
    open_at = next((i for i, t in enumerate(toks) if t.text == "("), None)
    if open_at is None:
        return [], None
    close = matching(toks, open_at)
    elements = []
    for b, e in split_top_level(toks, open_at + 1, close):
        while e - 1 > b and toks[e - 1].upper in ("ASC", "DESC"):
            e -= 1
        if e - 2 > b and toks[e - 2].upper == "COLLATE":
            e -= 2
        elements.append(sql[toks[b].start : toks[e - 1].end])
    where = next((t for t in toks[close + 1 :] if t.upper == "WHERE"), None)
    return elements, (sql[where.end :].strip().rstrip(";").strip() if where else None)


def view_query(sql: str) -> str:
    """What follows the top-level AS of a CREATE VIEW."""
    toks = tokens(sql)
    depth = 0
    for t in toks:
        if t.text == "(":
            depth += 1
        elif t.text == ")":
            depth -= 1
        elif depth == 0 and t.upper == "AS":
            return sql[t.end :].strip().rstrip(";").strip()
    return sql
