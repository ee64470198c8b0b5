"""Properties of the splitter, checked against the databases' own parsers.

Scripts are generated from pieces that hide semicolons where each client must not split
(strings, quoted identifiers, comments, dollar quotes, trigger bodies), then split and
compared with what was generated, with PostgreSQL's parser (pglast), with SQLite's
``sqlite3_complete()`` and with the live servers.
"""

from __future__ import annotations

import re
import sqlite3

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from dbshift.dialects import named
from dbshift.errors import SplitError
from dbshift.migrations.splitter import split_sql
from tests.conftest import Database

DIALECTS = ("postgresql", "mysql", "sqlite")
TRICKY = st.text(alphabet=st.sampled_from(list(";'\"`$-/*#\\\n ab\u00e9\u4e2d")), max_size=12)
WORDS = st.sampled_from(["SELECT", "x", "1", "t.y", "FROM", "AND", "+", "()", ",", "a$b"])


def string_literal(content: str, dialect: str, *, backslash_quote: bool = False) -> str:
    """A literal for ``content``; MySQL may also escape quotes the other way, as ``\\'``."""
    if dialect != "mysql":
        return "'" + content.replace("'", "''") + "'"
    content = content.replace("\\", "\\\\")
    return "'" + content.replace("'", "\\'" if backslash_quote else "''") + "'"


@st.composite
def piece(draw: st.DrawFn, dialect: str) -> str:
    """One token-ish piece of a statement; semicolons only where they must not split."""
    content = draw(TRICKY)
    kinds = ["word", "string", "block", "line", "parens"]
    kinds += {"postgresql": ["ident", "dollar", "rule"], "mysql": ["backtick", "hash"], "sqlite": ["ident", "backtick", "bracket"]}[dialect]  # fmt: skip
    kind = draw(st.sampled_from(kinds))
    if kind == "word":
        return draw(WORDS)
    if kind == "parens":
        return "(" + draw(WORDS) + ")"
    if kind == "rule":  # psql keeps semicolons inside parentheses (CREATE RULE ... DO (a; b))
        return "(SELECT 1; SELECT " + string_literal(content, dialect) + ")"
    if kind == "string":
        return string_literal(content, dialect, backslash_quote=draw(st.booleans()))
    if kind == "ident":
        return '"' + content.replace('"', '""') + '"'
    if kind == "backtick":
        return "`" + content.replace("`", "``") + "`"
    if kind == "bracket":
        return "[" + content.replace("]", "") + "]"
    if kind == "block":
        return "/*" + content.replace("*/", "").replace("/*", "").rstrip("*").lstrip("!+") + "*/"
    if kind == "line":
        return "-- " + content.replace("\n", " ") + "\n"
    if kind == "hash":
        return "#" + content.replace("\n", " ") + "\n"
    tag = draw(st.sampled_from(["$$", "$f$", "$body_1$"]))
    return tag + content.replace("$", "") + tag


@st.composite
def statement(draw: st.DrawFn, dialect: str) -> str:
    """A statement: starts with a keyword (pglast's scanner skips any other start) and ends
    with a non-comment piece."""
    middle = draw(st.lists(piece(dialect), max_size=6))
    return " ".join(["SELECT", *middle, draw(WORDS)])


LEADING_COMMENTS = re.compile(r"^(\s|--[^\n]*\n|/\*.*?\*/)*", re.S)
SEPARATORS = st.sampled_from([";\n", "; ", ";\n\n-- between; statements\n", ";/* x; */\n", ";;\n"])


@st.composite
def script(draw: st.DrawFn, dialect: str) -> tuple[str, list[str]]:
    statements = draw(st.lists(statement(dialect), min_size=1, max_size=5))
    text = ""
    for sql in statements:
        text += sql + draw(SEPARATORS)
    return text, statements


@pytest.mark.parametrize("dialect", DIALECTS)
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_generated_scripts_split_back_into_their_statements(
    dialect: str, data: st.DataObject
) -> None:
    text, statements = data.draw(script(dialect))
    result = split_sql(text, named(dialect))
    assert [s.sql for s in result] == statements
    for s in result:  # the reported line is where the statement starts
        assert s.sql.split("\n")[0] in text.split("\n")[s.line - 1]


@pytest.mark.parametrize("dialect", DIALECTS)
@settings(max_examples=500, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list(";'\"`$-/*#\\\n[]aEe DELIMITR$")), max_size=40))
def test_any_text_splits_or_fails_cleanly(dialect: str, text: str) -> None:
    try:
        statements = split_sql(text, named(dialect))
    except SplitError as exc:
        assert 1 <= exc.line <= text.count("\n") + 1
        return
    for s in statements:
        assert s.sql and s.sql == s.sql.rstrip()
        assert 1 <= s.line <= text.count("\n") + 1


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_postgres_splits_where_the_postgres_parser_does(data: st.DataObject) -> None:
    from pglast import parser
    from pglast.parser import ParseError

    text, _ = data.draw(script("postgresql"))
    body = data.draw(st.sampled_from(["SELECT 1; SELECT 2", "SELECT 'x;y'"]))
    text += f"CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC {body}; END;\n"
    ours = [s.sql for s in split_sql(text, named("postgresql"))]
    try:
        theirs = list(parser.split(text, with_parser=False))
    except ParseError:  # pragma: no cover - the scanner accepts every generated script
        assume(False)
    # pglast's scanner keeps the separators' comments (which statements never start with)
    # and splits BEGIN ATOMIC bodies, which the server's grammar does not.
    theirs = [LEADING_COMMENTS.sub("", s).strip() for s in theirs]
    assert ours[:-1] == theirs[: len(ours) - 1]
    assert ours[-1].startswith("CREATE FUNCTION") and ours[-1].endswith("END")


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_sqlite_cuts_exactly_where_sqlite3_complete_does(data: st.DataObject) -> None:
    text, _ = data.draw(script("sqlite"))
    body = data.draw(statement("sqlite"))
    text += f"CREATE TRIGGER tr AFTER INSERT ON t BEGIN {body}; SELECT 'END;'; END;\n"
    for s in split_sql(text, named("sqlite")):
        assert sqlite3.complete_statement(s.sql + ";")
        cuts = [i for i, c in enumerate(s.sql) if c == ";"]
        assert not any(sqlite3.complete_statement(s.sql[: i + 1]) for i in cuts)


SERVER_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=15,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(values=st.lists(SERVER_TEXT, min_size=1, max_size=4), noise=st.data())
def test_the_server_runs_each_statement_as_split(
    db: Database, values: list[str], noise: st.DataObject
) -> None:
    """Every statement the splitter yields runs on the real server and returns its value."""
    if db.backend == "mysql":
        values = ["".join(c for c in v if ord(c) <= 0xFFFF) for v in values]  # utf8mb3 default
    text = ""
    for value in values:
        comment = noise.draw(st.sampled_from(["", " /* ; */", " -- ;\n"]))
        literal = string_literal(value, db.backend, backslash_quote=noise.draw(st.booleans()))
        text += f"SELECT {literal}{comment};\n"
    statements = split_sql(text, named(db.backend))
    assert len(statements) == len(values)
    with db.connect() as conn:
        raw = conn.execution_options(no_parameters=True)
        got = [raw.exec_driver_sql(s.sql).scalar() for s in statements]
    assert got == values
