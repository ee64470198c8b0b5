"""Shared by the convergence tests (tests/diff, tests/inspect): run operations on a real
database, read it back, and compare schemas with column order aside."""

from __future__ import annotations

from dataclasses import replace

from dbshift.dialects import renderer_for
from dbshift.inspect import inspect_schema
from dbshift.model import Schema
from dbshift.ops import Operation
from tests.conftest import Database


def apply_ops(db: Database, ops: list[Operation], before: Schema) -> None:
    """Render ``ops`` against ``before`` for ``db``'s server and run each statement."""
    statements = renderer_for(db.backend).render(ops, before)
    with db.connect() as conn:
        raw = conn.execution_options(isolation_level="AUTOCOMMIT", no_parameters=True)
        for sql in statements:
            raw.exec_driver_sql(sql)


def inspect_db(db: Database) -> Schema:
    """What ``db`` holds now, as the inspector reads it."""
    with db.connect() as conn:
        return inspect_schema(conn)


def unordered(schema: Schema) -> Schema:
    """Column order aside: an added column goes last, wherever it stood in the target."""
    return replace(
        schema,
        tables=tuple(
            replace(t, columns=tuple(sorted(t.columns, key=lambda c: c.name)))
            for t in schema.tables
        ),
    )
