"""MySQL/MariaDB DDL for each operation.

MySQL restates a whole column to change any part of it (``MODIFY COLUMN``), declares
unique keys as indexes, and has no enum types or (portable) sequences: those operations
are refused by name.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING, ClassVar

from dbshift.dialects.mysql.definer import Definer, parse_definer
from dbshift.dialects.mysql.online_ddl import (
    INPLACE,
    INSTANT,
    add_column_clause,
    create_index_clause,
)
from dbshift.dialects.mysql.type_change import mysql_change
from dbshift.dialects.render import Renderer, Unsupported
from dbshift.model import ReferentialAction
from dbshift.ops.reorganize_partition import changed_run

if TYPE_CHECKING:
    from collections.abc import Callable

    from dbshift.model import (
        CheckConstraint,
        ClientCharset,
        Column,
        ForeignKey,
        Index,
        Partition,
        Schema,
        Sequence,
        Table,
    )
    from dbshift.ops import (
        AddCheck,
        AddColumn,
        AddForeignKey,
        AddPartition,
        AddPrimaryKey,
        AlterColumn,
        AlterSequence,
        CreateIndex,
        CreateRoutine,
        CreateSchema,
        CreateSequence,
        CreateTable,
        CreateView,
        DropCheck,
        DropForeignKey,
        DropIndex,
        DropPartition,
        DropPrimaryKey,
        DropRoutine,
        DropSchema,
        DropSequence,
        PartitionTable,
        RemovePartitioning,
        RenameTable,
        ReorganizePartition,
        SetTableComment,
        SetTableOptions,
    )


#: SetTableOptions attribute → ALTER TABLE clause.
_TABLE_OPTION = {"engine": "ENGINE", "collation": "COLLATE"}

#: A trigger's FOLLOWS clause, at the start of its definition's body (the inspector's).
_FOLLOWS = re.compile(r"(FOLLOWS `(?:[^`]|``)+`) ")
#: The end of a trigger's head as written: FOR EACH ROW, and the space before the body.
_FOR_EACH_ROW = re.compile(r"(FOR\s+EACH\s+ROW)(\s+)$", re.I)

#: ROW_FORMAT's values (MySQL 8, MariaDB: PAGE is Aria's); DEFAULT declares none.
_ROW_FORMATS = ("DEFAULT", "DYNAMIC", "FIXED", "COMPRESSED", "REDUNDANT", "COMPACT", "PAGE")

#: Stands for the home database (the connection's own) in a statement that must name it.
_HOME = "\x00dbshift home\x00"


class MySQLRenderer(Renderer):
    dialect: ClassVar[str] = "mysql"
    backslash_escapes: ClassVar[bool] = True
    partition_lists: ClassVar[bool] = True

    def __init__(self, quote: Callable[[str], str], *, definer: str | None = None) -> None:
        """``definer``: the config's ``definer`` (see ``dbshift.dialects.mysql.definer``);
        None writes no DEFINER, and the server records the user who runs the SQL."""
        super().__init__(quote)
        self.definer = parse_definer(definer) if definer is not None else None

    def definer_clause(self) -> str:
        """`` DEFINER = …`` for a CREATE VIEW, FUNCTION, PROCEDURE or TRIGGER, or ``""``."""
        d: Definer | None = self.definer
        if d is None:
            return ""
        if d.user is None:
            return " DEFINER = CURRENT_USER"
        return f" DEFINER = {self.literal(d.user)}@{self.literal(d.host)}"

    def foreign_key(self, fk: ForeignKey) -> str:
        """As the base renderer's, with NO ACTION written out: MariaDB records an action
        left unsaid as RESTRICT, and only a written NO ACTION as NO ACTION (SHOW CREATE
        shows it, REFERENTIAL_CONSTRAINTS reports it); MySQL 8 records both as NO ACTION."""
        plain = dataclasses.replace(
            fk, on_delete=ReferentialAction.NO_ACTION, on_update=ReferentialAction.NO_ACTION
        )
        return (
            f"{super().foreign_key(plain)}"
            f" ON DELETE {fk.on_delete.value} ON UPDATE {fk.on_update.value}"
        )

    def op_create_schema(self, op: CreateSchema, schema: Schema) -> list[str]:
        """A MySQL schema is a database (CREATE SCHEMA is a synonym): one of the databases
        a realm compares beside the URL's own (``schemas`` in the config). Created with
        the server's default character set: a database's own default is not modelled."""
        return [f"CREATE DATABASE {self.q(op.name)}"]

    def op_drop_schema(self, op: DropSchema, schema: Schema) -> list[str]:
        """Last in a plan, after every object dbshift models in it was dropped. MySQL's
        DROP DATABASE has no RESTRICT: what was left out of the comparison goes with it,
        which is why the safety table calls it destructive."""
        return [f"DROP DATABASE {self.q(op.name)}"]

    def column(self, c: Column) -> str:
        parts = [self.q(c.name), c.type]
        if c.collation:
            parts.append(f"COLLATE {self.q(c.collation)}")
        if c.generated is not None:
            kind = "STORED" if c.generated.stored else "VIRTUAL"
            parts.append(f"GENERATED ALWAYS AS ({c.generated.expression}) {kind}")
        # MariaDB's grammar takes no NULL after a generated column (a syntax error; MySQL
        # takes it), and a generated column is nullable unless said NOT NULL on both.
        if c.generated is None or not c.nullable:
            parts.append("NULL" if c.nullable else "NOT NULL")
        if c.generated is None and c.default is not None:
            parts.append(f"DEFAULT {c.default}")
        if c.on_update is not None:
            parts.append(f"ON UPDATE {c.on_update}")
        if c.invisible:  # MariaDB 10.3.3+, MySQL 8.0.23+
            parts.append("INVISIBLE")
        if c.identity is not None:
            parts.append("AUTO_INCREMENT")
        if c.comment is not None:
            parts.append(f"COMMENT {self.literal(c.comment)}")
        if c.check is not None:  # MariaDB: the column's own CHECK
            parts.append(f"CHECK ({c.check})")
        return " ".join(parts)

    def key(self, i: Index) -> str:
        """The index as a table element: ``[UNIQUE|FULLTEXT|SPATIAL] KEY name (…)``."""
        if i.where or i.include or i.nulls_not_distinct:
            raise Unsupported(
                f"index {i.name}: MySQL has no partial, covering (INCLUDE) or NULLS NOT DISTINCT indexes"
            )
        prefix = "UNIQUE KEY" if i.unique else "KEY"
        if i.method in ("fulltext", "spatial"):
            prefix = f"{i.method.upper()} KEY"
        # BTREE is the default but on MEMORY tables, which make HASH keys unless told.
        using = f" USING {i.method.upper()}" if i.method in ("hash", "btree") else ""
        comment = f" COMMENT {self.literal(i.comment)}" if i.comment is not None else ""
        return f"{prefix} {self.q(i.name)} ({self._elements(i)}){using}{comment}"

    def _elements(self, i: Index) -> str:
        out = []
        for e in i.elements:
            sql = f"({e.expression})" if e.is_expression else self.q(e.expression)
            if e.length is not None:
                sql += f"({int(e.length)})"
            if e.descending:
                sql += " DESC"
            out.append(sql)
        return ", ".join(out)

    # -- tables ------------------------------------------------------------------------------

    def op_create_table(self, op: CreateTable, schema: Schema) -> list[str]:
        t = op.table
        self.refuse_postgres_only(t)
        self.refuse_sqlite_only(t)
        lines = [self.column(c) for c in t.columns]
        if t.primary_key is not None:
            lines.append(f"PRIMARY KEY ({self.names(t.primary_key.columns)})")
        lines.extend(
            f"{self.constraint_name(u.name)}UNIQUE ({self.names(u.columns)})" for u in t.uniques
        )
        lines.extend(self.key(i) for i in _in_key_order(t))
        lines.extend(self.check(c) for c in _in_check_order(t))
        lines.extend(self.foreign_key(self._from(t.schema, f)) for f in t.foreign_keys)
        sql = f"CREATE TABLE {self.name(t.key)} (\n    " + ",\n    ".join(lines) + "\n)"
        if t.options.engine is not None:
            sql += f" ENGINE={self.q(t.options.engine)}"
        if t.options.collation is not None:  # the character set is the collation's
            sql += f" COLLATE={self.q(t.options.collation)}"
        if t.options.row_format is not None:
            sql += f" ROW_FORMAT={_keyword(t.options.row_format, _ROW_FORMATS)}"
        if t.comment is not None:
            sql += f" COMMENT={self.literal(t.comment)}"
        if t.partitions:
            sql += "\n" + self.partitioning(t.partition_by, t.partitions)
        return self._at_home(sql)

    # -- partitions --------------------------------------------------------------------------

    def partitioning(self, by: str | None, partitions: tuple[Partition, ...]) -> str:
        """``PARTITION BY … (PARTITION …, …)``, or ``PARTITIONS n`` where the partitions
        are the ones the server names itself (HASH/KEY p0, p1, …), as SHOW CREATE shows."""
        if by is None:
            raise Unsupported("partitions without a PARTITION BY key")
        if _numbered(partitions, 0):
            return f"PARTITION BY {by} PARTITIONS {len(partitions)}"
        return f"PARTITION BY {by} ({self._partition_list(partitions)})"

    def _partition_list(self, partitions: tuple[Partition, ...]) -> str:
        return ", ".join(self.partition(p) for p in partitions)

    def partition(self, p: Partition) -> str:
        sql = f"PARTITION {self.q(p.name)}"
        if p.bound is not None:
            sql += f" {p.bound}"
        if p.comment is not None:
            sql += f" COMMENT = {self.literal(p.comment)}"
        return sql

    def op_add_partition(self, op: AddPartition, schema: Schema) -> list[str]:
        added = op.added
        if op.after[: len(op.before)] != op.before:
            raise Unsupported(
                f"{op.describe()}: ADD PARTITION adds after the last partition only "
                "(reorganize the partition that covers the new one's range instead)"
            )
        table = self.name(op.on)
        if _numbered(added, len(op.before)) and all(p.bound is None for p in op.before):
            return [f"ALTER TABLE {table} ADD PARTITION PARTITIONS {len(added)}"]
        return [f"ALTER TABLE {table} ADD PARTITION ({self._partition_list(added)})"]

    def op_drop_partition(self, op: DropPartition, schema: Schema) -> list[str]:
        dropped = op.dropped
        table = self.name(op.on)
        if all(p.bound is None for p in op.before):
            # HASH/KEY: only the last partitions go, their rows handed to the rest.
            if op.before[: len(op.after)] != op.after:
                raise Unsupported(
                    f"{op.describe()}: HASH and KEY tables lose their last partitions only "
                    "(COALESCE PARTITION)"
                )
            return [f"ALTER TABLE {table} COALESCE PARTITION {len(dropped)}"]
        return [f"ALTER TABLE {table} DROP PARTITION {self.names([p.name for p in dropped])}"]

    def op_reorganize_partition(self, op: ReorganizePartition, schema: Schema) -> list[str]:
        old, new = changed_run(op.before, op.after)
        if not old or not new:
            return []
        return [
            f"ALTER TABLE {self.name(op.on)} REORGANIZE PARTITION "
            f"{self.names([p.name for p in old])} INTO ({self._partition_list(new)})"
        ]

    def op_partition_table(self, op: PartitionTable, schema: Schema) -> list[str]:
        return [
            f"ALTER TABLE {self.name(op.on)} {self.partitioning(op.partition_by, op.partitions)}"
        ]

    def op_remove_partitioning(self, op: RemovePartitioning, schema: Schema) -> list[str]:
        return [f"ALTER TABLE {self.name(op.on)} REMOVE PARTITIONING"]

    def op_add_column(self, op: AddColumn, schema: Schema) -> list[str]:
        clause = add_column_clause(op.column, schema.table(op.on[1], op.on[0]))
        tail = f", {clause}" if clause else ""
        return [f"ALTER TABLE {self.name(op.on)} ADD COLUMN {self.column(op.column)}{tail}"]

    def op_rename_table(self, op: RenameTable, schema: Schema) -> list[str]:
        return [
            f"RENAME TABLE {self.name((op.schema, op.old))} TO {self.name((op.schema, op.new))}"
        ]

    def op_set_table_comment(self, op: SetTableComment, schema: Schema) -> list[str]:
        return [f"ALTER TABLE {self.name(op.on)} COMMENT={self.literal(op.after or '')}"]

    def op_set_table_options(self, op: SetTableOptions, schema: Schema) -> list[str]:
        """ENGINE= and the default COLLATE=; None means the database's default, which the
        schema the statements run against knows (``Schema.defaults``)."""
        clauses = []
        for option in op.changes:
            if option == "row_format":  # None: none declared, the engine's default
                row_format = op.after.row_format or "DEFAULT"
                clauses.append(f"ROW_FORMAT={_keyword(row_format, _ROW_FORMATS)}")
                continue
            value = getattr(op.after, option) or getattr(schema.defaults, option)
            if value is None:
                raise Unsupported(
                    f"{op.describe()}: the database's default {option} is not known "
                    "(the current schema was not inspected from a server)"
                )
            clauses.append(f"{_TABLE_OPTION[option]}={self.q(value)}")
        return [f"ALTER TABLE {self.name(op.on)} {', '.join(clauses)}"]

    # -- columns -----------------------------------------------------------------------------

    def op_alter_column(self, op: AlterColumn, schema: Schema) -> list[str]:
        if set(op.changes) == {"default"}:  # metadata-only, no table copy
            col = self.q(op.after.name)
            action = (
                f"SET DEFAULT {op.after.default}"
                if op.after.default is not None
                else "DROP DEFAULT"
            )
            return [f"ALTER TABLE {self.name(op.on)} ALTER COLUMN {col} {action}, {INSTANT}"]
        modify = f"ALTER TABLE {self.name(op.on)} MODIFY COLUMN {self.column(op.after)}"
        if set(op.changes) == {"type"}:
            how = mysql_change(op.before.type, op.after.type, collation=op.after.collation)
            if not how.rebuild:
                # Said out loud: should the server disagree, it refuses the statement
                # instead of copying the table. LOCK=NONE is not accepted with INSTANT
                # (MySQL 8.0), which takes no lock worth naming anyway.
                lock = "" if how.algorithm == "INSTANT" else ", LOCK=NONE"
                return [f"{modify}, ALGORITHM={how.algorithm}{lock}"]
        return [modify]

    # -- constraints and indexes ---------------------------------------------------------------

    def op_add_primary_key(self, op: AddPrimaryKey, schema: Schema) -> list[str]:
        return [f"ALTER TABLE {self.name(op.on)} ADD PRIMARY KEY ({self.names(op.key.columns)})"]

    def op_drop_primary_key(self, op: DropPrimaryKey, schema: Schema) -> list[str]:
        return [f"ALTER TABLE {self.name(op.on)} DROP PRIMARY KEY"]

    def op_add_check(self, op: AddCheck, schema: Schema) -> list[str]:
        return [f"ALTER TABLE {self.name(op.on)} ADD {self.check(op.constraint)}"]

    def op_drop_check(self, op: DropCheck, schema: Schema) -> list[str]:
        # DROP CONSTRAINT: MariaDB 10.2+, MySQL 8.0.19+.
        return [f"ALTER TABLE {self.name(op.on)} DROP CONSTRAINT {self.q(op.constraint.name)}"]

    def op_add_foreign_key(self, op: AddForeignKey, schema: Schema) -> list[str]:
        fk = self._from(op.on[0], op.constraint)
        return self._at_home(f"ALTER TABLE {self.name(op.on)} ADD {self.foreign_key(fk)}")

    def _from(self, database: str | None, fk: ForeignKey) -> ForeignKey:
        """``fk`` of a table in ``database``, as its REFERENCES must name the parent.

        MySQL resolves an unqualified REFERENCES in the child table's database, not the
        connection's: a table of another database of a realm that references the home
        database (``ref_schema`` None) must name it, and its name is the connection's,
        known only where the statement runs (see ``_at_home``)."""
        if database is None or fk.ref_schema is not None:
            return fk
        return dataclasses.replace(fk, ref_schema=_HOME)

    def _at_home(self, sql: str) -> list[str]:
        """``sql``, or where it names the home database (``_HOME``), the statement built on
        the server with ``DATABASE()`` in its place and run as a prepared statement: the
        plan stays valid whatever the home database is called (``shop``, ``shop_dev``)."""
        home = self.q(_HOME)
        if home not in sql:
            return [sql]
        database = "CONCAT('`', REPLACE(DATABASE(), '`', '``'), '`')"
        parts = ", ".join(
            database if n % 2 else self.literal(piece)
            for n, piece in enumerate(_interleave(sql.split(home)))
        )
        return [
            f"SET @dbshift_ddl = CONCAT({parts})",
            "PREPARE dbshift_ddl FROM @dbshift_ddl",
            "EXECUTE dbshift_ddl",
            "DEALLOCATE PREPARE dbshift_ddl",
        ]

    def op_drop_foreign_key(self, op: DropForeignKey, schema: Schema) -> list[str]:
        name = self.q(op.constraint.name)
        return [f"ALTER TABLE {self.name(op.on)} DROP FOREIGN KEY {name}, {INPLACE}"]

    def op_create_index(self, op: CreateIndex, schema: Schema) -> list[str]:
        clause = create_index_clause(op.index)
        tail = f", {clause}" if clause else ""
        return [f"ALTER TABLE {self.name(op.on)} ADD {self.key(op.index)}{tail}"]

    def op_drop_index(self, op: DropIndex, schema: Schema) -> list[str]:
        return [f"ALTER TABLE {self.name(op.on)} DROP INDEX {self.q(op.index.name)}, {INPLACE}"]

    # -- sequences (MariaDB 10.3+; MySQL has none and the server says so) -----------------------

    def op_create_sequence(self, op: CreateSequence, schema: Schema) -> list[str]:
        s = self._mariadb_sequence(op, op.sequence)
        return [
            f"CREATE SEQUENCE {self.name((s.schema, s.name))} START WITH {int(s.start)} "
            f"INCREMENT BY {int(s.increment)} {self._bounds(s)} CACHE {int(s.cache)} "
            + ("CYCLE" if s.cycle else "NOCYCLE")
        ]

    def op_drop_sequence(self, op: DropSequence, schema: Schema) -> list[str]:
        return [f"DROP SEQUENCE {self.name((op.sequence.schema, op.sequence.name))}"]

    def op_alter_sequence(self, op: AlterSequence, schema: Schema) -> list[str]:
        """Only what changed; MariaDB keeps the position (START WITH sets the value a
        RESTART goes back to)."""
        s, changes = self._mariadb_sequence(op, op.after), set(op.changes)
        clauses = []
        if "increment" in changes:
            clauses.append(f"INCREMENT BY {int(s.increment)}")
        if changes & {"increment", "min_value", "max_value"}:
            clauses.append(self._bounds(s))
        if "start" in changes:
            clauses.append(f"START WITH {int(s.start)}")
        if op.restarts:  # counting the other way: the position is out of the new range
            clauses.append("RESTART")
        if "cache" in changes:
            clauses.append(f"CACHE {int(s.cache)}")
        if "cycle" in changes:
            clauses.append("CYCLE" if s.cycle else "NOCYCLE")
        return [f"ALTER SEQUENCE {self.name(op.key)} {' '.join(clauses)}"] if clauses else []

    def _bounds(self, s: Sequence) -> str:
        """Both bounds as numbers, a default (None) as MariaDB (10.3 - 10.11) picks it for
        the direction: ascending 1 … 2^63 - 2, descending -(2^63 - 1) … -1. Its own NO
        MINVALUE/NO MAXVALUE do not follow a new direction (seen on 10.11: ALTER SEQUENCE
        s INCREMENT BY -1 NO MINVALUE NO MAXVALUE START WITH -1 RESTART on an ascending
        sequence fails with "out of range value for options")."""
        up = s.increment > 0
        low = s.min_value if s.min_value is not None else (1 if up else -(2**63) + 1)
        high = s.max_value if s.max_value is not None else (2**63 - 2 if up else -1)
        return f"MINVALUE {int(low)} MAXVALUE {int(high)}"

    def _mariadb_sequence(self, op: object, s: Sequence) -> Sequence:
        # MariaDB before 11.5 has no AS <type>: every sequence is bigint. No OWNED BY.
        if s.type != "bigint" or s.owned_by is not None:
            raise Unsupported(
                f"{getattr(op, 'describe', lambda: op)()}: MariaDB sequences are bigint "
                "and owned by no column"
            )
        return s

    # -- views -------------------------------------------------------------------------------

    def op_create_view(self, op: CreateView, schema: Schema) -> list[str]:
        """``CREATE [ALGORITHM = …] [DEFINER = …] [SQL SECURITY INVOKER] VIEW … [WITH …
        CHECK OPTION]``. DEFINER only as the config says (see ``definer_clause``)."""
        v = op.view
        if v.column_names:
            raise Unsupported(f"{op.describe()}: a column name list (as SQLite keeps it)")
        if v.materialized or v.indexes or v.security_barrier:
            raise Unsupported(
                f"{op.describe()}: materialized views and security barriers are PostgreSQL only"
            )
        head = "CREATE"
        if v.algorithm is not None:
            head += f" ALGORITHM = {_keyword(v.algorithm, ('MERGE', 'TEMPTABLE'))}"
        head += self.definer_clause()
        if v.security_invoker:
            head += " SQL SECURITY INVOKER"
        check = ""
        if v.check_option is not None:
            check = f" WITH {_keyword(v.check_option, ('CASCADED', 'LOCAL'))} CHECK OPTION"
        return self._under_client(
            op, v.client, [f"{head} VIEW {self.name((v.schema, v.name))} AS {v.definition}{check}"]
        )

    def op_create_routine(self, op: CreateRoutine, schema: Schema) -> list[str]:
        r = op.routine
        if r.kind != "trigger":
            # The inspector builds a runnable CREATE (without DEFINER: it names a login),
            # and keeps one with the parameter list as written where the server showed it.
            sql = (r.as_written or r.definition).strip()
            verb = re.match(r"CREATE\s+(?=FUNCTION\b|PROCEDURE\b)", sql, re.I)
            if verb is not None and self.definer is not None:
                sql = f"CREATE{self.definer_clause()} {sql[verb.end() :]}"
            if r.schema is not None:
                # The definition names the routine bare (as SHOW CREATE prints it): one of
                # another database is created there, where its body's names resolve.
                sql = self._qualify_routine(op, sql)
            return self._under_client(op, r.client, self._under_sql_mode(r.sql_mode, sql))
        # The inspector keeps "<timing> <event> FOR EACH ROW <body>"; ON <table> goes between.
        head, sep, body = r.definition.partition(" FOR EACH ROW ")
        if not sep:
            raise Unsupported(f"{op.describe()}: unrecognised trigger definition")
        written = self._trigger_as_written(r.as_written, r.schema, body)
        if written is not None:
            return self._under_client(
                op,
                r.client,
                self._under_sql_mode(r.sql_mode, f"CREATE{self.definer_clause()} {written}"),
            )
        return self._under_client(
            op,
            r.client,
            self._under_sql_mode(
                r.sql_mode,
                f"CREATE{self.definer_clause()} TRIGGER {self.name((r.schema, r.name))} {head} "
                f"ON {self.name((r.schema, r.table or ''))} "
                f"FOR EACH ROW {body}",
            ),
        )

    @staticmethod
    def _trigger_as_written(as_written: str | None, schema: str | None, body: str) -> str | None:
        """The trigger's statement as its author wrote it (``Routine.as_written``: from
        ``TRIGGER name`` on, which the server keeps and SHOW CREATE TRIGGER shows), with
        the FOLLOWS clause of ``body`` put back after FOR EACH ROW, where the server takes
        it out again; None where there is none, or it does not end with the body."""
        if as_written is None or schema is not None:
            return None
        follows = _FOLLOWS.match(body)
        statement = body[follows.end() :] if follows else body
        if not as_written.endswith(statement):
            return None
        written_head = as_written[: len(as_written) - len(statement)]
        row = _FOR_EACH_ROW.search(written_head)
        if row is None:
            return None
        clause = f" {follows.group(1)}" if follows else ""
        return f"{written_head[: row.end(1)]}{clause}{row.group(2)}{statement}"

    def _under_client(
        self, op: CreateView | CreateRoutine, client: ClientCharset | None, create: list[str]
    ) -> list[str]:
        """A view, routine or trigger keeps the character_set_client and
        collation_connection it is created under (``ClientCharset``): one made under
        others than the session's is created under those, and the session's put back.

        The statement still travels in the connection's encoding, which the server then
        reads as ``charset``: the same bytes only for ASCII text, or for a UTF-8 one. Other
        text under another character set is refused rather than garbled."""
        if client is None:
            return create
        text = " ".join(create)
        if not client.charset.lower().startswith("utf8") and not text.isascii():
            raise Unsupported(
                f"{op.describe()}: created under character_set_client {client.charset} "
                "with non-ASCII text, which the connection's encoding cannot carry"
            )
        return [
            "SET @dbshift_client = @@SESSION.character_set_client,"
            " @dbshift_connection = @@SESSION.collation_connection",
            f"SET SESSION character_set_client = {self.literal(client.charset)},"
            f" collation_connection = {self.literal(client.collation)}",
            *create,
            "SET SESSION character_set_client = @dbshift_client,"
            " collation_connection = @dbshift_connection",
        ]

    def _qualify_routine(self, op: CreateRoutine, sql: str) -> str:
        r = op.routine
        kind = "PROCEDURE" if r.kind == "procedure" else "FUNCTION"
        bare = f"{kind} {self.q(r.name)}("
        at = sql.find(bare)
        if at < 0:
            raise Unsupported(f"{op.describe()}: its definition does not name it ({bare!r})")
        qualified = f"{kind} {self.name((r.schema, r.name))}("
        return sql[:at] + qualified + sql[at + len(bare) :]

    def _under_sql_mode(self, mode: str | None, create: str) -> list[str]:
        """A routine or trigger keeps the sql_mode it is created under (it runs under it,
        and its body is parsed by it): one made under another mode than the server's
        default is created under that mode, and the session's is put back after."""
        if mode is None:
            return [create]
        return [
            "SET @dbshift_sql_mode = @@SESSION.sql_mode",
            f"SET SESSION sql_mode = {self.literal(mode)}",
            create,
            "SET SESSION sql_mode = @dbshift_sql_mode",
        ]

    def op_drop_routine(self, op: DropRoutine, schema: Schema) -> list[str]:
        kind = {"trigger": "TRIGGER", "procedure": "PROCEDURE"}.get(op.routine.kind, "FUNCTION")
        return [f"DROP {kind} {self.name((op.routine.schema, op.routine.name))}"]


def _interleave(pieces: list[str]) -> list[str]:
    """``[a, b, c]`` → ``[a, _, b, _, c]``: the text around each place the home database goes."""
    out: list[str] = []
    for n, piece in enumerate(pieces):
        if n:
            out.append("")
        out.append(piece)
    return out


def _in_key_order(t: Table) -> list[Index]:
    """A table's indexes in the order the server listed its keys (``Table.index_order``),
    any it did not list after them by name: CREATE TABLE keeps the order it is given,
    so the new table shows (SHOW CREATE TABLE) as the one it was read from."""
    if not t.index_order:
        return list(t.indexes)
    place = {name: n for n, name in enumerate(t.index_order)}
    return sorted(t.indexes, key=lambda i: (place.get(i.name, len(place)), i.name))


def _in_check_order(t: Table) -> list[CheckConstraint]:
    """A table's checks in the order the server listed them (``Table.check_order``), any
    it did not list after them by name, as ``_in_key_order`` does for indexes."""
    if not t.check_order:
        return list(t.checks)
    place = {name: n for n, name in enumerate(t.check_order)}
    return sorted(t.checks, key=lambda c: (place.get(c.name, len(place)), c.name))


def _keyword(value: str, allowed: tuple[str, ...]) -> str:
    """One of a closed set of keywords: anything else is refused, never spliced in."""
    if value.upper() not in allowed:
        raise Unsupported(f"{value!r}: expected one of {', '.join(allowed)}")
    return value.upper()


def _numbered(partitions: tuple[Partition, ...], start: int) -> bool:
    """The partitions are HASH/KEY ones named as the server names them: p<start>, …"""
    return bool(partitions) and all(
        p.bound is None and p.comment is None and p.name == f"p{start + i}"
        for i, p in enumerate(partitions)
    )
