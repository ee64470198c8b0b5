"""plan_output renders each operation once, exactly as the renderers' own render() would."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from dbshift import direct
from dbshift.cli.plan_output import plan_json, plan_sql
from dbshift.dialects import named, renderer_for
from dbshift.diff import DiffOptions, diff
from dbshift.inspect import inspect_schema
from dbshift.model import Schema

BEFORE = """
CREATE TABLE p (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE c (id INTEGER PRIMARY KEY, p INTEGER REFERENCES p (id), n INTEGER);
CREATE INDEX c_n ON c (n);
"""
AFTER = """
CREATE TABLE p (id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '');
CREATE TABLE c (id INTEGER PRIMARY KEY, p INTEGER, n BIGINT);
CREATE TABLE q (id INTEGER PRIMARY KEY);
"""


def _schema(tmp_path: Path, name: str, ddl: str) -> Schema:
    path = tmp_path / f"{name}.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(ddl)
    bare = direct.connect(f"sqlite:///{path}", connect_timeout=1, busy_timeout=1)
    assert bare is not None
    with bare:
        return inspect_schema(bare)


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql", "mysql"])
def test_plan_sql_is_what_render_gives(tmp_path: Path, dialect: str) -> None:
    """SQLite turns a dropped foreign key and a retyped column into table rebuilds."""
    before, after = _schema(tmp_path, "a", BEFORE), _schema(tmp_path, "b", AFTER)
    ops = diff(before, after, DiffOptions(inline_foreign_keys=dialect == "sqlite"))
    renderer = renderer_for(dialect)
    expected: list[str] = []
    schema = before
    for op in ops:
        try:
            expected.extend(renderer.render([op], schema))
        except Exception as exc:  # what the renderer refuses, plan_sql refuses alike
            with pytest.raises(type(exc)):
                plan_sql(ops, before, named(dialect), annotate=False)
            return
        schema = op.apply(schema)
    assert plan_sql(ops, before, named(dialect), annotate=False).splitlines() == [
        line for sql in expected for line in f"{sql};".splitlines()
    ]
    assert '"sql"' in plan_json(ops, before, named(dialect))
