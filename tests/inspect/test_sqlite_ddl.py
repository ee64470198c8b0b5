"""The SQLite DDL tokenizer (one regular expression) against the character loop it replaced.

The loop is kept here as the reference: the inspector's model must not change with the
tokenizer, so both must cut every text into the same tokens, hostile names and
unterminated quotes and comments included.
"""

from __future__ import annotations

import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from dbshift.inspect.sqlite_ddl import SPACE, Token, tokens, with_types_quoted
from tests.inspect.test_sqlite import DDL

_QUOTES = {"'": "'", '"': '"', "`": "`", "[": "]"}


def reference_tokens(sql: str) -> list[Token]:
    """The tokenizer as it was: one character at a time."""
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


def test_space_is_what_isspace_says() -> None:
    assert set(SPACE) == {chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()}


#: Pieces that exercise every branch: quotes of each kind (doubled, unterminated),
#: comments (closed, open, ``/*/``), non-ASCII letters and spaces, punctuation.
_PIECES = st.sampled_from(
    [
        "'",
        "''",
        '"',
        '""',
        "`",
        "``",
        "[",
        "]",
        "--",
        "/*",
        "*/",
        "/",
        "*",
        "-",
        "\n",
        " ",
        "\t",
        "\x1c",
        "\xa0",
        "\u3000",
        "\x85",
        "é",
        "名",
        "a",
        "Z",
        "9",
        "_",
        "$",
        "(",
        ")",
        ",",
        ";",
        "CHECK",
        "COLLATE",
        "x\xa0y",
    ]
)


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.one_of(_PIECES, st.text(max_size=3)), max_size=30).map("".join))
def test_same_tokens_as_the_character_loop(sql: str) -> None:
    assert tokens(sql) == reference_tokens(sql)


def test_same_tokens_on_the_inspector_ddl() -> None:
    for sql in DDL:
        assert tokens(sql) == reference_tokens(sql)


def test_partial_index_on_plain_columns_keeps_its_where() -> None:
    """Plain-column indexes skip the tokenizer unless their text says WHERE, in any case."""
    import sqlalchemy

    from dbshift.inspect.sqlite import inspect_sqlite

    engine = sqlalchemy.create_engine("sqlite://")
    with engine.connect() as conn:
        conn.exec_driver_sql("CREATE TABLE t (a INTEGER, b TEXT)")
        conn.exec_driver_sql("create index i_lower on t (a) where a > 0")
        conn.exec_driver_sql('CREATE INDEX "where" ON t (b)')
        conn.exec_driver_sql("CREATE INDEX i_plain ON t (a, b)")
        indexes = {i.name: i for i in inspect_sqlite(conn).table("t").indexes}
    engine.dispose()
    assert indexes["i_lower"].where == "a > 0"
    assert indexes["where"].where is None
    assert indexes["i_plain"].where is None
    assert [e.expression for e in indexes["i_plain"].elements] == ["a", "b"]


def test_types_quoted_for_a_parser_that_knows_fewer_type_names() -> None:
    sql = 'CREATE TABLE t (a UNSIGNED BIG INT NOT NULL, "b c" ANY, d, e NVARCHAR(12) DEFAULT 1, CHECK (a > 0))'
    assert with_types_quoted(sql) == (
        'CREATE TABLE t (a "UNSIGNED BIG INT" NOT NULL, "b c" "ANY", d, '
        'e "NVARCHAR(12)" DEFAULT 1, CHECK (a > 0))'
    )
    assert with_types_quoted("CREATE VIEW v AS SELECT 1") is None
    assert with_types_quoted("CREATE TABLE t (a, b)") is None
