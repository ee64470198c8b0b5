"""Convergence across several PostgreSQL schemas: random schemas spread over the default
schema and two others (one with a hostile name), with foreign keys between schemas,
sequences and enums in each, and schemas that come and go. Inspected as a realm
(``--schema '*'``), diffed, applied, inspected again: equal, and back again by the
reversed plan."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dbshift.diff import diff
from dbshift.inspect import Scope, inspect_schema
from dbshift.model import EnumType, Schema
from tests.conftest import Database
from tests.diff.helpers import apply_ops, unordered
from tests.diff.test_convergence import schemas

NAMESPACES = [None, "app", 'x "y']


@st.composite
def realms(draw: st.DrawFn) -> Schema:
    base = draw(schemas("postgresql"))
    homes = {t.name: draw(st.sampled_from(NAMESPACES)) for t in base.tables}
    tables = []
    for table in base.tables:
        fks = tuple(replace(f, ref_schema=homes[f.ref_table]) for f in table.foreign_keys)
        tables.append(replace(table, schema=homes[table.name], foreign_keys=fks))
    sequences = tuple(replace(s, schema=draw(st.sampled_from(NAMESPACES))) for s in base.sequences)
    enums = tuple(
        EnumType(name="mood", schema=where, values=tuple(draw(st.permutations(["a", "b", "c"]))))
        for where in draw(st.lists(st.sampled_from(NAMESPACES), unique=True, max_size=2))
    )
    used = {t.schema for t in tables} | {s.schema for s in sequences} | {e.schema for e in enums}
    # Sometimes a schema that holds nothing: created and dropped on its own.
    if draw(st.booleans()):
        used.add("empty")
    return Schema(
        tables=tuple(tables),
        sequences=sequences,
        enums=enums,
        namespaces=tuple(sorted(n for n in used if n is not None)),
    )


def _inspect(db: Database) -> Schema:
    with db.connect() as conn:
        return inspect_schema(conn, scope=Scope(schemas=("*",)))


def _reset(db: Database) -> None:
    with db.connect() as conn:
        raw = conn.execution_options(isolation_level="AUTOCOMMIT", no_parameters=True)
        names = (
            raw.exec_driver_sql(
                "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' "
                "AND nspname <> 'information_schema'"
            )
            .scalars()
            .all()
        )
        for name in names:
            raw.exec_driver_sql('DROP SCHEMA "' + name.replace('"', '""') + '" CASCADE')
        raw.exec_driver_sql("CREATE SCHEMA public")


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_realm_diff_converges_and_reverses(pg_db: Database, data: st.DataObject) -> None:
    a = data.draw(realms(), label="a")
    b = data.draw(realms(), label="b")

    _reset(pg_db)
    apply_ops(pg_db, diff(Schema(), b), Schema())
    b_seen = _inspect(pg_db)
    assert b_seen.namespaces == b.namespaces
    _reset(pg_db)
    apply_ops(pg_db, diff(Schema(), a), Schema())
    a_seen = _inspect(pg_db)

    up = diff(a_seen, b_seen)
    apply_ops(pg_db, up, a_seen)
    after = _inspect(pg_db)
    assert unordered(after) == unordered(b_seen)
    assert diff(after, b_seen) == []

    down = [op.reverse() for op in reversed(up)]
    apply_ops(pg_db, down, after)
    assert unordered(_inspect(pg_db)) == unordered(a_seen)
