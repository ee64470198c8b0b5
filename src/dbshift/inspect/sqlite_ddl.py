"""Reading the parts of SQLite's stored CREATE statements that no pragma reports.

SQLite keeps each table, index and view as the text it was created with; pragmas give
columns, keys and foreign keys, but not constraint names, CHECK expressions, generated
expressions, collations or AUTOINCREMENT. Those come from the text, sliced verbatim so
that rendering them back reproduces the same text. A tokenizer (strings, the four
identifier quotings, comments, parentheses) instead of regular expressions: a name or a
string may hold any of the keywords looked for.
"""

from __future__ import annotations

from dataclasses import dataclass, field

_QUOTES = {"'": "'", '"': '"', "`": "`", "[": "]"}


@dataclass(frozen=True)
class Token:
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


def tokens(sql: str) -> list[Token]:
    out: list[Token] = []
    i, n = 0, len(sql)
    while i < n:
        c = sql[i]
        if c.isspace():
            i += 1
        elif sql.startswith("--", i):
            end = sql.find("\n", i)
            i = n if end < 0 else end + 1
        elif sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            i = n if end < 0 else end + 2
        elif c in _QUOTES:
            close = _QUOTES[c]
            j = i + 1
            while True:
                k = sql.find(close, j)
                if k < 0:
                    k = n - 1
                    break
                if close != "]" and k + 1 < n and sql[k + 1] == close:
                    j = k + 2
                    continue
                break
            out.append(Token(sql[i : k + 1], i, k + 1, "string" if c == "'" else "ident"))
            i = k + 1
        elif c.isalnum() or c in "_$" or ord(c) > 127:
            j = i + 1
            while j < n and (sql[j].isalnum() or sql[j] in "_$" or ord(sql[j]) > 127):
                j += 1
            out.append(Token(sql[i:j], i, j, "word"))
            i = j
        else:
            out.append(Token(c, i, i + 1, "punct"))
            i += 1
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
