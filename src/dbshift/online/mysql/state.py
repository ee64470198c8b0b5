"""What the MySQL engine's phases share: the journal state of a migration (the catalog as
start found it, the steps done), catalog reads, and the plans made from them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dbshift import ops
from dbshift.dialects.mysql import online_catalog as catalog
from dbshift.errors import MigrationFailed, OnlineOperationError, UsageError
from dbshift.online import journal
from dbshift.online.mysql import ddl, foreign_keys
from dbshift.online.mysql import sql as my
from dbshift.online.mysql.plan import Column, TablePlan, orphans_sql, plan_table
from dbshift.online.phases import Options
from dbshift.online.shape import table_of
from dbshift.online.spec import OnlineMigration

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

#: Journal keys beside the backfill jobs: the catalog as start found it (plans are made
#: from it on every later run, when in-place changes have altered the tables) and the
#: steps done.
CATALOG = "_dbshift_catalog"
DONE = "_dbshift_done"
#: ER_DUP_FIELDNAME, ER_DUP_KEYNAME, ER_FK_DUP_NAME / ER_DUP_CONSTRAINT_NAME.
EXISTS = frozenset({1060, 1061, 1826, 1822})
#: ER_CANT_DROP_FIELD_OR_KEY, ER_BAD_FIELD_ERROR.
GONE = frozenset({1091, 1054})


@dataclass
class State:
    conn: Connection
    migration: OnlineMigration
    names: my.MyNames
    plans: dict[str, TablePlan]
    data: dict[str, Any]

    def save(self) -> None:
        journal.save_backfill(self.conn, self.migration.schema, self.migration.name, self.data)

    def done(self, step: str) -> bool:
        return step in self.data.get(DONE, [])

    def mark(self, step: str) -> None:
        self.data.setdefault(DONE, []).append(step)
        self.save()


def read_columns(conn: Connection, schema: str, table: str) -> dict[str, Column]:
    return {c.name: Column(*c) for c in catalog.columns(conn, schema, table)}


def kind(conn: Connection, schema: str, table: str) -> str | None:
    return catalog.table_kind(conn, schema, table)


def read_catalog(conn: Connection, migration: OnlineMigration) -> dict[str, Any]:
    """What start needs to know of each table, read once, before anything changes."""
    out: dict[str, Any] = {}
    first: dict[str, int] = {}
    for i, op in enumerate(migration.operations):
        if not isinstance(op, ops.RawSQL):
            first.setdefault(table_of(op), i)
    for table in sorted(first):
        columns = read_columns(conn, migration.schema, table)
        if not columns:
            op = migration.operations[first[table]]
            raise MigrationFailed(
                f"{migration.path}: operations[{first[table]}] ({op.kind}): table {table!r} "
                f"does not exist in schema {migration.schema!r}; nothing was changed"
            )
        key = catalog.primary_key(conn, migration.schema, table)
        out[table] = {
            "columns": [
                [c.name, c.type, c.nullable, c.default, c.extra, c.comment]
                for c in columns.values()
            ],
            "key": [[name, type_] for name, type_, _ in key],
            "auto": next((name for name, _, extra in key if "auto_increment" in extra), None),
            # Rollback drops an index InnoDB made for a new foreign key only if it is
            # not one of these (rollback never removes what start did not create).
            "indexes": sorted(catalog.index_names(conn, migration.schema, table)),
            foreign_keys.KEYS: foreign_keys.read(conn, migration.schema, table),
        }
    return out


def make_plans(migration: OnlineMigration, catalog: dict[str, Any]) -> dict[str, TablePlan]:
    plans = {}
    for table, info in catalog.items():
        # (a catalog journaled before comments were kept has five fields)
        columns = {
            c[0]: Column(c[0], c[1], bool(c[2]), c[3], c[4], c[5] if len(c) > 5 else "")
            for c in info["columns"]
        }
        on = [op for op in migration.operations if table_of(op) == table]
        try:
            plans[table] = plan_table(table, on, columns, [k[0] for k in info["key"]], info["auto"])
            # (a catalog journaled before index names were kept: unknown, so kept)
            if "indexes" in info:
                plans[table].indexes = frozenset(str(i).casefold() for i in info["indexes"])
        except OnlineOperationError as exc:
            # Not the table as the file expects it: the same kind, named with its file.
            raise OnlineOperationError(f"{migration.path}: {exc.message}") from None
        except UsageError as exc:
            raise UsageError(f"{migration.path}: {exc}") from None
    return plans


def load(conn: Connection, migration: OnlineMigration) -> State:
    entry = journal.get(conn, migration.schema, migration.name)
    assert entry is not None
    names = my.MyNames(migration.schema, version=entry.version_schema)
    data = dict(entry.backfill)
    return State(conn, migration, names, make_plans(migration, data[CATALOG]), data)


def online_ddl(conn: Connection, sql: str, options: Options, what: str) -> None:
    """An in-place statement; "already there" means a resumed run did it before."""
    try:
        ddl.run(conn, sql, policy=options.lock, what=what, ignore=EXISTS | GONE)
    except Exception as exc:
        if my.errno(exc) in (1845, 1846):  # the server cannot do it with that algorithm
            raise MigrationFailed(
                f"{what}: the server cannot run {' '.join(sql.split())[:80]!r} online "
                f"({my.errno(exc)}); use a change that copies the table (e.g. alter_column)"
            ) from None
        raise


def renamed(plan: TablePlan, column: str) -> str:
    """The new version's name of an old column."""
    for name, source in plan.new.items():
        if source == column:
            return name
    raise UsageError(f"{plan.table!r}: key column {column!r} cannot be dropped online")


def no_orphans(state: State, op: ops.AddForeignKey) -> None:
    names, fk, table = state.names, op.constraint, table_of(op)
    sql = orphans_sql(op, names.table(table), names.table(fk.ref_table))
    bad = state.conn.execution_options(no_parameters=True).exec_driver_sql(sql).scalar()
    if bad:
        raise MigrationFailed(
            f"online {state.migration.name}: {bad} rows of {table} have no match in "
            f"{fk.ref_table} for foreign key {fk.name!r}; fix them, then run the command "
            "again (or roll back)"
        )
