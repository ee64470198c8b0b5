"""One sample of each operation, on a small schema, shared by the op and golden SQL tests."""

from __future__ import annotations

from dataclasses import replace

from dbshift.model import (
    CheckConstraint,
    Column,
    Domain,
    EnumType,
    ExclusionConstraint,
    ForeignKey,
    Identity,
    Index,
    IndexElement,
    PrimaryKey,
    ReferentialAction,
    Routine,
    Schema,
    Sequence,
    Table,
    TableOptions,
    UniqueConstraint,
    View,
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
    DropColumn,
    DropDomain,
    DropEnum,
    DropExclusion,
    DropForeignKey,
    DropIndex,
    DropPrimaryKey,
    DropRoutine,
    DropSchema,
    DropSequence,
    DropTable,
    DropUnique,
    DropView,
    Operation,
    RecreateDomain,
    RecreateEnum,
    RenameColumn,
    RenameTable,
    SetTableComment,
    SetTableOptions,
)
from dbshift.ops.backfill import Backfill
from dbshift.ops.raw_sql import RawSQL
from dbshift.ops.split_table import SplitTable
from dbshift.ops.validate_constraint import ValidateConstraint
from tests.ops import samples_extras, samples_partitions

USERS = (None, "users")
EMAIL = Column(name="email", type="text", nullable=False, default="''", comment="it's the login")
USERS_TABLE = Table(
    name="users",
    columns=(
        Column(name="id", type="bigint", nullable=False, identity=Identity(always=True)),
        EMAIL,
        Column(name="select", type="integer"),
        Column(name="bio", type="text"),
    ),
    primary_key=PrimaryKey(columns=("id",), name="users_pkey"),
    uniques=(UniqueConstraint(name="users_email_key", columns=("email",)),),
    checks=(CheckConstraint(name="users_select_check", expression='("select" > 0)'),),
    indexes=(Index(name="users_select_idx", elements=(IndexElement("select", descending=True),)),),
    comment="people",
)
ORDERS_TABLE = Table(
    name="orders",
    columns=(
        Column(name="id", type="bigint", nullable=False),
        Column(name="user_id", type="bigint"),
    ),
    primary_key=PrimaryKey(columns=("id",), name="orders_pkey"),
)
FK = ForeignKey(
    name="orders_user_fk",
    columns=("user_id",),
    ref_table="users",
    ref_columns=("id",),
    on_delete=ReferentialAction.CASCADE,
)
MOOD = EnumType(name="mood", values=("sad", "happy"))
SEQ = Sequence(name="ticket_seq", start=100, increment=5)
EMAIL_DOMAIN = Domain(name="email", definition="AS text CONSTRAINT email_at CHECK (VALUE ~~ '%@%')")
NO_OVERLAP = ExclusionConstraint(
    name="orders_no_overlap", definition="EXCLUDE USING gist (user_id WITH =, id WITH <>)"
)
VIEW = View(name="active users", definition="SELECT id FROM users")
TRIGGER = Routine(
    kind="trigger",
    name="users touch",
    table="users",
    definition='CREATE TRIGGER "users touch" AFTER UPDATE ON users BEGIN SELECT 1; END',
)

BASE = Schema(
    tables=(USERS_TABLE, ORDERS_TABLE),
    enums=(MOOD,),
    sequences=(SEQ,),
    domains=(EMAIL_DOMAIN,),
    views=(VIEW,),
    routines=(TRIGGER,),
)

SAMPLES: dict[str, Operation] = {
    "create_table": CreateTable(
        Table(
            name="audit; log",
            columns=(
                Column(name="at", type="timestamp", nullable=False, default="CURRENT_TIMESTAMP"),
            ),
        )
    ),
    "drop_table": DropTable(ORDERS_TABLE),
    "rename_table": RenameTable(old="orders", new="purchases"),
    "add_column": AddColumn(on=USERS, column=Column(name="nick name", type="text", default="'x'")),
    "drop_column": DropColumn(on=USERS, column=Column(name="bio", type="text")),
    "rename_column": RenameColumn(on=USERS, old="email", new="e-mail"),
    "alter_column": AlterColumn(
        on=USERS,
        before=Column(name="select", type="integer"),
        after=Column(name="select", type="bigint", nullable=False, default="0"),
    ),
    "add_unique": AddUnique(
        on=(None, "orders"),
        constraint=UniqueConstraint(name="orders_user_key", columns=("user_id",)),
    ),
    "drop_unique": DropUnique(on=USERS, constraint=USERS_TABLE.uniques[0]),
    "add_check": AddCheck(
        on=(None, "orders"),
        constraint=CheckConstraint(name="orders_id_check", expression="(id > 0)", validated=False),
    ),
    "drop_check": DropCheck(on=USERS, constraint=USERS_TABLE.checks[0]),
    "add_foreign_key": AddForeignKey(on=(None, "orders"), constraint=FK),
    "create_index": CreateIndex(
        on=(None, "orders"),
        index=Index(
            name="orders_user_idx",
            elements=(IndexElement("user_id"),),
            where="(user_id IS NOT NULL)",
        ),
        concurrently=True,
    ),
    "drop_index": DropIndex(on=USERS, index=USERS_TABLE.indexes[0]),
    "create_view": CreateView(View(name="v2", definition="SELECT 1 AS one")),
    "drop_view": DropView(VIEW),
    "create_enum": CreateEnum(EnumType(name="color", values=("red", "it's green"))),
    "drop_enum": DropEnum(MOOD),
    "add_enum_value": AddEnumValue(enum=MOOD, value="ok", before="happy"),
    "create_sequence": CreateSequence(Sequence(name="s2")),
    "drop_sequence": DropSequence(SEQ),
    "alter_sequence": AlterSequence(
        before=SEQ,
        after=Sequence(
            name="ticket_seq", type="integer", start=100, increment=10, max_value=10**6, cycle=True
        ),
    ),
    "set_table_comment": SetTableComment(on=USERS, before="people", after="humans"),
    "set_table_options": SetTableOptions(
        on=USERS, before=TableOptions(), after=TableOptions(engine="MyISAM", collation="latin1_bin")
    ),
    "create_routine": CreateRoutine(
        Routine(
            kind="function",
            name="f",
            signature="a integer",
            definition="CREATE FUNCTION f(a integer) RETURNS integer LANGUAGE sql AS 'SELECT a'",
        )
    ),
    "drop_routine": DropRoutine(TRIGGER),
}
# Operations whose "before" state needs something BASE lacks.
SAMPLES["add_primary_key"] = AddPrimaryKey(
    on=(None, "orders"), key=PrimaryKey(columns=("id",), name="orders_pkey")
)
SAMPLES["drop_primary_key"] = DropPrimaryKey(
    on=(None, "orders"), key=PrimaryKey(columns=("id",), name="orders_pkey")
)
SAMPLES["drop_foreign_key"] = DropForeignKey(on=(None, "orders"), constraint=FK)
SAMPLES["add_exclusion"] = AddExclusion(on=(None, "orders"), constraint=NO_OVERLAP)
SAMPLES["drop_exclusion"] = DropExclusion(on=(None, "orders"), constraint=NO_OVERLAP)
SAMPLES["create_domain"] = CreateDomain(Domain(name="positive", definition="AS integer NOT NULL"))
SAMPLES["drop_domain"] = DropDomain(EMAIL_DOMAIN)
SAMPLES["recreate_domain"] = RecreateDomain(
    before=EMAIL_DOMAIN, after=Domain(name="email", definition="AS text NOT NULL")
)
SAMPLES["create_schema"] = CreateSchema("billing")
SAMPLES["drop_schema"] = DropSchema("old archive")
SAMPLES["recreate_enum"] = RecreateEnum(before=MOOD, after=EnumType(name="mood", values=("happy",)))
# The second halves of the non-blocking forms: each follows the sample it completes.
SAMPLES["validate_constraint"] = ValidateConstraint(on=(None, "orders"), name="orders_id_check")
SAMPLES["backfill"] = Backfill(
    on=USERS, column="nick name", expression="'x'", key="id", batch_size=500
)
# The online files' escape hatch and table split (online/spec.py parses them).
SAMPLES["raw_sql"] = RawSQL(
    on=USERS,
    up="CREATE TABLE audit (at text); INSERT INTO audit VALUES ('x')",
    down="DROP TABLE audit",
)
SAMPLES["split_table"] = SplitTable(
    on=USERS, new_table="user bios", columns=("bio", "select"), key="id", new_key="user_id"
)
SAMPLES.update(samples_extras.SAMPLES)
SAMPLES.update(samples_partitions.SAMPLES)


def before(kind: str) -> Schema:
    """The schema a sample applies to."""
    from dbshift.ops import AddForeignKey as _Add
    from dbshift.ops import DropPrimaryKey as _DropPk

    if kind == "drop_schema":
        return replace(BASE, namespaces=("old archive",))
    if kind == "add_primary_key":
        return _DropPk(
            on=(None, "orders"), key=PrimaryKey(columns=("id",), name="orders_pkey")
        ).apply(BASE)
    if kind == "drop_foreign_key":
        return _Add(on=(None, "orders"), constraint=FK).apply(BASE)
    if kind == "drop_exclusion":
        return SAMPLES["add_exclusion"].apply(BASE)
    if kind == "recreate_domain":
        orders = BASE.table("orders")
        assert orders is not None
        return BASE.with_table(
            orders.with_column(Column(name="contact", type="email", default="'a@b'::text"))
        )
    if kind == "recreate_enum":  # columns of the type, one with a default, one an array
        orders = BASE.table("orders")
        assert orders is not None
        orders = orders.with_column(Column(name="mood", type="mood", default="'happy'::mood"))
        return BASE.with_table(orders.with_column(Column(name="moods", type="mood[]")))
    if kind == "validate_constraint":  # the NOT VALID check add_check leaves
        return SAMPLES["add_check"].apply(BASE)
    if kind == "backfill":  # the column add_column adds
        return SAMPLES["add_column"].apply(BASE)
    if kind in samples_extras.SAMPLES:
        return samples_extras.extend(BASE)
    if kind in samples_partitions.SAMPLES:
        return samples_partitions.extend(BASE)
    return BASE
