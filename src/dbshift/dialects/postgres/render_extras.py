"""PostgreSQL DDL for extensions, collations, composite types and row-level security.

A mixin of ``PostgresRenderer``, apart so the main renderer stays readable. Names go
through ``q``/``name``, versions through ``literal``; definitions are the catalog's text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from dbshift.errors import Unsupported

if TYPE_CHECKING:
    from dbshift.model import CompositeType, Schema, Statistics, Table
    from dbshift.ops import (
        AlterCompositeType,
        AlterExtension,
        AttachPartition,
        CreateCollation,
        CreateCompositeType,
        CreateExtension,
        CreatePolicy,
        CreateStatistics,
        DetachPartition,
        DropCollation,
        DropCompositeType,
        DropExtension,
        DropPolicy,
        DropStatistics,
        InheritTable,
        MovePartition,
        NoInheritTable,
        RecreateCollation,
        SetComment,
        SetRowSecurity,
    )


class PostgresExtras:
    q: Callable[[str], str]

    if TYPE_CHECKING:  # provided by Renderer, which comes after this mixin

        def name(self, key: tuple[str | None, str]) -> str: ...

        def literal(self, value: str) -> str: ...

    # -- extensions --------------------------------------------------------------------------

    def op_create_extension(self, op: CreateExtension, schema: Schema) -> list[str]:
        e = op.extension
        sql = f"CREATE EXTENSION {self.q(e.name)}"
        if e.schema is not None:
            sql += f" WITH SCHEMA {self.q(e.schema)}"
        if e.version is not None:
            sql += f" VERSION {self.literal(e.version)}"
        return [sql]

    def op_drop_extension(self, op: DropExtension, schema: Schema) -> list[str]:
        return [f"DROP EXTENSION {self.q(op.extension.name)}"]

    def op_alter_extension(self, op: AlterExtension, schema: Schema) -> list[str]:
        out = []
        if op.after.schema != op.before.schema:
            out.append(
                f"ALTER EXTENSION {self.q(op.after.name)} SET SCHEMA "
                + (self.q(op.after.schema) if op.after.schema else "CURRENT_SCHEMA")
            )
        if op.after.version != op.before.version:
            to = f" TO {self.literal(op.after.version)}" if op.after.version else ""
            out.append(f"ALTER EXTENSION {self.q(op.after.name)} UPDATE{to}")
        return out

    # -- collations and composite types -----------------------------------------------------

    def op_create_collation(self, op: CreateCollation, schema: Schema) -> list[str]:
        c = op.collation
        return [f"CREATE COLLATION {self.name((c.schema, c.name))} {c.definition}"]

    def op_drop_collation(self, op: DropCollation, schema: Schema) -> list[str]:
        return [f"DROP COLLATION {self.name((op.collation.schema, op.collation.name))}"]

    def op_recreate_collation(self, op: RecreateCollation, schema: Schema) -> list[str]:
        """The new collation under a temporary name, every column of the old one moved onto
        it (its type kept), the old one dropped and the new one renamed."""
        from dbshift.ops.recreate_enum import temporary_name

        c = op.after
        temp = self.name((c.schema, temporary_name(c.name, "collation")))
        out = [f"CREATE COLLATION {temp} {c.definition}"]
        for t in schema.tables:
            # A child's column its parents also have follows their ALTER (the server
            # refuses one on the child: "cannot alter inherited column").
            inherited = _ancestor_columns(t, schema) if t.inherits else set()
            actions = [
                f"ALTER COLUMN {self.q(col.name)} TYPE {col.type} COLLATE {temp}"
                for col in t.columns
                if op.column_uses(col) and col.name not in inherited
            ]
            if actions:
                out.append(f"ALTER TABLE {self.name(t.key)} " + ", ".join(actions))
        out.append(f"DROP COLLATION {self.name(op.key)}")
        out.append(f"ALTER COLLATION {temp} RENAME TO {self.q(c.name)}")
        return out

    def op_create_composite_type(self, op: CreateCompositeType, schema: Schema) -> list[str]:
        t = op.type
        return [f"CREATE TYPE {self.name((t.schema, t.name))} AS ({self._attributes(t)})"]

    def _attributes(self, t: CompositeType) -> str:
        return ", ".join(f"{self.q(n)} {type_}" for n, type_ in t.attributes)

    def op_drop_composite_type(self, op: DropCompositeType, schema: Schema) -> list[str]:
        return [f"DROP TYPE {self.name((op.type.schema, op.type.name))}"]

    def op_alter_composite_type(self, op: AlterCompositeType, schema: Schema) -> list[str]:
        """Attributes from the first that differs on are dropped and added again in the new
        order: PostgreSQL 15 refuses ALTER ATTRIBUTE … TYPE while a column uses the type,
        and ADD ATTRIBUTE only appends (see ``AlterCompositeType.safety``)."""
        before, after = op.before.attributes, op.after.attributes
        same = 0
        while same < min(len(before), len(after)) and before[same] == after[same]:
            same += 1
        actions = [f"DROP ATTRIBUTE {self.q(n)}" for n, _ in before[same:]]
        actions += [f"ADD ATTRIBUTE {self.q(n)} {type_}" for n, type_ in after[same:]]
        if not actions:
            return []
        return [f"ALTER TYPE {self.name((op.after.schema, op.after.name))} " + ", ".join(actions)]

    # -- row-level security -----------------------------------------------------------------

    def row_security(self, table: Table) -> list[str]:
        """What a new table needs beyond CREATE TABLE: ENABLE and FORCE."""
        out = []
        if table.row_security:
            out.append(f"ALTER TABLE {self.name(table.key)} ENABLE ROW LEVEL SECURITY")
        if table.force_row_security:
            out.append(f"ALTER TABLE {self.name(table.key)} FORCE ROW LEVEL SECURITY")
        return out

    def op_set_row_security(self, op: SetRowSecurity, schema: Schema) -> list[str]:
        actions = []
        if op.before[0] != op.after[0]:
            actions.append(("ENABLE" if op.after[0] else "DISABLE") + " ROW LEVEL SECURITY")
        if op.before[1] != op.after[1]:
            actions.append(("FORCE" if op.after[1] else "NO FORCE") + " ROW LEVEL SECURITY")
        return [f"ALTER TABLE {self.name(op.on)} " + ", ".join(actions)] if actions else []

    def op_create_policy(self, op: CreatePolicy, schema: Schema) -> list[str]:
        p = op.policy
        return [f"CREATE POLICY {self.q(p.name)} ON {self.name(op.on)} {p.definition}"]

    def op_drop_policy(self, op: DropPolicy, schema: Schema) -> list[str]:
        return [f"DROP POLICY {self.q(op.policy.name)} ON {self.name(op.on)}"]

    # -- extended statistics --------------------------------------------------------------

    def op_create_statistics(self, op: CreateStatistics, schema: Schema) -> list[str]:
        return self.statistics(op.on, op.statistics)

    def statistics(self, on: tuple[str | None, str], s: Statistics) -> list[str]:
        """``CREATE STATISTICS s (kinds) ON columns FROM t`` in the table's schema, and its
        ``SET STATISTICS`` target when it has one."""
        name = self.name((on[0], s.name))
        kinds = f" ({', '.join(s.kinds)})" if s.kinds else ""
        out = [f"CREATE STATISTICS {name}{kinds} ON {s.columns} FROM {self.name(on)}"]
        if s.target is not None:
            out.append(f"ALTER STATISTICS {name} SET STATISTICS {int(s.target)}")
        return out

    def op_drop_statistics(self, op: DropStatistics, schema: Schema) -> list[str]:
        return [f"DROP STATISTICS {self.name((op.on[0], op.statistics.name))}"]

    # -- partitions ---------------------------------------------------------------------------

    def op_attach_partition(self, op: AttachPartition, schema: Schema) -> list[str]:
        parent = self.name((op.on[0], op.parent))
        return [f"ALTER TABLE {parent} ATTACH PARTITION {self.name(op.on)} {op.bound}"]

    def op_detach_partition(self, op: DetachPartition, schema: Schema) -> list[str]:
        """DETACH, then the keys and indexes the server copied from the parent dropped by
        the names it gave them (read from the catalog at run time): the table keeps its
        columns, and what the desired table declares is added after. No ``%`` in the
        block: drivers that take pyformat parameters would read it as one."""
        parent = self.name((op.on[0], op.parent))
        table = self.literal(self.name(op.on))
        return [
            f"ALTER TABLE {parent} DETACH PARTITION {self.name(op.on)}",
            "DO $dbshift$\nDECLARE r record;\nBEGIN\n"
            "    FOR r IN SELECT conname FROM pg_constraint\n"
            f"             WHERE conrelid = {table}::regclass\n"
            "             ORDER BY contype = 'p', contype = 'u' LOOP\n"
            f"        EXECUTE 'ALTER TABLE ' || {table} || ' DROP CONSTRAINT '"
            " || quote_ident(r.conname);\n"
            "    END LOOP;\n"
            "    FOR r IN SELECT indexrelid::regclass AS ix FROM pg_index\n"
            f"             WHERE indrelid = {table}::regclass LOOP\n"
            "        EXECUTE 'DROP INDEX ' || r.ix::text;\n"
            "    END LOOP;\n"
            "END\n$dbshift$",
        ]

    def op_move_partition(self, op: MovePartition, schema: Schema) -> list[str]:
        old_parent = self.name((op.on[0], op.before[0]))
        new_parent = self.name((op.on[0], op.after[0]))
        return [
            f"ALTER TABLE {old_parent} DETACH PARTITION {self.name(op.on)}",
            f"ALTER TABLE {new_parent} ATTACH PARTITION {self.name(op.on)} {op.after[1]}",
        ]

    def op_inherit_table(self, op: InheritTable, schema: Schema) -> list[str]:
        return [f"ALTER TABLE {self.name(op.on)} INHERIT {self.name((op.on[0], op.parent))}"]

    def op_no_inherit_table(self, op: NoInheritTable, schema: Schema) -> list[str]:
        return [f"ALTER TABLE {self.name(op.on)} NO INHERIT {self.name((op.on[0], op.parent))}"]

    # -- comments --------------------------------------------------------------------------

    def op_set_comment(self, op: SetComment, schema: Schema) -> list[str]:
        c = op.comment
        kinds = {
            "FUNCTION", "PROCEDURE", "AGGREGATE", "TRIGGER", "TYPE", "DOMAIN", "SEQUENCE",
            "INDEX", "CONSTRAINT", "POLICY", "COLLATION", "EXTENSION", "SCHEMA",
        }  # fmt: skip
        if c.kind not in kinds:
            raise Unsupported(f"comment on {c.kind!r}: not a kind dbshift comments on")
        bare = c.kind in ("EXTENSION", "SCHEMA")
        target = self.q(c.name) if bare else self.name((c.schema, c.name))
        if c.signature is not None:
            target += f"({c.signature})"  # pg_get_function_identity_arguments()
        if c.table is not None:
            if c.kind == "CONSTRAINT" and c.table.startswith("DOMAIN "):
                target = f"{self.q(c.name)} ON DOMAIN {self.name((c.schema, c.table[7:]))}"
            else:
                target = f"{self.q(c.name)} ON {self.name((c.schema, c.table))}"
        text = self.literal(op.after) if op.after is not None else "NULL"
        return [f"COMMENT ON {c.kind} {target} IS {text}"]


def _ancestor_columns(table: Table, schema: Schema) -> set[str]:
    """Names of the columns ``table`` has from its parents (``INHERITS``), at any depth."""
    names: set[str] = set()
    todo, seen = list(table.inherits), set()
    while todo:
        parent = schema.table(todo.pop(), table.schema)
        if parent is None or parent.name in seen:
            continue
        seen.add(parent.name)
        names.update(c.name for c in parent.columns)
        todo.extend(parent.inherits)
    return names
