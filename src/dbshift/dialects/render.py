"""Operations → SQL statements: the part of rendering every dialect shares.

Each dialect subclasses ``Renderer`` and provides one ``op_<kind>`` method per operation it
supports; an operation without one is refused with a message naming it and the dialect,
never rendered approximately (sqlglot's "unsupported" policy).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

# Re-exported: every renderer raises it, and importing it beside Renderer reads well.
from dbshift.errors import Unsupported as Unsupported
from dbshift.model import CheckConstraint, ForeignKey, ReferentialAction

if TYPE_CHECKING:
    from dbshift.model import Column, Schema, Table
    from dbshift.ops import (
        AddColumn,
        CreateView,
        DropColumn,
        DropTable,
        DropView,
        Operation,
        RawSQL,
        RenameColumn,
    )


class Renderer:
    dialect: ClassVar[str]
    #: Escape backslashes in string literals (MySQL without NO_BACKSLASH_ESCAPES).
    backslash_escapes: ClassVar[bool] = False
    #: CREATE TABLE takes the partitions a table lists (``Table.partitions``): MySQL.
    partition_lists: ClassVar[bool] = False
    #: REFERENCES t without columns means t's primary key (SQLite): kept so where the
    #: inspector found it so (``ForeignKey.ref_columns_implied``).
    implied_reference_columns: ClassVar[bool] = False

    def __init__(self, quote: Callable[[str], str]) -> None:
        self.q = quote

    # -- entry points ------------------------------------------------------------------

    def render(self, ops: Sequence[Operation], before: Schema) -> list[str]:
        """Statements for ``ops`` applied in order to a database holding ``before``."""
        out: list[str] = []
        schema = before
        for op in ops:
            out.extend(self.statements(op, schema))
            schema = op.apply(schema)
        return out

    def statements(self, op: Operation, schema: Schema) -> list[str]:
        """Statements for one operation, given the schema just before it."""
        method: Any = getattr(self, f"op_{op.kind}", None)
        if method is None:
            raise Unsupported(f"{op.describe()}: not supported on {self.dialect}")
        result: list[str] = method(op, schema)
        return result

    # -- SQL-standard operations; dialects override where they differ ------------------------

    def column(self, c: Column) -> str:
        raise NotImplementedError

    def refuse_postgres_only(self, t: Table) -> None:
        """Table parts only PostgreSQL has, refused by name rather than left out."""
        what = [
            *(f"exclusion constraint {x.name}" for x in t.exclusions),
            *(
                f"unique {u.name} with INCLUDE or NULLS NOT DISTINCT"
                for u in t.uniques
                if u.include or u.nulls_not_distinct
            ),
            # A MySQL-style partition list is the MySQL renderer's own (checked below).
            *(["PARTITION BY"] if t.partition_by and not t.partitions else []),
            *(["PARTITION OF"] if t.partition_of else []),
            *(["INHERITS"] if t.inherits else []),
            *(["row level security or policies"] if t.row_security or t.policies else []),
            *(["UNLOGGED"] if t.unlogged else []),
            *(f"statistics {s.name}" for s in t.statistics),
        ]
        if what:
            raise Unsupported(f"table {t.name}: {', '.join(what)}: PostgreSQL only")
        if t.partitions and not self.partition_lists:
            raise Unsupported(f"table {t.name}: partitions listed in the table: MySQL/MariaDB only")

    def refuse_sqlite_only(self, t: Table) -> None:
        """SQLite's table options, refused by name by the other servers' renderers."""
        what = [*(["STRICT"] if t.strict else []), *(["WITHOUT ROWID"] if t.without_rowid else [])]
        if what:
            raise Unsupported(f"table {t.name}: {', '.join(what)}: SQLite only")

    def op_raw_sql(self, op: RawSQL, schema: Schema) -> list[str]:
        return [op.up]

    def op_drop_table(self, op: DropTable, schema: Schema) -> list[str]:
        return [f"DROP TABLE {self.name(op.table.key)}"]

    def op_add_column(self, op: AddColumn, schema: Schema) -> list[str]:
        return [f"ALTER TABLE {self.name(op.on)} ADD COLUMN {self.column(op.column)}"]

    def op_drop_column(self, op: DropColumn, schema: Schema) -> list[str]:
        return [f"ALTER TABLE {self.name(op.on)} DROP COLUMN {self.q(op.column.name)}"]

    def op_rename_column(self, op: RenameColumn, schema: Schema) -> list[str]:
        # RENAME COLUMN: PostgreSQL, SQLite 3.25+, MySQL 8.0, MariaDB 10.5.2+.
        return [
            f"ALTER TABLE {self.name(op.on)} RENAME COLUMN {self.q(op.old)} TO {self.q(op.new)}"
        ]

    def op_create_view(self, op: CreateView, schema: Schema) -> list[str]:
        v = op.view
        if v.security_invoker or v.check_option or v.algorithm or v.security_barrier:
            raise Unsupported(
                f"{op.describe()}: security, check option and algorithm of a view "
                f"are not supported on {self.dialect}"
            )
        names = f" ({self.names(v.column_names)})" if v.column_names else ""
        return [f"CREATE VIEW {self.name((v.schema, v.name))}{names} AS {v.definition}"]

    def op_drop_view(self, op: DropView, schema: Schema) -> list[str]:
        return [f"DROP VIEW {self.name((op.view.schema, op.view.name))}"]

    # -- shared pieces -------------------------------------------------------------------

    def name(self, key: tuple[str | None, str]) -> str:
        """A possibly schema-qualified name, every part quoted."""
        schema, name = key
        return f"{self.q(schema)}.{self.q(name)}" if schema else self.q(name)

    def names(self, columns: Sequence[str]) -> str:
        return ", ".join(self.q(c) for c in columns)

    def literal(self, value: str) -> str:
        """A string literal: the only way user text enters SQL other than as a name."""
        if self.backslash_escapes:
            value = value.replace("\\", "\\\\")
        return "'" + value.replace("'", "''") + "'"

    def constraint_name(self, name: str | None) -> str:
        return f"CONSTRAINT {self.q(name)} " if name else ""

    def foreign_key(self, fk: ForeignKey) -> str:
        """``[CONSTRAINT n] FOREIGN KEY (…) REFERENCES t (…) ON DELETE … ON UPDATE …``"""
        sql = (
            f"{self.constraint_name(fk.name)}FOREIGN KEY ({self.names(fk.columns)}) "
            f"REFERENCES {self.name((fk.ref_schema, fk.ref_table))}"
        )
        if not (fk.ref_columns_implied and self.implied_reference_columns):
            sql += f" ({self.names(fk.ref_columns)})"
        if fk.match_full:
            sql += " MATCH FULL"
        if fk.on_delete is not ReferentialAction.NO_ACTION:
            sql += f" ON DELETE {fk.on_delete.value}"
            if fk.on_delete_columns:
                sql += f" ({self.names(fk.on_delete_columns)})"
        if fk.on_update is not ReferentialAction.NO_ACTION:
            sql += f" ON UPDATE {fk.on_update.value}"
        if fk.deferrable:
            sql += " DEFERRABLE INITIALLY DEFERRED" if fk.initially_deferred else " DEFERRABLE"
        return sql

    def check(self, check: CheckConstraint) -> str:
        tail = " NO INHERIT" if check.no_inherit else ""
        return f"{self.constraint_name(check.name)}CHECK ({check.expression}){tail}"
