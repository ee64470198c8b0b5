"""Two inspections in one process share the columns and index elements they both
hold (``dbshift.inspect.shared``): equal objects are the same object, so a diff finds equal
tables equal by identity. Sharing changes no result."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbshift import direct
from dbshift.inspect import inspect_schema, shared
from dbshift.model import Schema
from tests.conftest import Database, scratch_database

DDL = {
    "postgresql": [
        "CREATE TABLE t (id bigint PRIMARY KEY, name text NOT NULL DEFAULT 'x', n int)",
        "CREATE INDEX t_name ON t (name DESC, n)",
    ],
    "mysql": [
        "CREATE TABLE t (id bigint PRIMARY KEY, name varchar(20) NOT NULL DEFAULT 'x', n int)",
        "CREATE INDEX t_name ON t (name DESC, n)",
    ],
    "sqlite": [
        "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT 'x', n INTEGER)",
        "CREATE INDEX t_name ON t (name DESC, n)",
    ],
}


def _build(db: Database) -> Schema:
    with db.begin() as conn:
        for statement in DDL[db.backend]:
            conn.exec_driver_sql(statement)
    bare = direct.connect(db.url, connect_timeout=10, busy_timeout=5)
    assert bare is not None
    with bare, bare.errors():
        return inspect_schema(bare)


def test_equal_columns_and_index_elements_of_two_databases_are_one_object(
    db: Database, tmp_path: Path
) -> None:
    (tmp_path / "other").mkdir()
    with scratch_database(db.backend, tmp_path / "other") as other:
        first, second = _build(db), _build(other)
    assert first == second
    (a,), (b,) = first.tables, second.tables
    assert all(x is y for x, y in zip(a.columns, b.columns, strict=True))
    (ia,), (ib,) = a.indexes, b.indexes
    assert all(x is y for x, y in zip(ia.elements, ib.elements, strict=True))


def test_a_pool_past_its_limit_starts_again(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shared, "LIMIT", 2)
    pool = shared.pool("test.pool")
    pool.update({1: 1, 2: 2, 3: 3})
    assert shared.pool("test.pool") == {}
