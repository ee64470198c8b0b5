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

from dbshift import ops
from dbshift.dialects.postgres import online_catalog as catalog
from dbshift.errors import MigrationFailed, OnlineOperationError
from dbshift.online import postgres as pg
from dbshift.online import shape
from dbshift.online.postgres_ops import added
from dbshift.online.shape import AddedColumn, table_of

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from dbshift.online.spec import OnlineMigration

_KINDS = {"i": "an index", "I": "an index", "r": "a table", "p": "a table", "v": "a view"}


def check(conn: Connection, migration: OnlineMigration) -> None:
    for i, op in enumerate(migration.operations):
        where = f"{migration.path}: operations[{i}] ({op.kind})"
        problem = (
            _missing_table(conn, migration.schema, op)
            or _name_taken(conn, migration.schema, op)
            or _expressions(conn, migration, i, op)
        )
        if problem:
            raise MigrationFailed(f"{where}: {problem}; nothing was changed")


def _missing_table(conn: Connection, schema: str, op: ops.Operation) -> str | None:
    """The table the operation names must exist (a raw_sql's may not yet)."""
    if isinstance(op, ops.RawSQL):
        return None
    table = table_of(op)
    found = catalog.exists(conn, pg.PgNames(schema).table(table))
    return None if found else f"table {table!r} does not exist in schema {schema!r}"


def _name_taken(conn: Connection, schema: str, op: ops.Operation) -> str | None:
    names = pg.PgNames(schema)
    name = shape.name_of(op)
    if isinstance(op, ops.CreateIndex | ops.AddUnique):
        relkind = catalog.relation_kind(conn, schema, str(name))
        if relkind is not None:
            kind = _KINDS.get(relkind, "a relation")
            return f"{kind} named {name!r} already exists in schema {schema!r}: choose another name"
    if isinstance(op, ops.AddUnique | ops.AddCheck | ops.AddForeignKey):
        table = table_of(op)
        if catalog.has_constraint(conn, names.table(table), str(name)):
            return f"constraint {name!r} already exists on {table!r}: choose another name"
    return None


def column_types(conn: Connection, names: pg.PgNames, table: str) -> dict[str, str]:
    """The table's columns and their types (empty if it does not exist yet)."""
    if not catalog.exists(conn, names.table(table)):
        return {}
    return dict(catalog.columns(conn, names.table(table)))


def _new_shape(
    migration: OnlineMigration, upto: int, table: str, types: dict[str, str]
) -> dict[str, str]:
    """The new version's columns of ``table`` and their types, as the operations up to
    and including ``upto`` leave them (what ``down`` and ``check`` name)."""
    new = dict(types)
    for op in migration.operations[: upto + 1]:
        if table_of(op) != table or isinstance(op, ops.RawSQL):
            continue
        physical_type = {**types, **{a.name: a.data_type for a in _added(op, types)}}
        try:
            mapping = shape.reshape(op, {name: name for name in new})
        except OnlineOperationError:
            return new
        new = {
            name: physical_type.get(physical, new.get(physical, "text"))
            for name, physical in mapping.items()
        }
    return new


def _added(op: ops.Operation, types: dict[str, str]) -> list[AddedColumn]:
    try:
        return added(shape.resolve(op, types))
    except OnlineOperationError:
        return []


def _expressions(
    conn: Connection, migration: OnlineMigration, index: int, op: ops.Operation
) -> str | None:
    names = pg.PgNames(migration.schema)
    types = column_types(conn, names, table_of(op))
    column = shape.changed_column(op)
    if isinstance(op, ops.DropColumn):
        column = op.column.name
    if not types or column is None:
        return None  # a table a raw_sql creates is checked when it runs
    table = names.table(table_of(op))
    probes: list[tuple[str, str]] = []
    new = _new_shape(migration, index, table_of(op), types)
    new_rows = (
        "(SELECT " + ", ".join(f"NULL::{t} AS {pg.quote(c)}" for c, t in new.items()) + ") AS v"
    )
    down = shape.down_of(op)
    if not isinstance(op, ops.DropColumn):
        target = shape.data_type(shape.resolve(op, types)) or types.get(column, "text")
        default = shape.default(op)
        if default is not None:
            probes.append(("default", f"SELECT CAST(({default}) AS {target}) LIMIT 0"))
        up = shape.up_of(op)
        if up:
            probes.append(("up", f"SELECT CAST(({up}) AS {target}) FROM {table} LIMIT 0"))
        if down and column in types:
            probes.append(
                (
                    "down",
                    f"SELECT CAST(({down}) AS {types[column]}) FROM {new_rows} LIMIT 0",
                )
            )
        if isinstance(op, ops.AddCheck):
            check = op.constraint.expression
            probes.append(("check", f"SELECT ({check})::boolean FROM {new_rows} LIMIT 0"))
    elif down and column in types:
        probes.append(("down", f"SELECT CAST(({down}) AS {types[column]}) FROM {new_rows} LIMIT 0"))
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
