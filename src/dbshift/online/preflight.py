"""Checks PostgreSQL runs before ``online start`` changes anything (or prints a step).

- Names: an index, table or constraint that already exists under a name an operation
  creates. ``CREATE INDEX CONCURRENTLY IF NOT EXISTS`` would silently build nothing and
  leave the migration unable to complete or roll back, and a rollback that dropped the
  name would remove the user's own object.
- Expressions: ``default``, ``up``, ``down`` and ``check`` are SQL the server evaluates
  per row in the trigger, the backfill and the verification. Each is prepared by the
  server, cast to the column's type, with the table (as the version it names sees it) in
  scope (``SELECT … FROM … LIMIT 0`` inside a transaction that is rolled back), so an
  unquoted word such as ``default = "basic"`` is refused with the server's own message
  before anything runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dbshift.errors import MigrationFailed, OnlineOperationError
from dbshift.online import postgres as pg
from dbshift.online.operations.add_check import AddCheck
from dbshift.online.operations.add_foreign_key import AddForeignKey
from dbshift.online.operations.add_unique import AddUnique
from dbshift.online.operations.alter_column import AlterColumn
from dbshift.online.operations.base import (
    AddedColumn,
    HiddenColumnChange,
    OnlineOperation,
)
from dbshift.online.operations.create_index import CreateIndex
from dbshift.online.operations.drop_column import DropColumn
from dbshift.online.postgres_ops import added

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from dbshift.online.spec import OnlineMigration

_RELATION_SQL = """
SELECT c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = %(schema)s AND c.relname = %(name)s
"""

_CONSTRAINT_SQL = """
SELECT 1 FROM pg_constraint WHERE conrelid = to_regclass(%(rel)s) AND conname = %(name)s
"""

_KINDS = {"i": "an index", "I": "an index", "r": "a table", "p": "a table", "v": "a view"}


def check(conn: Connection, migration: OnlineMigration) -> None:
    for i, op in enumerate(migration.online_ops):
        where = f"{migration.path}: operations[{i}] ({op.type})"
        problem = _name_taken(conn, migration.schema, op) or _expressions(conn, migration, i, op)
        if problem:
            raise MigrationFailed(f"{where}: {problem}; nothing was changed")


def _name_taken(conn: Connection, schema: str, op: OnlineOperation) -> str | None:
    names = pg.PgNames(schema)
    if isinstance(op, CreateIndex | AddUnique):
        row = conn.exec_driver_sql(_RELATION_SQL, {"schema": schema, "name": op.name}).first()
        if row is not None:
            kind = _KINDS.get(str(row[0]), "a relation")
            return (
                f"{kind} named {op.name!r} already exists in schema {schema!r}: choose another name"
            )
    if isinstance(op, AddUnique | AddCheck | AddForeignKey):
        found = conn.exec_driver_sql(
            _CONSTRAINT_SQL, {"rel": names.table(op.table), "name": op.name}
        ).first()
        if found is not None:
            return f"constraint {op.name!r} already exists on {op.table!r}: choose another name"
    return None


def _types(conn: Connection, names: pg.PgNames, table: str) -> dict[str, str]:
    exists = conn.exec_driver_sql("SELECT to_regclass(%(rel)s)", {"rel": names.table(table)})
    if exists.scalar() is None:
        return {}
    rows = conn.exec_driver_sql(pg.COLUMNS_SQL, {"rel": names.table(table)}).all()
    return {str(r[0]): str(r[1]) for r in rows}


def _new_shape(
    migration: OnlineMigration, upto: int, table: str, types: dict[str, str]
) -> dict[str, str]:
    """The new version's columns of ``table`` and their types, as the operations up to
    and including ``upto`` leave them (what ``down`` and ``check`` name)."""
    shape = dict(types)
    for op in migration.online_ops[: upto + 1]:
        if op.table != table or op.type == "raw_sql":
            continue
        physical_type = {**types, **{a.name: a.data_type for a in _added(op, types)}}
        try:
            mapping = op.reshape({name: name for name in shape})
        except OnlineOperationError:
            return shape
        shape = {
            name: physical_type.get(physical, shape.get(physical, "text"))
            for name, physical in mapping.items()
        }
    return shape


def _added(op: OnlineOperation, types: dict[str, str]) -> list[AddedColumn]:
    try:
        return added(op.resolve(types))
    except OnlineOperationError:
        return []


def _expressions(
    conn: Connection, migration: OnlineMigration, index: int, op: OnlineOperation
) -> str | None:
    names = pg.PgNames(migration.schema)
    types = _types(conn, names, op.table)
    if not types or not isinstance(op, HiddenColumnChange | DropColumn):
        return None  # a table a raw_sql creates is checked when it runs
    table = names.table(op.table)
    probes: list[tuple[str, str]] = []
    new = _new_shape(migration, index, op.table, types)
    new_rows = (
        "(SELECT " + ", ".join(f"NULL::{t} AS {pg.quote(c)}" for c, t in new.items()) + ") AS v"
    )
    if isinstance(op, HiddenColumnChange):
        resolved = op.resolve(types)
        target = resolved.data_type or types.get(op.column, "text")
        if op.default is not None:
            probes.append(("default", f"SELECT CAST(({op.default}) AS {target}) LIMIT 0"))
        up = getattr(op, "up", None)
        if up:
            probes.append(("up", f"SELECT CAST(({up}) AS {target}) FROM {table} LIMIT 0"))
        if isinstance(op, AlterColumn) and op.down and op.column in types:
            probes.append(
                (
                    "down",
                    f"SELECT CAST(({op.down}) AS {types[op.column]}) FROM {new_rows} LIMIT 0",
                )
            )
        if isinstance(op, AddCheck):
            probes.append(("check", f"SELECT ({op.check})::boolean FROM {new_rows} LIMIT 0"))
    elif op.down and op.column in types:
        probes.append(
            ("down", f"SELECT CAST(({op.down}) AS {types[op.column]}) FROM {new_rows} LIMIT 0")
        )
    return _probe(conn, probes)


def _probe(conn: Connection, probes: list[tuple[str, str]]) -> str | None:
    from sqlalchemy.exc import DBAPIError

    from dbshift.connection import first_line

    raw = conn.execution_options(no_parameters=True)
    for key, sql in probes:
        conn.exec_driver_sql("BEGIN")
        try:
            raw.exec_driver_sql(sql)
        except DBAPIError as exc:
            reason = first_line(str(exc.orig if exc.orig is not None else exc))
            return f"{key} is not a valid SQL expression here: {reason}"
        finally:
            conn.exec_driver_sql("ROLLBACK")
    return None
