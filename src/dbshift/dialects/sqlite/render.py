"""SQLite DDL for each operation, rebuilding tables where ALTER TABLE cannot go.

SQLite's ALTER TABLE can add, drop and rename columns and rename tables; anything else
(types, nullability, defaults, keys, checks, foreign keys) follows the documented
procedure (https://www.sqlite.org/lang_altertable.html#otheralter): create the new table
under a temporary name, copy the rows, drop the old table, rename, then recreate its
indexes and triggers. Consecutive operations on one table share one rebuild.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.dialects.render import Renderer, Unsupported

if TYPE_CHECKING:
    from dbshift.model import Column, Index, Schema, Table
    from dbshift.ops import (
        CreateIndex,
        CreateRoutine,
        CreateTable,
        DropIndex,
        DropRoutine,
        Operation,
        RenameTable,
        SetTableComment,
    )

#: Operations that always need a rebuild on an existing table.
_REBUILD = {
    "alter_column",
    "add_primary_key",
    "drop_primary_key",
    "add_unique",
    "drop_unique",
    "add_check",
    "drop_check",
    "add_foreign_key",
    "drop_foreign_key",
    "set_table_sqlite_options",
}


class SQLiteRenderer(Renderer):
    dialect: ClassVar[str] = "sqlite"
    implied_reference_columns: ClassVar[bool] = True

    def render(self, ops: Sequence[Operation], before: Schema) -> list[str]:
        out: list[str] = []
        schema = before
        rebuilding: Table | None = None  # the table as it was before the pending rebuild
        for i, op in enumerate(ops):
            if not self._needs_rebuild(op, schema):
                out.extend(self.statements(op, schema))
                schema = op.apply(schema)
                continue
            key = op.table_key
            assert key is not None  # every rebuild operation changes one table
            if rebuilding is None:
                rebuilding = schema.table(key[1], key[0])
            schema = op.apply(schema)
            following = ops[i + 1] if i + 1 < len(ops) else None
            if (
                following is not None
                and following.table_key == key
                and self._needs_rebuild(following, schema)
            ):
                continue
            target = schema.table(key[1], key[0])
            assert rebuilding is not None and target is not None
            out.extend(self.rebuild(rebuilding, target, schema))
            rebuilding = None
        return out

    def _needs_rebuild(self, op: Operation, schema: Schema) -> bool:
        if op.kind in _REBUILD:
            return True
        key = op.table_key
        table = schema.table(key[1], key[0]) if key else None
        if op.kind == "add_column" and table is not None:
            return not _can_add(op.column)  # type: ignore[attr-defined]
        if op.kind == "drop_column" and table is not None:
            return _is_referenced(table, op.column.name)  # type: ignore[attr-defined]
        return False

    # -- pieces ------------------------------------------------------------------------------

    def column(self, c: Column, *, inline_pk: bool = False) -> str:
        if c.invisible:
            raise Unsupported(f"column {c.name}: INVISIBLE columns are MySQL/MariaDB only")
        parts = [self.q(c.name)]
        if c.type:
            parts.append(c.type)
        if inline_pk:
            parts.append("PRIMARY KEY AUTOINCREMENT")
        if c.collation:
            parts.append(f"COLLATE {self.q(c.collation)}")
        if c.generated is not None:
            kind = "STORED" if c.generated.stored else "VIRTUAL"
            parts.append(f"GENERATED ALWAYS AS ({c.generated.expression}) {kind}")
        elif c.default is not None:
            parts.append(f"DEFAULT {default_clause(c.default)}")
        if not c.nullable:
            parts.append("NOT NULL")
        return " ".join(parts)

    def create_table(self, t: Table, *, name: str | None = None) -> str:
        pk = t.primary_key
        # AUTOINCREMENT exists only as a column constraint on a one-column INTEGER key.
        auto = next(
            (
                c.name
                for c in t.columns
                if c.identity is not None and pk and pk.columns == (c.name,)
            ),
            None,
        )
        lines = [self.column(c, inline_pk=c.name == auto) for c in t.columns]
        if pk is not None and auto is None:
            lines.append(f"{self.constraint_name(pk.name)}PRIMARY KEY ({self.names(pk.columns)})")
        lines.extend(
            f"{self.constraint_name(u.name)}UNIQUE ({self.names(u.columns)})" for u in t.uniques
        )
        lines.extend(self.check(c) for c in t.checks)
        lines.extend(self.foreign_key(f) for f in t.foreign_keys)
        target = self.q(name) if name else self.name(t.key)
        options = [
            *(["STRICT"] if t.strict else []),
            *(["WITHOUT ROWID"] if t.without_rowid else []),
        ]
        return (
            f"CREATE TABLE {target} (\n    "
            + ",\n    ".join(lines)
            + "\n)"
            + (" " + ", ".join(options) if options else "")
        )

    def index(self, on: tuple[str | None, str], i: Index) -> str:
        if i.method or i.include or i.nulls_not_distinct:
            raise Unsupported(f"index {i.name}: SQLite has only plain b-tree indexes")
        elements = []
        for e in i.elements:
            # SQLite stores an expression as written and accepts any expr here: verbatim,
            # or each round trip would add a pair of parentheses.
            sql = e.expression if e.is_expression else self.q(e.expression)
            if e.collation:
                sql += f" COLLATE {self.q(e.collation)}"
            if e.descending:
                sql += " DESC"
            elements.append(sql)
        kind = "CREATE UNIQUE INDEX" if i.unique else "CREATE INDEX"
        sql = f"{kind} {self.q(i.name)} ON {self.name(on)} ({', '.join(elements)})"
        return sql + (f" WHERE {i.where}" if i.where else "")

    def rebuild(
        self,
        old: Table,
        new: Table,
        schema: Schema,
        *,
        values: Mapping[str, str] | None = None,
        check_foreign_keys: bool = True,
    ) -> list[str]:
        """The 12-step procedure for one table; ``schema`` is the state after it.
        ``values`` (column -> SQL over the old table's columns) replace the plain copy of
        those columns: the online engine's ``up`` expressions. ``check_foreign_keys``: a
        foreign key the table gains fails the statements on rows it rejects (the online
        engine checks first, naming a row)."""
        temp = f"_dbshift_new_{new.name}"
        given = values or {}
        copied = [
            c.name
            for c in new.columns
            if c.generated is None
            and (c.name in given or ((o := old.column(c.name)) is not None and o.generated is None))
        ]
        picked = ", ".join(f"({given[n]})" if n in given else self.q(n) for n in copied)
        into = self.names(copied)
        rowid = _rowid_name(old, new)
        if rowid is not None:  # rowids kept: an FTS index or a user may point at them
            into, picked = f"{rowid}, {into}", f"{rowid}, {picked}"
        out = [
            self.create_table(replace(new, indexes=()), name=temp),
            f"INSERT INTO {self.q(temp)} ({into}) SELECT {picked} FROM {self.name(old.key)}",
            *self._keep_sequence(new, temp, old.name),
            f"DROP TABLE {self.name(old.key)}",
            # Legacy rename: views and triggers naming the table must not be re-parsed while
            # it is briefly missing (SQLite 3.26+ would fail on them), nor rewritten.
            "PRAGMA legacy_alter_table = ON",
            f"ALTER TABLE {self.q(temp)} RENAME TO {self.q(new.name)}",
            "PRAGMA legacy_alter_table = OFF",
        ]
        out.extend(self.index(new.key, i) for i in new.indexes)
        out.extend(
            r.definition for r in schema.routines if r.kind == "trigger" and r.table == new.name
        )
        if check_foreign_keys and set(new.foreign_keys) - set(old.foreign_keys):
            out.extend(self._check_foreign_keys(new.name))
        return out

    def _check_foreign_keys(self, table: str) -> list[str]:
        """Step 10 of the procedure: the rows copied must satisfy the keys the table now
        has. SQLite (foreign_keys off, as dbshift runs) never checks them itself, and
        pragma_foreign_key_check only lists violations: a temp table's CHECK fails the
        migration on any, naming the table."""
        check = self.q("_dbshift_foreign_key_check")
        name = self.q(f"{table}: rows whose foreign key finds no row")
        return [
            f"CREATE TEMP TABLE {check} (violations INTEGER CONSTRAINT {name} "
            "CHECK (violations = 0))",
            f"INSERT INTO temp.{check} SELECT count(*) FROM pragma_foreign_key_check"
            f"({self.literal(table)})",
            f"DROP TABLE temp.{check}",
        ]

    def _keep_sequence(self, new: Table, temp: str, old: str) -> list[str]:
        """AUTOINCREMENT's promise outlives a rebuild: the copy leaves the new table's
        ``sqlite_sequence`` row at the highest id copied, and DROP TABLE removes the old
        one's, so ids of rows deleted from the end would be handed out again. The old
        high-water mark goes to the new table when it is higher (the rename carries the
        row over, SQLite 3.x)."""
        if not any(c.identity is not None for c in new.columns):
            return []
        t, o = self.literal(temp), self.literal(old)
        mine = f"SELECT seq FROM sqlite_sequence WHERE name = {o}"
        return [
            f"DELETE FROM sqlite_sequence WHERE name = {t} AND seq < ({mine})",
            f"INSERT INTO sqlite_sequence (name, seq) SELECT {t}, seq FROM sqlite_sequence "
            f"WHERE name = {o} AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = {t})",
        ]

    @staticmethod
    def can_add_column(column: Column) -> bool:
        """Whether ALTER TABLE ADD COLUMN can add ``column`` (else the table is rebuilt)."""
        return _can_add(column)

    @staticmethod
    def drop_needs_rebuild(table: Table, column: str) -> bool:
        """Whether DROP COLUMN refuses ``column`` of ``table`` (else the table is rebuilt)."""
        return _is_referenced(table, column)

    # -- native operations -------------------------------------------------------------------

    def op_create_table(self, op: CreateTable, schema: Schema) -> list[str]:
        self.refuse_postgres_only(op.table)
        return [
            self.create_table(op.table),
            *(self.index(op.table.key, i) for i in op.table.indexes),
        ]

    def op_rename_table(self, op: RenameTable, schema: Schema) -> list[str]:
        return [f"ALTER TABLE {self.name((op.schema, op.old))} RENAME TO {self.q(op.new)}"]

    def op_set_table_comment(self, op: SetTableComment, schema: Schema) -> list[str]:
        return []  # SQLite has no comments; the model never carries one for it

    def op_create_index(self, op: CreateIndex, schema: Schema) -> list[str]:
        return [self.index(op.on, op.index)]

    def op_drop_index(self, op: DropIndex, schema: Schema) -> list[str]:
        return [f"DROP INDEX {self.name((op.on[0], op.index.name))}"]

    def op_create_routine(self, op: CreateRoutine, schema: Schema) -> list[str]:
        out = [op.routine.definition.strip().rstrip(";")]  # sqlite_schema.sql: runnable
        if op.routine.kind == "virtual table" and _EXTERNAL_CONTENT.search(out[0]):
            # FTS4/FTS5 over a table of its own (content=…) starts with an empty index:
            # 'rebuild' reads the table into it (fts5.html#the_rebuild_command).
            name = self.q(op.routine.name)
            out.append(f"INSERT INTO {name} ({name}) VALUES ('rebuild')")
        return out

    def op_drop_routine(self, op: DropRoutine, schema: Schema) -> list[str]:
        if op.routine.kind == "virtual table":  # its shadow tables go with it
            return [f"DROP TABLE {self.q(op.routine.name)}"]
        return [f"DROP TRIGGER {self.q(op.routine.name)}"]


#: What DEFAULT takes bare (lang_createtable.html, column-constraint): a signed number, a
#: string or blob literal, or a name (NULL, TRUE, CURRENT_TIMESTAMP, or a bare word SQLite
#: reads as a string). Anything else is an expression and needs its parentheses.
_BARE_DEFAULT = re.compile(
    r"""[+-]?\s*(?:\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|0[xX][0-9a-fA-F]+)
    | '(?:[^']|'')*' | [xX]'[0-9a-fA-F]*' | [A-Za-z_][A-Za-z0-9_$]* | "(?:[^"]|"")*"
    """,
    re.VERBOSE,
)


def default_clause(default: str) -> str:
    """``default`` as DEFAULT takes it. ``pragma_table_xinfo.dflt_value`` gives the
    expression of ``DEFAULT (datetime('now'))`` without its parentheses, which
    ``DEFAULT datetime('now')`` would be a syntax error without (SQLite 3.40)."""
    text = default.strip()
    return text if _BARE_DEFAULT.fullmatch(text) else f"({text})"


#: ``USING fts4(…, content="t")`` / ``fts5(…, content='t')``; not ``content=''``
#: (contentless: nothing to rebuild from).
_EXTERNAL_CONTENT = re.compile(
    r"USING\s+fts[45]\s*\(.*\bcontent\s*=\s*(?!''|\"\")['\"]?\w", re.IGNORECASE | re.DOTALL
)


def _has_rowid_alias(t: Table) -> bool:
    """Whether the table's rowid is one of its columns: a one-column primary key declared
    exactly INTEGER (lang_createtable.html#rowid; INTEGER PRIMARY KEY DESC, which is not
    one, is refused by the inspector)."""
    pk = t.primary_key
    if t.without_rowid or pk is None or len(pk.columns) != 1:
        return False
    column = t.column(pk.columns[0])
    return column is not None and column.type.strip().upper() == "INTEGER"


def _rowid_name(old: Table, new: Table) -> str | None:
    """The name the old table's rowid goes by in a rebuild's copy, where it is not a
    column already and the new table keeps rowids of its own: a rowid table without an
    INTEGER PRIMARY KEY renumbers its rows on a plain INSERT ... SELECT, and an external
    content FTS table (content_rowid) or an application holding rowids would then point
    at other rows. None where nothing needs it."""
    if old.without_rowid or new.without_rowid or _has_rowid_alias(old) or _has_rowid_alias(new):
        return None
    taken = {c.name.lower() for c in (*old.columns, *new.columns)}
    return next((n for n in ("rowid", "_rowid_", "oid") if n not in taken), None)


def _can_add(c: Column) -> bool:
    """What ALTER TABLE ADD COLUMN accepts (lang_altertable.html#altertabaddcol)."""
    if c.generated is not None and c.generated.stored:
        return False
    if c.identity is not None:
        return False
    default = (c.default or "").strip()
    if default and (
        default_clause(default).startswith("(")
        or default.upper() in ("CURRENT_TIME", "CURRENT_DATE", "CURRENT_TIMESTAMP")
    ):
        return False  # the default must be a constant
    return c.nullable or c.generated is not None or (bool(default) and default.upper() != "NULL")


def _is_referenced(table: Table, column: str) -> bool:
    """DROP COLUMN refuses a column used by a key, index, check, foreign key or generated
    column; the check is textual for expressions, erring towards a rebuild."""
    pk = table.primary_key
    if pk is not None and column in pk.columns:
        return True
    if any(column in u.columns for u in table.uniques) or any(
        column in f.columns for f in table.foreign_keys
    ):
        return True
    if any(
        column in i.column_names or any(e.is_expression for e in i.elements) or i.where
        for i in table.indexes
    ):
        return True
    return bool(table.checks or any(c.generated is not None for c in table.columns))
