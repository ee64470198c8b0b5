"""The PostgreSQL safety table says what PostgreSQL does: each operation's rendered
statement, traced in ``pg_locks`` on a table holding rows, takes the lock its declared
safety names (in the one vocabulary, ``Lock``)."""

from __future__ import annotations

import pytest

from dbshift.dialects import named
from dbshift.dialects.locks import Step
from dbshift.dialects.postgres.locks import tracer
from dbshift.model import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    IndexElement,
    PrimaryKey,
    Schema,
    Table,
)
from dbshift.ops import (
    AddCheck,
    AddColumn,
    AddForeignKey,
    CreateIndex,
    DropIndex,
    Operation,
    RenameColumn,
)
from dbshift.ops.validate_constraint import ValidateConstraint
from tests.conftest import Database

pytestmark = pytest.mark.postgres

PARENT = Table(
    name="parent",
    columns=(Column(name="id", type="integer", nullable=False),),
    primary_key=PrimaryKey(name="parent_pkey", columns=("id",)),
)
CHILD = Table(
    name="child",
    columns=(
        Column(name="id", type="integer", nullable=False),
        Column(name="parent_id", type="integer"),
        Column(name="name", type="text"),
    ),
    primary_key=PrimaryKey(name="child_pkey", columns=("id",)),
)
BEFORE = Schema(tables=(PARENT, CHILD))
ON = (None, "child")
INDEX = Index(name="child_name_idx", elements=(IndexElement("name"),))
FK = ForeignKey(
    name="child_parent_fk",
    columns=("parent_id",),
    ref_table="parent",
    ref_columns=("id",),
    validated=False,
)

CASES: dict[str, list[Operation]] = {
    "create index": [CreateIndex(on=ON, index=INDEX)],
    "add column": [AddColumn(on=ON, column=Column(name="note", type="text"))],
    "rename column": [RenameColumn(on=ON, old="name", new="title")],
    "add foreign key not valid": [AddForeignKey(on=ON, constraint=FK)],
    "add check": [AddCheck(on=ON, constraint=CheckConstraint(name="c_id", expression="id > 0"))],
    "validate constraint": [
        AddForeignKey(on=ON, constraint=FK),
        ValidateConstraint(on=ON, name="child_parent_fk"),
    ],
    "drop index": [CreateIndex(on=ON, index=INDEX), DropIndex(on=ON, index=INDEX)],
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_traced_lock_is_the_declared_one(pg_db: Database, case: str) -> None:
    facts = named("postgresql")
    renderer = facts.renderer()
    with pg_db.engine().connect() as conn:
        setup = [
            'CREATE TABLE "parent" ("id" integer PRIMARY KEY)',
            'CREATE TABLE "child" ("id" integer PRIMARY KEY, "parent_id" integer, "name" text)',
            "INSERT INTO parent VALUES (1)",
            "INSERT INTO child VALUES (1, 1, 'a'), (2, 1, 'b')",
        ]
        for sql in setup:
            conn.exec_driver_sql(sql)
        *earlier, op = CASES[case]
        schema = BEFORE
        for step in earlier:
            for sql in renderer.render([step], schema):
                conn.exec_driver_sql(sql)
            schema = step.apply(schema)
        traced = tracer(conn)
        traced.start_migration(transactional=True)
        seen = []
        for sql in renderer.render([op], schema):

            def run(sql: str = sql) -> None:
                traced.raw.exec_driver_sql(sql)

            seen += [
                lock.lock for lock in traced.trace(Step(sql, run)).locks if lock.table == "child"
            ]
    assert max(seen) is facts.safety(op).lock
