"""Samples of the extension, collation, composite type and row-level security operations,
added to ``samples.SAMPLES`` (kept apart so each file reads in one sitting)."""

from __future__ import annotations

from dataclasses import replace

from dbshift.model import (
    Collation,
    Column,
    Comment,
    CompositeType,
    Extension,
    Policy,
    Routine,
    Schema,
    Statistics,
    Table,
)
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
    Operation,
    RecreateCollation,
    ReplaceRoutine,
    SetComment,
    SetRowSecurity,
    SetTableSqliteOptions,
    SetTableStorage,
    SetTableUnlogged,
)

PAIRS = Statistics(
    name="users pairs", kinds=("ndistinct", "mcv"), columns='id, "e-mail", lower(name)', target=50
)
CITEXT = Extension(name="citext", version="1.6")
NOCASE = Collation(
    name="no case",
    definition="(provider = icu, locale = 'und-u-ks-level2', deterministic = false)",
)
PAIR = CompositeType(name="pair", attributes=(("x", "integer"), ("label", "text")))
OWN_ROWS = Policy(name="own rows", definition="AS PERMISSIVE FOR ALL TO PUBLIC USING ((id > 0))")
USERS = (None, "users")
F = Routine(
    kind="function",
    name="f",
    signature="a integer",
    definition="CREATE OR REPLACE FUNCTION f(a integer) RETURNS integer LANGUAGE sql AS 'SELECT a'",
)

SAMPLES: dict[str, Operation] = {
    "create_extension": CreateExtension(Extension(name="uuid-ossp", schema="ext")),
    "drop_extension": DropExtension(CITEXT),
    "alter_extension": AlterExtension(before=CITEXT, after=replace(CITEXT, version="1.7")),
    "create_collation": CreateCollation(
        Collation(name="c_like", definition="(provider = libc, lc_collate = 'C', lc_ctype = 'C')")
    ),
    "drop_collation": DropCollation(NOCASE),
    "create_composite_type": CreateCompositeType(
        CompositeType(name="point 3d", attributes=(("x", "double precision"), ("tag", "text")))
    ),
    "drop_composite_type": DropCompositeType(PAIR),
    "alter_composite_type": AlterCompositeType(
        before=PAIR,
        after=replace(PAIR, attributes=(("x", "integer"), ("label", 'text COLLATE "C"'))),
    ),
    "create_policy": CreatePolicy(
        on=USERS,
        policy=Policy(
            name="insert own",
            definition="AS RESTRICTIVE FOR INSERT TO app WITH CHECK ((id > 0))",
        ),
    ),
    "drop_policy": DropPolicy(on=USERS, policy=OWN_ROWS),
    "set_row_security": SetRowSecurity(on=USERS, before=(False, False), after=(True, True)),
    "set_table_storage": SetTableStorage(
        on=USERS, before=(), after=("fillfactor=60", "autovacuum_enabled=false")
    ),
    "set_table_unlogged": SetTableUnlogged(on=USERS, unlogged=True),
    "set_table_sqlite_options": SetTableSqliteOptions(
        on=USERS, before=(False, False), after=(True, True)
    ),
    "create_statistics": CreateStatistics(
        on=USERS, statistics=Statistics(name="users_total", kinds=(), columns="(id * 2)")
    ),
    "drop_statistics": DropStatistics(on=USERS, statistics=PAIRS),
    "attach_partition": AttachPartition(
        on=(None, "orders 2024"),
        parent="orders",
        bound="FOR VALUES IN (2024)",
        columns=(Column(name="id", type="bigint", nullable=False),),
    ),
    "detach_partition": DetachPartition(
        on=(None, "orders 2023"),
        parent="orders",
        bound="FOR VALUES IN (2023)",
        columns=(Column(name="id", type="bigint", nullable=False),),
    ),
    "replace_routine": ReplaceRoutine(
        before=F,
        after=replace(
            F,
            definition="CREATE OR REPLACE FUNCTION f(a integer) RETURNS integer LANGUAGE sql "
            "AS 'SELECT a + 1'",
        ),
    ),
    "set_comment": SetComment(
        comment=Comment("FUNCTION", "f", "", signature="a integer"), before=None, after="it's f"
    ),
    "inherit_table": InheritTable(on=(None, "stray dogs"), parent="animal's"),
    "no_inherit_table": NoInheritTable(on=(None, "old pets"), parent="animal's"),
    "recreate_collation": RecreateCollation(
        before=NOCASE, after=replace(NOCASE, definition=NOCASE.definition.replace("2", "1"))
    ),
    "move_partition": MovePartition(
        on=(None, "orders 2023"),
        before=("orders", "FOR VALUES IN (2023)"),
        after=("orders", "FOR VALUES IN (2023, 2022)"),
    ),
}


def extend(base: Schema) -> Schema:
    """``base`` with what these samples drop or change."""
    users = base.table("users")
    assert users is not None
    base = base.with_table(
        Table(
            name="orders 2024",
            columns=(Column(name="id", type="bigint", nullable=False),),
        )
    ).with_table(
        Table(name="orders 2023", partition_of="orders", partition_bound="FOR VALUES IN (2023)")
    )
    animal_id = Column(name="id", type="bigint", nullable=False)
    for table in (
        Table(name="animal's", columns=(animal_id,)),
        Table(name="stray dogs", columns=(animal_id,)),
        Table(name="old pets", columns=(animal_id,), inherits=("animal's",)),
        Table(
            name="people",
            columns=(animal_id, Column(name="e mail", type="text", collation="no case")),
        ),
    ):
        base = base.with_table(table)
    return replace(
        base.with_table(replace(users, policies=(OWN_ROWS,), statistics=(PAIRS,))),
        routines=(*base.routines, F),
        extensions=(CITEXT,),
        collations=(NOCASE,),
        composite_types=(PAIR,),
    )
