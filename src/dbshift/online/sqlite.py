"""Online migrations on SQLite: the same files, applied whole at start in one transaction.

PostgreSQL (and MySQL) online migrations exist so that two application versions can use
one database at once while a change is rolled out: hidden columns, dual-write triggers,
batched backfills and a view schema for the new version. SQLite is an embedded database
with a single writer: the application that embeds it is upgraded as one process, so there
is never a second version to serve, and a writer holding the lock blocks every other
writer anyway. Batches would only lengthen that lock.

So ``start`` applies every operation, in order, to the final shape PostgreSQL reaches
after start and complete, inside one ``BEGIN IMMEDIATE`` transaction that also writes the
journal row as ``completed``: all of it happens, or (on any error) none of it, not even
the journal row. ``complete`` is then a no-op and ``rollback`` is refused: undoing a
change is a new migration. As on PostgreSQL, table renames run after the other
operations, which name the table as it was.

What ALTER TABLE cannot do (types, NOT NULL, defaults, checks, foreign keys) goes through
the table rebuild of the SQLite renderer (``dialects/sqlite/render.py``), whose copy of
the rows evaluates the operation's ``up`` expression; indexes and triggers are recreated.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from sqlalchemy.exc import DBAPIError

from dbshift import ops
from dbshift.connection import first_line
from dbshift.dialects.sqlite import SQLiteDialect
from dbshift.dialects.sqlite.render import SQLiteRenderer
from dbshift.errors import (
    DbshiftError,
    LockTimeoutError,
    MigrationFailed,
    OnlineOperationError,
    UsageError,
)
from dbshift.inspect.sqlite import inspect_sqlite
from dbshift.model import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    IndexElement,
    PrimaryKey,
    ReferentialAction,
    Schema,
    Table,
)
from dbshift.online import journal, shape
from dbshift.online.journal import Entry, Phase
from dbshift.online.phases import NewVersion, Progress, Record, Run, refuse_overlap
from dbshift.online.shape import table_of
from dbshift.online.spec import OnlineMigration
from dbshift.runner.table_names import ONLINE_JOURNAL_META_TABLE, ONLINE_JOURNAL_TABLE

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from dbshift.dialects import Dialect

_MAIN = "main"
_SQLITE = SQLiteDialect()
q = _SQLITE.quote
#: Statements a raw_sql up must not run: they would end the one transaction early.
_TRANSACTION_CONTROL = frozenset({"BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE"})


class SQLiteEngine:
    """The ``phases.WholeEngine`` of SQLite: ``start_whole`` does it all."""

    casts_on_alter: ClassVar[bool] = False
    uses_runner_lock: ClassVar[bool] = False  # BEGIN IMMEDIATE is the lock
    undo_hint: ClassVar[str] = (
        "SQLite applies an online migration whole at start, in one transaction, so there "
        "is nothing to roll back; write a new migration to undo it"
    )

    def __init__(self) -> None:
        self.dialect: Dialect = _SQLITE

    def base_schema(self, conn: Connection, schema: str) -> str:
        if schema == "public":  # the command's default: the main database
            return _MAIN
        if schema != _MAIN:
            raise UsageError(
                f"SQLite online migrations work on the main database, not schema {schema!r}"
            )
        return schema

    def new_version(self, entry: Entry) -> NewVersion:
        return NewVersion()  # never in flight: there is no second version

    def start_whole(self, run: Run) -> Entry:
        return _start(run.conn, run.migration, run.spec, run.progress)

    def settle(self, run: Run, entry: Entry) -> OnlineMigration:
        return run.migration

    def cleanup(self, run: Run, entry: Entry) -> None:
        name = run.migration.name
        run.progress.step(
            f"{name}: completed at start (SQLite applies the whole migration at once)"
        )

    def rollback(self, run: Run, entry: Entry, record: Record) -> None:
        raise UsageError(f"online migration {entry.name} is {entry.phase}: {self.undo_hint}")


def _start(conn: Connection, migration: OnlineMigration, spec: str, progress: Progress) -> Entry:
    """Every operation, then the journal row as completed, in one transaction."""
    schema = migration.schema
    with _Transaction(conn):
        journal.ensure(conn, schema)
        entry = journal.get(conn, schema, migration.name)
        if entry is not None and entry.phase is Phase.ROLLED_BACK:
            journal.forget(conn, schema, migration.name)  # nothing of it is left
        elif entry is not None:
            raise UsageError(
                f"online migration {migration.name} is already {entry.phase} "
                "(on SQLite start applies the whole migration at once)"
            )
        refuse_overlap(conn, migration)
        journal.insert(
            conn,
            schema,
            name=migration.name,
            version_schema=schema,  # no second version: the new shape is the only one
            tables=sorted(migration.tables),
            spec=spec,
            safety_period=0.0,
        )
        applier = _Applier(conn)
        # Table renames last, as on PostgreSQL: the other operations name the table as it was.
        ordered = sorted(
            enumerate(migration.operations), key=lambda item: isinstance(item[1], ops.RenameTable)
        )
        for index, op in ordered:
            progress.step(f"operations[{index}] {op.kind} on {table_of(op)}")
            try:
                applier.apply(op)
            except DbshiftError as exc:
                raise MigrationFailed(_where(migration, index, op, exc.message)) from None
            except ValueError as exc:
                raise MigrationFailed(_where(migration, index, op, str(exc))) from None
            except DBAPIError as exc:
                reason = first_line(str(exc.orig) if exc.orig is not None else str(exc))
                raise MigrationFailed(_where(migration, index, op, reason)) from None
        journal.set_phase(conn, schema, migration.name, Phase.ACTIVE)
        journal.set_phase(conn, schema, migration.name, Phase.COMPLETED)
        entry = journal.get(conn, schema, migration.name)
        assert entry is not None
    progress.step(f"applied {len(migration.operations)} operations in one transaction")
    return entry


def _where(migration: OnlineMigration, index: int, op: ops.Operation, message: str) -> str:
    return (
        f"{migration.path}: operations[{index}] ({op.kind}): {message}; "
        "nothing was changed (SQLite applies the whole migration in one transaction)"
    )


class _Transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``, or ``ROLLBACK`` on any error. Foreign key
    enforcement is off meanwhile (SQLite cannot switch it inside a transaction): a rebuild
    drops and recreates a table, which must not cascade to the rows referencing it."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.foreign_keys = False

    def __enter__(self) -> None:
        self.foreign_keys = bool(self.conn.exec_driver_sql("PRAGMA foreign_keys").scalar())
        if self.foreign_keys:
            self.conn.exec_driver_sql("PRAGMA foreign_keys = OFF")
        try:
            self.conn.exec_driver_sql("BEGIN IMMEDIATE")  # waits the busy timeout
        except DBAPIError as exc:
            self._restore()
            raise LockTimeoutError(
                f"cannot take SQLite's write lock: {first_line(str(exc.orig))} (another "
                "connection is writing); nothing was done"
            ) from None

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        try:
            if kind is None:
                self.conn.exec_driver_sql("COMMIT")
            elif self._in_transaction():
                self.conn.exec_driver_sql("ROLLBACK")
        finally:
            self._restore()

    def _restore(self) -> None:
        if self.foreign_keys:
            self.conn.exec_driver_sql("PRAGMA foreign_keys = ON")

    def _in_transaction(self) -> bool:
        # Some errors (SQLITE_FULL, SQLITE_IOERR, ...) end the transaction themselves.
        driver = self.conn.connection.driver_connection
        return bool(getattr(driver, "in_transaction", True))


class _Applier:
    """Applies one operation at a time, reading the schema afresh before each (a raw_sql
    may have changed anything)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        render = _SQLITE.renderer()
        assert isinstance(render, SQLiteRenderer)
        self.render = render
        self.schema = Schema()

    def apply(self, op: ops.Operation) -> None:
        self.schema = inspect_sqlite(
            self.conn, exclude=(ONLINE_JOURNAL_TABLE, ONLINE_JOURNAL_META_TABLE)
        )
        for sql in self._statements(op):
            self.conn.execution_options(no_parameters=True).exec_driver_sql(sql)
        if isinstance(op, ops.AddForeignKey):
            self._check_foreign_key(op)

    def _statements(self, op: ops.Operation) -> list[str]:
        match op:
            case ops.AddColumn():
                return self._add_column(op)
            case ops.DropColumn():
                return self._drop_columns(self._table(table_of(op)), (op.column.name,))
            case ops.RenameColumn():
                return self._rename_column(op)
            case ops.AlterColumn() | ops.AddCheck():
                return self._alter_column(op)
            case ops.AddUnique():
                return self._add_unique(op)
            case ops.AddForeignKey():
                return self._add_foreign_key(op)
            case ops.CreateIndex():
                return self._create_index(op)
            case ops.DropIndex():
                return [f"DROP INDEX IF EXISTS {q(op.index.name)}"]
            case ops.RenameTable():
                self._table(op.old)
                return [f"ALTER TABLE {q(op.old)} RENAME TO {q(op.new)}"]
            case ops.SplitTable():
                return self._split_table(op)
            case ops.RawSQL():
                statements = split_statements(op.up)
                for sql in statements:
                    if sql.split(None, 1)[0].upper().rstrip(";") in _TRANSACTION_CONTROL:
                        raise OnlineOperationError(
                            f"{sql.split(None, 1)[0]} in up: start runs the whole migration "
                            "in one transaction"
                        )
                return statements
        raise OnlineOperationError("not supported on SQLite")

    # -- reading the schema ------------------------------------------------------------

    def _table(self, name: str) -> Table:
        table = self.schema.table(name)
        if table is None:
            raise OnlineOperationError(f"table {name!r} does not exist")
        return table

    def _column(self, table: Table, name: str) -> Column:
        column = table.column(name)
        if column is None:
            raise OnlineOperationError(f"column {name!r} does not exist in {table.name!r}")
        return column

    def _columns(self, table: Table, names: Iterable[str]) -> None:
        for name in names:
            self._column(table, name)

    # -- rebuilding ----------------------------------------------------------------------

    def _rebuild(self, old: Table, new: Table, values: dict[str, str] | None = None) -> list[str]:
        """The renderer's rebuild of ``old`` into ``new``; ``values`` (column -> SQL over
        the old table's columns) replace the plain copy of those columns."""
        return self.render.rebuild(
            old, new, self.schema.with_table(new), values=values, check_foreign_keys=False
        )  # _check_foreign_key names the first orphan row

    def _without(self, table: Table, names: Iterable[str]) -> Table:
        """``table`` without the columns, and without the keys and indexes on them (as
        PostgreSQL's DROP COLUMN drops them)."""
        gone = set(names)
        pk = table.primary_key
        return replace(
            table,
            columns=tuple(c for c in table.columns if c.name not in gone),
            primary_key=None if pk is not None and gone & set(pk.columns) else pk,
            uniques=tuple(u for u in table.uniques if not gone & set(u.columns)),
            foreign_keys=tuple(f for f in table.foreign_keys if not gone & set(f.columns)),
            indexes=tuple(i for i in table.indexes if not gone & set(i.column_names)),
        )

    def _drop_columns(self, table: Table, names: tuple[str, ...]) -> list[str]:
        self._columns(table, names)
        if any(self.render.drop_needs_rebuild(table, n) for n in names):
            return self._rebuild(table, self._without(table, names))
        return [f"ALTER TABLE {q(table.name)} DROP COLUMN {q(n)}" for n in names]

    # -- operations ----------------------------------------------------------------------

    def _add_column(self, op: ops.AddColumn) -> list[str]:
        name, column = table_of(op), op.column
        table = self._table(name)
        if table.column(column.name) is not None:
            raise OnlineOperationError(f"column {column.name!r} already exists in {name!r}")
        if not self.render.can_add_column(column):
            return self._rebuild(
                table, table.with_column(column), {column.name: op.up} if op.up else None
            )
        out = [f"ALTER TABLE {q(name)} ADD COLUMN {self.render.column(column)}"]
        if op.up:
            out.append(f"UPDATE {q(name)} SET {q(column.name)} = ({op.up})")
        return out

    def _rename_column(self, op: ops.RenameColumn) -> list[str]:
        name = table_of(op)
        table = self._table(name)
        self._column(table, op.old)
        if table.column(op.new) is not None:
            raise OnlineOperationError(f"column {op.new!r} already exists in {name!r}")
        return [f"ALTER TABLE {q(name)} RENAME COLUMN {q(op.old)} TO {q(op.new)}"]

    def _alter_column(self, op: ops.AlterColumn | ops.AddCheck) -> list[str]:
        """The column ends as PostgreSQL's complete leaves it: ``data_type`` (default: its
        own), nullability and default unchanged unless the file sets them (``drop_default``
        removes the default), every row's value ``up`` of the old one; add_check adds its
        constraint."""
        name = table_of(op)
        change = shape.column_change(op)
        assert change is not None  # add_check's through, as read from the file
        table = self._table(name)
        current = self._column(table, change.after.name)
        column = change.resolve(current).after
        column = replace(column, type=column.type or current.type)
        new = table.with_column(column)
        if isinstance(op, ops.AddCheck):
            c = op.constraint
            new = replace(new, checks=(*new.checks, CheckConstraint(c.name, c.expression)))
        up = change.up
        values = {column.name: up} if up else None
        if new == table:
            return [f"UPDATE {q(name)} SET {q(column.name)} = ({up})"] if up else []
        return self._rebuild(table, new, values)

    def _add_unique(self, op: ops.AddUnique) -> list[str]:
        u = op.constraint
        table = self._table(table_of(op))
        self._columns(table, u.columns)
        index = Index(u.name, tuple(IndexElement(c) for c in u.columns), unique=True)
        return [self.render.index(table.key, index)]

    def _add_foreign_key(self, op: ops.AddForeignKey) -> list[str]:
        name, fk = table_of(op), op.constraint
        table = self._table(name)
        self._columns(table, fk.columns)
        referenced = table if fk.ref_table == name else self._table(fk.ref_table)
        self._columns(referenced, fk.ref_columns)
        return self._rebuild(table, replace(table, foreign_keys=(*table.foreign_keys, fk)))

    def _check_foreign_key(self, op: ops.AddForeignKey) -> None:
        """Rows the new key rejects (the rebuild copies them as they are: SQLite checks
        foreign keys on writes only, and only with enforcement on)."""
        bad, example = self.conn.exec_driver_sql(
            'SELECT count(*), min(rowid) FROM pragma_foreign_key_check(?) WHERE "parent" = ?',
            (table_of(op), op.constraint.ref_table),
        ).one()
        if bad:
            at = f" (the first at rowid {example})" if example is not None else ""
            cols = ", ".join(op.constraint.columns)
            raise OnlineOperationError(
                f"{bad} rows of {table_of(op)} have ({cols}) values missing from "
                f"{op.constraint.ref_table}{at}: fix or delete them first"
            )

    def _create_index(self, op: ops.CreateIndex) -> list[str]:
        table = self._table(table_of(op))
        self._columns(table, op.index.column_names)
        return [self.render.index(table.key, op.index)]

    def _split_table(self, op: ops.SplitTable) -> list[str]:
        """The new table as PostgreSQL's complete leaves it (its key references the
        source's, ON DELETE CASCADE), filled from the source, which loses the columns."""
        source = table_of(op)
        table = self._table(source)
        key = self._column(table, op.key)
        moved = [self._column(table, c) for c in op.columns]
        if self.schema.table(op.new_table) is not None:
            raise OnlineOperationError(f"table {op.new_table!r} already exists")
        new = Table(
            name=op.new_table,
            columns=(
                Column(op.new_key, key.type, nullable=False),
                *(Column(c.name, c.type) for c in moved),
            ),
            primary_key=PrimaryKey((op.new_key,)),
            foreign_keys=(
                ForeignKey(
                    name="",
                    columns=(op.new_key,),
                    ref_table=source,
                    ref_columns=(op.key,),
                    on_delete=ReferentialAction.CASCADE,
                ),
            ),
        )
        cols = ", ".join(q(c) for c in op.columns)
        copy = (
            f"INSERT INTO {q(op.new_table)} ({q(op.new_key)}, {cols}) "
            f"SELECT {q(op.key)}, {cols} FROM {q(source)}"
        )
        return [self.render.create_table(new), copy, *self._drop_columns(table, op.columns)]


def split_statements(sql: str) -> list[str]:
    """``sql`` as single statements (the driver runs one at a time), split where SQLite
    itself sees a statement end: not inside strings, comments or a trigger's body."""
    out: list[str] = []
    pending = ""
    pieces = sql.split(";")
    for i, piece in enumerate(pieces):
        pending += piece
        last = i == len(pieces) - 1
        if not last:
            pending += ";"
            if not sqlite3.complete_statement(pending):
                continue
        if pending.strip().rstrip(";").strip():
            out.append(pending.strip())
        pending = ""
    return out
