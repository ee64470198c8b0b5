"""The lazy pglast trees (lint/parse/pg_tree.py) against pglast itself: same trees, same
statement boundaries and lines as the migration splitter, same printed expressions."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from pglast import parse_sql
from pglast.stream import RawStream

import tests.lint.rules as rule_tests
from dbshift.dialects import named
from dbshift.lint.parse import pg_tree
from dbshift.migrations.splitter import split_sql
from tests.lint.test_corpus import corpus_files


def _texts() -> list[str]:
    texts = []
    for path in corpus_files("postgresql"):
        text = path.read_text(encoding="utf-8")
        up = text.split("-- dbshift:up", 1)[-1].split("-- dbshift:down", 1)[0]
        texts.append(up)
    for info in pkgutil.iter_modules(rule_tests.__path__):
        module = importlib.import_module(f"tests.lint.rules.{info.name}")
        texts += [c.sql for c in getattr(module, "CASES", []) if c.dialect == "postgresql"]
    texts.append(
        "-- lead\nSELECT 'é;', $$a;b$$ /* c; */;\n\n  /* x */ CREATE FOREIGN TABLE ft (a int) "
        "SERVER s;\nALTER TABLE t ADD COLUMN c int NOT NULL DEFAULT 0 CHECK (c > -1);"
    )
    texts += [
        "SELECT 1;;SELECT 2;",
        "SELECT 1 -- c",
        "SELECT 1; -- trailing\n",
        "-- only\n/* c */\n",
        "\r\nSELECT 1;\r\n\r\nSELECT\r\n 2;\r\n",
        "SELECT 1;\n-- c\n;\nSELECT 2",
        "/* nested /* c */ still */ SELECT 1;",
        "SELECT 1\n-- dbshift:ignore drop-table why\n; SELECT 2;",
    ]
    return texts


TEXTS = _texts()


@pytest.mark.parametrize("text", TEXTS, ids=lambda t: " ".join(t.split())[:50])
def test_same_trees_and_statements_as_pglast_and_the_splitter(text: str) -> None:
    try:
        expected = parse_sql(text)
    except pg_tree.ParseError:
        with pytest.raises(pg_tree.ParseError):
            pg_tree.statements(text)
        return
    ours = pg_tree.statements(text)
    split = split_sql(text, named("postgresql"))
    assert len(ours) == len(expected) == len(split)
    for raw, (_, newlines, sql, node), stmt in zip(expected, ours, split, strict=True):
        assert pg_tree.real(pg_tree.node(node)) == raw.stmt
        assert (1 + newlines, sql) == (stmt.line, stmt.sql)


@pytest.mark.parametrize(
    "expr",
    [
        "0",
        "-1",
        "1.5e3",
        "'it''s'",
        "true",
        "NULL",
        "Now()",
        '"Foo"()',
        "c",
        '"Mixed"',
        '"order" > 1',
        '"int" > 0',
        "t.c IS NOT NULL",
        "(c IS NOT NULL)",
        "c >= -0.5",
        "c + 1 > 0",
        "current_date",
        "2::int",
        "E'a\\\\b'",
    ],
)
def test_simple_text_prints_as_pglast_does(expr: str) -> None:
    sql = f"SELECT {expr}"
    expected = RawStream()(parse_sql(sql)[0].stmt.targetList[0].val)
    node = pg_tree.node(pg_tree.statements(sql)[0][3]).targetList[0].val
    assert pg_tree.simple_text(node) in (None, expected)
    assert RawStream()(pg_tree.real(node)) == expected
