"""PostgreSQL DDL for each operation.

Types, defaults and expressions are emitted as the catalog printed them (see
``dbshift.inspect``), so what is rendered inspects back to the same model.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.dialects.postgres.expressions import as_stored
from dbshift.dialects.postgres.render_extras import PostgresExtras
from dbshift.dialects.postgres.type_change import pg_rewrites
from dbshift.dialects.render import Renderer, Unsupported

if TYPE_CHECKING:
    from dbshift.model import (
        CheckConstraint,
        Column,
        Index,
        PrimaryKey,
        Routine,
        Schema,
        Sequence,
        Table,
        UniqueConstraint,
    )
    from dbshift.ops import (
        AddCheck,
        AddColumn,
        AddEnumValue,
        AddExclusion,
        AddForeignKey,
        AddPrimaryKey,
        AddUnique,
        AlterColumn,
        AlterSequence,
        CreateDomain,
        CreateEnum,
        CreateIndex,
        CreateRoutine,
        CreateSchema,
        CreateSequence,
        CreateTable,
        CreateView,
        DropCheck,
        DropDomain,
        DropEnum,
        DropExclusion,
        DropForeignKey,
        DropIndex,
        DropPrimaryKey,
        DropRoutine,
        DropSchema,
        DropSequence,
        DropUnique,
        DropView,
        RecreateDomain,
        RecreateEnum,
        RenameTable,
        ReplaceRoutine,
        SetTableComment,
        SetTableStorage,
        SetTableUnlogged,
    )
    from dbshift.ops.backfill import Backfill
    from dbshift.ops.validate_constraint import ValidateConstraint


#: ``"schema"."name"``, each part double-quoted: a collation of another schema.
_QUALIFIED = re.compile(r'"(?:[^"]|"")+"\."(?:[^"]|"")+"')


class PostgresRenderer(PostgresExtras, Renderer):
    dialect: ClassVar[str] = "postgresql"

    # -- pieces ----------------------------------------------------------------------------

    def collate(self, collation: str) -> str:
        """A collation as the inspector keeps it: a bare name (in pg_catalog or the schema
        itself) is quoted; one of another schema comes qualified and quoted already
        (``"ext"."ci"``), and is written as it is."""
        if _QUALIFIED.fullmatch(collation):
            return collation
        return self.q(collation)

    def check(self, check: CheckConstraint) -> str:
        # An IN list on a varchar, as the catalog prints it, would be stored otherwise.
        return super().check(replace(check, expression=as_stored(check.expression)))

    def column(self, c: Column) -> str:
        if c.invisible:
            raise Unsupported(f"column {c.name}: INVISIBLE columns are MySQL/MariaDB only")
        parts = [self.q(c.name), c.type]
        if c.collation:
            parts.append(f"COLLATE {self.collate(c.collation)}")
        if c.identity is not None:
            kind = "ALWAYS" if c.identity.always else "BY DEFAULT"
            options = []
            if c.identity.sequence is not None:
                options.append(f"SEQUENCE NAME {self.q(c.identity.sequence)}")
            if c.identity.start is not None:
                options.append(f"START WITH {int(c.identity.start)}")
            if c.identity.increment is not None:
                options.append(f"INCREMENT BY {int(c.identity.increment)}")
            if c.identity.min_value is not None:
                options.append(f"MINVALUE {int(c.identity.min_value)}")
            if c.identity.max_value is not None:
                options.append(f"MAXVALUE {int(c.identity.max_value)}")
            if c.identity.cache is not None:
                options.append(f"CACHE {int(c.identity.cache)}")
            if c.identity.cycle:
                options.append("CYCLE")
            parts.append(
                f"GENERATED {kind} AS IDENTITY" + (f" ({' '.join(options)})" if options else "")
            )
        if c.generated is not None:
            parts.append(f"GENERATED ALWAYS AS ({c.generated.expression}) STORED")
        elif c.default is not None:
            parts.append(f"DEFAULT {c.default}")
        if not c.nullable:
            parts.append("NOT NULL")
        return " ".join(parts)

    def index(self, on: tuple[str | None, str], i: Index, *, concurrently: bool = False) -> str:
        elements = []
        for e in i.elements:
            sql = f"({e.expression})" if e.is_expression else self.q(e.expression)
            if e.collation:
                sql += f" COLLATE {self.collate(e.collation)}"
            if e.opclass:
                sql += f" {e.opclass}"
            if e.descending:
                sql += " DESC"
            if e.nulls_first is not None:
                sql += " NULLS FIRST" if e.nulls_first else " NULLS LAST"
            elements.append(sql)
        sql = "CREATE UNIQUE INDEX" if i.unique else "CREATE INDEX"
        if concurrently:
            sql += " CONCURRENTLY"
        sql += f" {self.q(i.name)} ON {self.name(on)}"
        if i.method:
            sql += f" USING {i.method}"
        sql += f" ({', '.join(elements)})"
        if i.include:
            sql += f" INCLUDE ({self.names(i.include)})"
        if i.nulls_not_distinct:
            sql += " NULLS NOT DISTINCT"
        if i.storage:
            sql += f" WITH ({self.storage(i.storage)})"
        if i.where:
            sql += f" WHERE {as_stored(i.where)}"
        return sql

    def op_set_table_storage(self, op: SetTableStorage, schema: Schema) -> list[str]:
        """``ALTER TABLE … SET (…)`` for what is new or changed, ``RESET (…)`` for what goes."""
        kept = {option.partition("=")[0] for option in op.after}
        gone = [n for n in (o.partition("=")[0] for o in op.before) if n not in kept]
        changed = tuple(o for o in op.after if o not in op.before)
        out = []
        if gone:
            out.append(f"ALTER TABLE {self.name(op.on)} RESET ({self.names(tuple(gone))})")
        if changed:
            out.append(f"ALTER TABLE {self.name(op.on)} SET ({self.storage(changed)})")
        return out

    def op_set_table_unlogged(self, op: SetTableUnlogged, schema: Schema) -> list[str]:
        return [f"ALTER TABLE {self.name(op.on)} SET {'UNLOGGED' if op.unlogged else 'LOGGED'}"]

    def storage(self, options: tuple[str, ...]) -> str:
        """``name='value', …`` from reloptions' ``name=value`` entries (a value quoted: the
        server takes every option's value as a string; a name is quoted as one)."""
        pairs = (option.partition("=") for option in options)
        return ", ".join(f"{self.q(name)}={self.literal(value)}" for name, _, value in pairs)

    def comment(self, what: str, target: str, text: str | None) -> str:
        return f"COMMENT ON {what} {target} IS {self.literal(text) if text is not None else 'NULL'}"

    def _owned_sequences(self, schema: Schema, table: Table, columns: list[Column]) -> list[str]:
        """Serial-style sequences are created first and handed to their column here."""
        out = []
        for c in columns:
            owner = f"{table.name}.{c.name}"
            for s in schema.sequences:
                if s.owned_by == owner and s.schema == table.schema:
                    out.append(
                        f"ALTER SEQUENCE {self.name((s.schema, s.name))} OWNED BY "
                        f"{self.name(table.key)}.{self.q(c.name)}"
                    )
        return out

    # -- tables ----------------------------------------------------------------------------

    def op_create_table(self, op: CreateTable, schema: Schema) -> list[str]:
        from dbshift.ops import CreatePolicy

        t = op.table
        self.refuse_sqlite_only(t)
        if t.partitions:
            raise Unsupported(f"table {t.name}: partitions listed in the table: MySQL/MariaDB only")
        if t.partition_of is not None:
            return self._create_partition(t)
        lines = [self.column(c) for c in t.columns]
        if t.primary_key is not None:
            lines.append(self.primary_key(t.primary_key))
        lines.extend(self.unique(u) for u in t.uniques)
        lines.extend(self.check(c) for c in t.checks if c.validated)
        lines.extend(f"{self.constraint_name(x.name)}{x.definition}" for x in t.exclusions)
        lines.extend(self.foreign_key(f) for f in t.foreign_keys)
        partitioned = f" PARTITION BY {t.partition_by}" if t.partition_by else ""
        if t.inherits:
            parents = ", ".join(self.name((t.schema, p)) for p in t.inherits)
            partitioned = f" INHERITS ({parents}){partitioned}"
        if t.storage:
            partitioned += f" WITH ({self.storage(t.storage)})"
        out = [
            f"CREATE {'UNLOGGED ' if t.unlogged else ''}TABLE {self.name(t.key)} (\n    "
            + ",\n    ".join(lines)
            + f"\n){partitioned}"
        ]
        out.extend(
            f"ALTER TABLE {self.name(t.key)} ADD {self.check(c)} NOT VALID"
            for c in t.checks
            if not c.validated
        )
        out.extend(self.index(t.key, i) for i in t.indexes)
        out.extend(self.row_security(t))
        out.extend(self.op_create_policy(CreatePolicy(t.key, p), schema)[0] for p in t.policies)
        for s in t.statistics:
            out.extend(self.statistics(t.key, s))
        if t.comment is not None:
            out.append(self.comment("TABLE", self.name(t.key), t.comment))
        for c in t.columns:
            if c.comment is not None:
                out.append(
                    self.comment("COLUMN", f"{self.name(t.key)}.{self.q(c.name)}", c.comment)
                )
        out.extend(self._owned_sequences(schema, t, list(t.columns)))
        return out

    def _create_partition(self, t: Table) -> list[str]:
        """``CREATE TABLE p PARTITION OF parent FOR VALUES …``: columns, and the keys and
        indexes the server clones, come from the parent. Keys, checks and indexes of the
        partition's own (pagila's per-month indexes) are added after it; columns of its
        own are not modelled: refused, not lost. Foreign keys come as AddForeignKey."""
        if t.columns:
            raise Unsupported(f"partition {t.name}: columns of its own are not supported")
        partitioned = f" PARTITION BY {t.partition_by}" if t.partition_by else ""
        out = [
            f"CREATE {'UNLOGGED ' if t.unlogged else ''}TABLE {self.name(t.key)} PARTITION OF "
            f"{self.name((t.schema, t.partition_of or ''))} {t.partition_bound}{partitioned}"
            + (f" WITH ({self.storage(t.storage)})" if t.storage else "")
        ]
        table = self.name(t.key)
        if t.primary_key is not None:
            out.append(f"ALTER TABLE {table} ADD {self.primary_key(t.primary_key)}")
        out.extend(f"ALTER TABLE {table} ADD {self.unique(u)}" for u in t.uniques)
        out.extend(
            f"ALTER TABLE {table} ADD {self.check(c)}{'' if c.validated else ' NOT VALID'}"
            for c in t.checks
        )
        out.extend(
            f"ALTER TABLE {table} ADD {self.constraint_name(x.name)}{x.definition}"
            for x in t.exclusions
        )
        out.extend(f"ALTER TABLE {table} ADD {self.foreign_key(f)}" for f in t.foreign_keys)
        out.extend(self.index(t.key, i) for i in t.indexes)
        out.extend(self.row_security(t))  # a partition's own: not the parent's
        for s in t.statistics:
            out.extend(self.statistics(t.key, s))
        if t.comment is not None:
            out.append(self.comment("TABLE", self.name(t.key), t.comment))
        return out

    def op_rename_table(self, op: RenameTable, schema: Schema) -> list[str]:
        return [f"ALTER TABLE {self.name((op.schema, op.old))} RENAME TO {self.q(op.new)}"]

    def op_set_table_comment(self, op: SetTableComment, schema: Schema) -> list[str]:
        return [self.comment("TABLE", self.name(op.on), op.after)]

    # -- columns ---------------------------------------------------------------------------

    def op_add_column(self, op: AddColumn, schema: Schema) -> list[str]:
        out = [f"ALTER TABLE {self.name(op.on)} ADD COLUMN {self.column(op.column)}"]
        if op.column.comment is not None:
            out.append(
                self.comment(
                    "COLUMN", f"{self.name(op.on)}.{self.q(op.column.name)}", op.column.comment
                )
            )
        table = schema.table(op.on[1], op.on[0])
        if table is not None:
            out.extend(self._owned_sequences(schema, table, [op.column]))
        return out

    def op_alter_column(self, op: AlterColumn, schema: Schema) -> list[str]:
        col, after, changes = self.q(after_name := op.after.name), op.after, op.changes
        actions = []
        retyped = "type" in changes or "collation" in changes
        from_enum = retyped and _enum_type(op.before.type, op.on[0], schema) is not None
        if from_enum and op.before.default is not None:
            # "default for column cannot be cast automatically": dropped first, set after.
            actions.append(f"ALTER COLUMN {col} DROP DEFAULT")
        if retyped:
            collate = f" COLLATE {self.collate(after.collation)}" if after.collation else ""
            # An enum casts to another type (another enum too) only through text. A change
            # the server makes in the catalog has an assignment cast: no USING, which lint
            # (seeing only the new type) would read as a rewrite.
            via = ("::text[]" if op.before.type.endswith("[]") else "::text") if from_enum else ""
            rewrites = from_enum or pg_rewrites(op.before.type, after.type)
            using = f" USING {col}{via}::{after.type}" if rewrites else ""
            actions.append(f"ALTER COLUMN {col} TYPE {after.type}{collate}{using}")
        default_dropped = from_enum and op.before.default is not None
        if default_dropped and after.default is not None:
            actions.append(f"ALTER COLUMN {col} SET DEFAULT {after.default}")
        elif "default" in changes and not default_dropped:
            actions.append(
                f"ALTER COLUMN {col} SET DEFAULT {after.default}"
                if after.default is not None
                else f"ALTER COLUMN {col} DROP DEFAULT"
            )
        if "nullable" in changes:
            actions.append(f"ALTER COLUMN {col} {'DROP' if after.nullable else 'SET'} NOT NULL")
        if "identity" in changes:
            # An identity column refuses SET DEFAULT: dropping one goes first. Adding one
            # needs NOT NULL and no default: it goes last.
            identity = f"ALTER COLUMN {col} {self._identity_changes(op)}"
            if after.identity is None:
                actions.insert(0, identity)
            else:
                actions.append(identity)
        out = [f"ALTER TABLE {self.name(op.on)} " + ", ".join(actions)] if actions else []
        if "identity" in changes and op.before.identity is None and after.identity is not None:
            out.append(self._identity_past_rows(op))
        if "comment" in changes:
            out.append(
                self.comment("COLUMN", f"{self.name(op.on)}.{self.q(after_name)}", after.comment)
            )
        if "on_update" in changes:
            raise self._unsupported(op, "ON UPDATE is MySQL-only")
        if "invisible" in changes:
            raise self._unsupported(op, "INVISIBLE columns are MySQL/MariaDB only")
        return out

    def _identity_changes(self, op: AlterColumn) -> str:
        """``SET GENERATED …`` and ``SET`` one sequence option each (PostgreSQL 10+); the
        identity's sequence keeps its position, as ALTER SEQUENCE does."""
        before, after = op.before.identity, op.after.identity
        if after is None:
            return "DROP IDENTITY"
        if before is None:
            column = self.column(replace(op.after, default=None, nullable=True))
            return "ADD GENERATED " + column.split(" GENERATED ", 1)[1]
        parts = []
        if before.always != after.always:
            parts.append(f"SET GENERATED {'ALWAYS' if after.always else 'BY DEFAULT'}")
        if before.increment != after.increment and after.increment is not None:
            parts.append(f"SET INCREMENT BY {int(after.increment)}")
        if before.start != after.start and after.start is not None:
            parts.append(f"SET START WITH {int(after.start)}")
        bounds_move = (before.min_value, before.max_value, before.increment) != (
            after.min_value,
            after.max_value,
            after.increment,
        )
        if bounds_move:  # defaults as the numbers for the new direction (op_alter_sequence)
            increment = after.increment or 1
            low, high = _bound_clauses(op.after.type, increment, after.min_value, after.max_value)
            parts += [f"SET {low}", f"SET {high}"]
            if ((before.increment or 1) > 0) != (increment > 0):
                parts.append("RESTART")  # the position is out of the new direction's range
        if before.cache != after.cache:
            parts.append(f"SET CACHE {int(after.cache or 1)}")
        if before.cycle != after.cycle:
            parts.append("SET CYCLE" if after.cycle else "SET NO CYCLE")
        return " ".join(parts)

    def _identity_past_rows(self, op: AlterColumn) -> str:
        """An identity added to a column with rows starts at its START: moved past the
        highest existing value (the lowest, counting down) so the next row does not
        collide; left alone while no row has reached the start yet."""
        identity = op.after.identity
        assert identity is not None
        col, start = self.q(op.after.name), identity.start or 1
        up = (identity.increment or 1) > 0
        edge, reached = ("max", ">=") if up else ("min", "<=")
        sequence = (
            f"pg_get_serial_sequence({self.literal(self.name(op.on))}, "
            f"{self.literal(op.after.name)})"
        )
        return (
            f"SELECT setval({sequence}, {edge}({col})) FROM {self.name(op.on)} "
            f"HAVING {edge}({col}) {reached} {int(start)}"
        )

    # -- constraints and indexes -------------------------------------------------------------

    def op_add_primary_key(self, op: AddPrimaryKey, schema: Schema) -> list[str]:
        return [f"ALTER TABLE {self.name(op.on)} ADD {self.primary_key(op.key)}"]

    def primary_key(self, k: PrimaryKey) -> str:
        """``[CONSTRAINT n] PRIMARY KEY (…) [INCLUDE (…)] [DEFERRABLE …]``"""
        include = f" INCLUDE ({self.names(k.include)})" if k.include else ""
        return (
            f"{self.constraint_name(k.name)}PRIMARY KEY ({self.names(k.columns)})"
            f"{include}{_deferrable(k)}"
        )

    def op_drop_primary_key(self, op: DropPrimaryKey, schema: Schema) -> list[str]:
        name = op.key.name or f"{op.on[1]}_pkey"  # PostgreSQL's own default name
        return [f"ALTER TABLE {self.name(op.on)} DROP CONSTRAINT {self.q(name)}"]

    def unique(self, u: UniqueConstraint) -> str:
        """``[CONSTRAINT n] UNIQUE [NULLS NOT DISTINCT] (…) [INCLUDE (…)] [DEFERRABLE …]``
        (NULLS NOT DISTINCT: PostgreSQL 15+; INCLUDE: 11+)."""
        nulls = " NULLS NOT DISTINCT" if u.nulls_not_distinct else ""
        include = f" INCLUDE ({self.names(u.include)})" if u.include else ""
        return (
            f"{self.constraint_name(u.name)}UNIQUE{nulls} ({self.names(u.columns)})"
            f"{include}{_deferrable(u)}"
        )

    def op_add_unique(self, op: AddUnique, schema: Schema) -> list[str]:
        if not op.concurrently:
            return [f"ALTER TABLE {self.name(op.on)} ADD {self.unique(op.constraint)}"]
        u, name = op.constraint, self.q(op.constraint.name)
        include = f" INCLUDE ({self.names(u.include)})" if u.include else ""
        nulls = " NULLS NOT DISTINCT" if u.nulls_not_distinct else ""
        return [
            f"CREATE UNIQUE INDEX CONCURRENTLY {name} ON {self.name(op.on)} "
            f"({self.names(u.columns)}){include}{nulls}",
            f"ALTER TABLE {self.name(op.on)} ADD CONSTRAINT {name} UNIQUE USING INDEX {name}"
            f"{_deferrable(u)}",
        ]

    def op_add_exclusion(self, op: AddExclusion, schema: Schema) -> list[str]:
        # pg_get_constraintdef() text: EXCLUDE USING … (…) [WHERE (…)] [DEFERRABLE …]
        x = op.constraint
        return [f"ALTER TABLE {self.name(op.on)} ADD {self.constraint_name(x.name)}{x.definition}"]

    def op_drop_exclusion(self, op: DropExclusion, schema: Schema) -> list[str]:
        return [f"ALTER TABLE {self.name(op.on)} DROP CONSTRAINT {self.q(op.constraint.name)}"]

    def op_drop_unique(self, op: DropUnique, schema: Schema) -> list[str]:
        return [f"ALTER TABLE {self.name(op.on)} DROP CONSTRAINT {self.q(op.constraint.name)}"]

    def op_add_check(self, op: AddCheck, schema: Schema) -> list[str]:
        valid = "" if op.constraint.validated else " NOT VALID"
        return [f"ALTER TABLE {self.name(op.on)} ADD {self.check(op.constraint)}{valid}"]

    def op_drop_check(self, op: DropCheck, schema: Schema) -> list[str]:
        return [f"ALTER TABLE {self.name(op.on)} DROP CONSTRAINT {self.q(op.constraint.name)}"]

    def op_add_foreign_key(self, op: AddForeignKey, schema: Schema) -> list[str]:
        valid = "" if op.constraint.validated else " NOT VALID"
        return [f"ALTER TABLE {self.name(op.on)} ADD {self.foreign_key(op.constraint)}{valid}"]

    def op_drop_foreign_key(self, op: DropForeignKey, schema: Schema) -> list[str]:
        return [f"ALTER TABLE {self.name(op.on)} DROP CONSTRAINT {self.q(op.constraint.name)}"]

    def op_create_index(self, op: CreateIndex, schema: Schema) -> list[str]:
        return [self.index(op.on, op.index, concurrently=op.concurrently)]

    def op_drop_index(self, op: DropIndex, schema: Schema) -> list[str]:
        concurrently = " CONCURRENTLY" if op.concurrently else ""
        return [f"DROP INDEX{concurrently} {self.name((op.on[0], op.index.name))}"]

    def op_validate_constraint(self, op: ValidateConstraint, schema: Schema) -> list[str]:
        return [f"ALTER TABLE {self.name(op.on)} VALIDATE CONSTRAINT {self.q(op.name)}"]

    def op_backfill(self, op: Backfill, schema: Schema) -> list[str]:
        """Keyset batches, one COMMIT each, up to the key's high-water mark at the start.

        COMMIT inside DO needs PostgreSQL 11+ and a DO run outside a transaction block,
        which is how the runner runs a ``-- dbshift:no-transaction`` migration.
        """
        t, c, value = self.name(op.on), self.q(op.column), op.expression
        if op.key is None:
            return [f"UPDATE {t} SET {c} = {value} WHERE {c} IS NULL"]
        k = self.q(op.key)
        key_type = f"{t}.{k}%TYPE"
        return [
            "DO $dbshift$\n"
            f"DECLARE\n    lo {key_type};\n    hi {key_type};\n    high_water {key_type};\n"
            "BEGIN\n"
            f"    SELECT min({k}), max({k}) INTO lo, high_water FROM {t};\n"
            "    WHILE lo IS NOT NULL AND lo <= high_water LOOP\n"
            f"        SELECT max({k}) INTO hi FROM (SELECT {k} FROM {t} WHERE {k} >= lo "
            f"ORDER BY {k} LIMIT {int(op.batch_size)}) AS batch;\n"
            f"        UPDATE {t} SET {c} = {value} WHERE {k} BETWEEN lo AND hi AND {c} IS NULL;\n"
            "        COMMIT;\n"
            f"        SELECT min({k}) INTO lo FROM {t} WHERE {k} > hi;\n"
            "    END LOOP;\n"
            "END\n"
            "$dbshift$"
        ]

    # -- views, types, sequences -------------------------------------------------------------

    def op_create_view(self, op: CreateView, schema: Schema) -> list[str]:
        v = op.view
        if v.column_names:
            raise Unsupported(f"{op.describe()}: a column name list (as SQLite keeps it)")
        kind = "MATERIALIZED VIEW" if v.materialized else "VIEW"
        if v.algorithm is not None:
            raise Unsupported(f"{op.describe()}: ALGORITHM is MySQL/MariaDB only")
        options = [
            *(["security_barrier = true"] if v.security_barrier else []),
            *(["security_invoker = true"] if v.security_invoker else []),  # PostgreSQL 15+
        ]
        with_ = f" WITH ({', '.join(options)})" if options else ""
        check = ""
        if v.check_option is not None:
            level = v.check_option.upper()
            if level not in ("CASCADED", "LOCAL"):
                raise Unsupported(f"{op.describe()}: check option {v.check_option!r}")
            check = f" WITH {level} CHECK OPTION"
        out = [f"CREATE {kind} {self.name((v.schema, v.name))}{with_} AS {v.definition}{check}"]
        out.extend(self.index((v.schema, v.name), i) for i in v.indexes)
        if v.comment is not None:
            out.append(self.comment(kind, self.name((v.schema, v.name)), v.comment))
        return out

    def op_drop_view(self, op: DropView, schema: Schema) -> list[str]:
        kind = "MATERIALIZED VIEW" if op.view.materialized else "VIEW"
        return [f"DROP {kind} {self.name((op.view.schema, op.view.name))}"]

    def op_create_enum(self, op: CreateEnum, schema: Schema) -> list[str]:
        values = ", ".join(self.literal(v) for v in op.enum.values)
        return [f"CREATE TYPE {self.name((op.enum.schema, op.enum.name))} AS ENUM ({values})"]

    def op_drop_enum(self, op: DropEnum, schema: Schema) -> list[str]:
        return [f"DROP TYPE {self.name((op.enum.schema, op.enum.name))}"]

    def op_add_enum_value(self, op: AddEnumValue, schema: Schema) -> list[str]:
        before = f" BEFORE {self.literal(op.before)}" if op.before is not None else ""
        return [
            f"ALTER TYPE {self.name((op.enum.schema, op.enum.name))} ADD VALUE {self.literal(op.value)}{before}"
        ]

    def op_recreate_enum(self, op: RecreateEnum, schema: Schema) -> list[str]:
        """The new type under a temporary name, every column moved onto it through text,
        the old type dropped and the new one renamed (see ``dbshift.ops.recreate_enum``)."""
        from dbshift.ops.recreate_enum import temporary_name

        e = op.after
        temp = self.name((e.schema, temporary_name(e.name)))
        values = ", ".join(self.literal(v) for v in e.values)
        create = f"CREATE TYPE {temp} AS ENUM ({values})"
        return self._swap_type(op, schema, create, temp, via="::text", kind="TYPE")

    def op_recreate_domain(self, op: RecreateDomain, schema: Schema) -> list[str]:
        """As ``op_recreate_enum``; a domain casts to one over the same base type directly."""
        from dbshift.ops.recreate_enum import temporary_name

        d = op.after
        temp = self.name((d.schema, temporary_name(d.name, "domain")))
        create = f"CREATE DOMAIN {temp} {d.definition}"
        later = [f"ALTER DOMAIN {temp} ADD {c}" for c in d.not_valid]
        return self._swap_type(op, schema, create, temp, via="", kind="DOMAIN", later=later)

    def _swap_type(
        self,
        op: RecreateEnum | RecreateDomain,
        schema: Schema,
        create: str,
        temp: str,
        *,
        via: str,
        kind: str,
        later: list[str] | None = None,
    ) -> list[str]:
        out, restore = [create, *(later or [])], []
        for t in schema.tables:
            actions = []
            for c in t.columns:
                suffix = op.column_suffix(c.type, t.schema)
                if suffix is None:
                    continue
                col = self.q(c.name)
                if c.default is not None:
                    # "default cannot be cast automatically": dropped, and set again once
                    # the new type carries the old name.
                    actions.append(f"ALTER COLUMN {col} DROP DEFAULT")
                    restore.append(
                        f"ALTER TABLE {self.name(t.key)} ALTER COLUMN {col} SET DEFAULT {c.default}"
                    )
                cast = f"{via}{suffix}" if via else ""
                actions.append(
                    f"ALTER COLUMN {col} TYPE {temp}{suffix} USING {col}{cast}::{temp}{suffix}"
                )
            if actions:
                out.append(f"ALTER TABLE {self.name(t.key)} " + ", ".join(actions))
        out.append(f"DROP {kind} {self.name(op.key)}")
        out.append(f"ALTER {kind} {temp} RENAME TO {self.q(op.after.name)}")
        return out + restore

    def op_create_schema(self, op: CreateSchema, schema: Schema) -> list[str]:
        return [f"CREATE SCHEMA {self.q(op.name)}"]

    def op_drop_schema(self, op: DropSchema, schema: Schema) -> list[str]:
        return [f"DROP SCHEMA {self.q(op.name)}"]

    def op_create_domain(self, op: CreateDomain, schema: Schema) -> list[str]:
        d = op.domain
        name = self.name((d.schema, d.name))
        return [f"CREATE DOMAIN {name} {d.definition}"] + [
            f"ALTER DOMAIN {name} ADD {c}" for c in d.not_valid
        ]

    def op_drop_domain(self, op: DropDomain, schema: Schema) -> list[str]:
        return [f"DROP DOMAIN {self.name((op.domain.schema, op.domain.name))}"]

    def op_create_sequence(self, op: CreateSequence, schema: Schema) -> list[str]:
        s = op.sequence
        out = [f"CREATE SEQUENCE {self.name((s.schema, s.name))}{_sequence_options(s)}"]
        if s.owned_by is not None:
            # Owned by a column that exists already (an identity becoming a serial): handed
            # over here, as CREATE TABLE and ADD COLUMN do for the columns they make.
            table_name, _, column = s.owned_by.rpartition(".")
            table = schema.table(table_name, s.schema)
            if table is not None and table.column(column) is not None:
                out.append(
                    f"ALTER SEQUENCE {self.name((s.schema, s.name))} OWNED BY "
                    f"{self.name(table.key)}.{self.q(column)}"
                )
        return out

    def op_drop_sequence(self, op: DropSequence, schema: Schema) -> list[str]:
        s = op.sequence
        key = (s.schema, s.name)
        # As the plan left it so far (an owner given up earlier says OWNED BY NONE).
        now = next((x for x in schema.sequences if (x.schema, x.name) == key), s)
        if now.owned_by is not None:
            owner = now.owned_by.rpartition(".")[0]
            if schema.table(owner, s.schema) is None:
                # OWNED BY: the server dropped it with its table, earlier in the plan (the
                # reverse of creating both: DROP TABLE, then this).
                return []
        return [f"DROP SEQUENCE {self.name((s.schema, s.name))}"]

    def op_alter_sequence(self, op: AlterSequence, schema: Schema) -> list[str]:
        """Only the clauses that changed; the sequence keeps its position unless it counts
        the other way now (see ``AlterSequence.restarts``).

        Both bounds are written whenever the type, the increment or a bound changes, the
        defaults (None) as the numbers CREATE SEQUENCE would pick for the new type and
        direction: PostgreSQL 15's own NO MAXVALUE keeps the ascending default when AS and
        a descending INCREMENT change together (seen: AS bigint INCREMENT BY -1 NO MAXVALUE
        left 2^63 - 1).
        """
        s, changes = op.after, set(op.changes)
        clauses = []
        if "type" in changes:
            clauses.append(f"AS {s.type}")
        if "increment" in changes:
            clauses.append(f"INCREMENT BY {int(s.increment)}")
        if changes & {"type", "increment", "min_value", "max_value"}:
            clauses.append(_sequence_bounds(s.type, s.increment, s.min_value, s.max_value))
        if "start" in changes:  # the recorded start (for RESTART), not the position
            clauses.append(f"START WITH {int(s.start)}")
        if op.restarts:
            # The position is out of the new direction's range: PostgreSQL refuses the
            # ALTER unless it restarts (RESTART value cannot be greater than MAXVALUE).
            clauses.append("RESTART")
        if "cache" in changes:
            clauses.append(f"CACHE {int(s.cache)}")
        if "cycle" in changes:
            clauses.append("CYCLE" if s.cycle else "NO CYCLE")
        if "owned_by" in changes:
            owner = self._sequence_owner(s, schema)
            if s.owned_by is None:
                clauses.append("OWNED BY NONE")
            elif owner is not None:
                clauses.append(f"OWNED BY {owner}")
            # else: the owning column does not exist yet; CREATE TABLE / ADD COLUMN hands
            # the sequence over when it does (see _owned_sequences).
        if not clauses:
            return []
        return [f"ALTER SEQUENCE {self.name(op.key)} {' '.join(clauses)}"]

    def _sequence_owner(self, s: Sequence, schema: Schema) -> str | None:
        """``table.column`` quoted, matched whole: both names may contain dots."""
        for t in schema.tables:
            if t.schema != s.schema:
                continue
            for c in t.columns:
                if f"{t.name}.{c.name}" == s.owned_by:
                    return f"{self.name(t.key)}.{self.q(c.name)}"
        return None

    def op_create_routine(self, op: CreateRoutine, schema: Schema) -> list[str]:
        # pg_get_functiondef / pg_get_triggerdef print complete, runnable statements.
        return [self._routine_sql(op.routine)]

    def op_replace_routine(self, op: ReplaceRoutine, schema: Schema) -> list[str]:
        definition = self._routine_sql(op.after)
        if not definition.startswith("CREATE OR REPLACE "):
            raise Unsupported(f"{op.describe()}: only a function can be replaced in place")
        return [definition]

    def _routine_sql(self, r: Routine) -> str:
        """The definition, its name qualified for a routine of another schema than the
        default: the inspector prints it relative to its own schema (``CREATE OR REPLACE
        FUNCTION f(…``), and run as it is it would create (or replace!) ``f`` in the
        default schema. A trigger's table and function are qualified by the catalog."""
        sql = r.definition.strip().rstrip(";")
        if r.schema is None or r.kind == "trigger":
            return sql
        head = _ROUTINE_HEAD.match(sql)
        if head is None:
            raise Unsupported(f"routine {r.schema}.{r.name}: unrecognised definition")
        if head.group(3) is not None:
            return sql  # written qualified already
        token = head.group(2)
        named = token[1:-1].replace('""', '"') if token.startswith('"') else token
        if named != r.name:
            raise Unsupported(f"routine {r.schema}.{r.name}: its definition creates {token}")
        return sql[: head.start(2)] + self.name((r.schema, r.name)) + sql[head.end(2) :]

    def op_drop_routine(self, op: DropRoutine, schema: Schema) -> list[str]:
        r = op.routine
        if r.kind == "trigger":
            return [f"DROP TRIGGER {self.q(r.name)} ON {self.name((r.schema, r.table or ''))}"]
        kind = {"procedure": "PROCEDURE", "aggregate": "AGGREGATE"}.get(r.kind, "FUNCTION")
        # The signature is pg_get_function_identity_arguments(): catalog text, types only.
        return [f"DROP {kind} {self.name((r.schema, r.name))}({r.signature})"]

    def _unsupported(self, op: object, why: str) -> Exception:
        from dbshift.dialects.render import Unsupported

        return Unsupported(f"{getattr(op, 'describe', lambda: op)()}: {why}")


#: ``CREATE [OR REPLACE] FUNCTION|PROCEDURE|AGGREGATE name(``: the name as quote_ident()
#: prints it, or already qualified.
_PART = r'"(?:[^"]|"")*"|[^\s(".]+'
_ROUTINE_HEAD = re.compile(
    rf"(CREATE (?:OR REPLACE )?(?:FUNCTION|PROCEDURE|AGGREGATE) )({_PART})(\.(?:{_PART}))?\("
)


def _enum_type(type_: str, schema_name: str | None, schema: Schema) -> str | None:
    """The enum ``type_`` (or an array of it) names in ``schema``, if it is one."""
    base = type_.removesuffix("[]")
    for e in schema.enums:
        if e.schema == schema_name and base in (e.name, f'"{e.name}"'):
            return e.name
    return None


def _deferrable(u: object) -> str:
    if not getattr(u, "deferrable", False):
        return ""
    return (
        " DEFERRABLE INITIALLY DEFERRED"
        if getattr(u, "initially_deferred", False)
        else " DEFERRABLE"
    )


#: The integer types a sequence can have, and their bounds.
_SEQUENCE_TYPES = {
    "smallint": (-(2**15), 2**15 - 1),
    "integer": (-(2**31), 2**31 - 1),
    "bigint": (-(2**63), 2**63 - 1),
}


def _bound_clauses(
    type_: str, increment: int, low: int | None, high: int | None
) -> tuple[str, str]:
    """``MINVALUE …`` and ``MAXVALUE …``, a default (None) as CREATE SEQUENCE picks it:
    ascending 1 … type max, descending type min … -1. ``NO …`` for a type not known here."""
    bounds = _SEQUENCE_TYPES.get(type_)
    if bounds is not None:
        low = low if low is not None else (1 if increment > 0 else bounds[0])
        high = high if high is not None else (bounds[1] if increment > 0 else -1)
    return (
        "NO MINVALUE" if low is None else f"MINVALUE {int(low)}",
        "NO MAXVALUE" if high is None else f"MAXVALUE {int(high)}",
    )


def _sequence_bounds(type_: str, increment: int, low: int | None, high: int | None) -> str:
    return " ".join(_bound_clauses(type_, increment, low, high))


def _sequence_options(s: Sequence) -> str:
    parts = [f" AS {s.type}", f" INCREMENT BY {int(s.increment)}"]
    if s.min_value is not None:
        parts.append(f" MINVALUE {int(s.min_value)}")
    if s.max_value is not None:
        parts.append(f" MAXVALUE {int(s.max_value)}")
    parts.append(f" START WITH {int(s.start)} CACHE {int(s.cache)}")
    if s.cycle:
        parts.append(" CYCLE")
    return "".join(parts)
