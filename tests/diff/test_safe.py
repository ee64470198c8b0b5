"""The safe-form pass: which operations on existing tables become which steps, and that the
rewritten plan still converges to the same schema."""

from __future__ import annotations

from dataclasses import replace

from dbshift.dialects import named, renderer_for
from dbshift.diff.safe import safe_plan
from dbshift.model import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    IndexElement,
    PrimaryKey,
    Schema,
    Table,
    UniqueConstraint,
)
from dbshift.ops import (
    AddCheck,
    AddColumn,
    AddForeignKey,
    AddUnique,
    AlterColumn,
    CreateIndex,
    CreateTable,
    DropIndex,
    Operation,
    RenameColumn,
)
from dbshift.ops.backfill import Backfill
from dbshift.ops.validate_constraint import ValidateConstraint

T = (None, "t")
ID = Column(name="id", type="integer", nullable=False)
NAME = Column(name="name", type="text")
TABLE = Table(name="t", columns=(ID, NAME), primary_key=PrimaryKey(columns=("id",)))
PARENT = Table(name="p", columns=(ID,), primary_key=PrimaryKey(columns=("id",)))
BEFORE = Schema(tables=(TABLE, PARENT))
INDEX = Index(name="t_name_idx", elements=(IndexElement(expression="name"),))
FK = ForeignKey(name="t_id_fkey", columns=("id",), ref_table="p", ref_columns=("id",))


def kinds(ops: tuple[Operation, ...]) -> list[str]:
    return [op.kind for op in ops]


def converges(ops: list[Operation], before: Schema = BEFORE) -> None:
    plain, safe = before, before
    for op in ops:
        plain = op.apply(plain)
    for op in safe_plan(ops, before, named("postgresql")).ops:
        safe = op.apply(safe)
    assert safe == plain


def test_index_on_an_existing_table_is_built_concurrently_outside_a_transaction() -> None:
    ops: list[Operation] = [CreateIndex(on=T, index=INDEX)]
    plan = safe_plan(ops, BEFORE, named("postgresql"))
    assert plan.ops == (CreateIndex(on=T, index=INDEX, concurrently=True),)
    assert not plan.transactional
    converges(ops)
    dropped = CreateIndex(on=T, index=INDEX).apply(BEFORE)
    drop = safe_plan([DropIndex(on=T, index=INDEX)], dropped, named("postgresql"))
    assert drop.ops == (DropIndex(on=T, index=INDEX, concurrently=True),)


def test_a_table_created_in_the_same_plan_keeps_the_plain_forms() -> None:
    new = Table(name="n", columns=(ID, NAME))
    ops: list[Operation] = [
        CreateTable(table=new),
        CreateIndex(on=(None, "n"), index=INDEX),
        AddForeignKey(on=(None, "n"), constraint=FK),
    ]
    plan = safe_plan(ops, BEFORE, named("postgresql"))
    assert plan.ops == tuple(ops)
    assert plan.transactional


def test_other_servers_are_left_alone() -> None:
    ops: list[Operation] = [CreateIndex(on=T, index=INDEX), AddForeignKey(on=T, constraint=FK)]
    for dialect in ("mysql", "sqlite"):
        plan = safe_plan(ops, BEFORE, named(dialect))
        assert plan.ops == tuple(ops) and plan.transactional


def test_foreign_key_and_check_are_added_not_valid_then_validated() -> None:
    check = CheckConstraint(name="t_name_len", expression="length(name) < 10")
    ops: list[Operation] = [AddForeignKey(on=T, constraint=FK), AddCheck(on=T, constraint=check)]
    plan = safe_plan(ops, BEFORE, named("postgresql"))
    assert kinds(plan.ops) == [
        "add_foreign_key",
        "validate_constraint",
        "add_check",
        "validate_constraint",
    ]
    sql = renderer_for("postgresql").render(list(plan.ops), BEFORE)
    assert sql[0].endswith(" NOT VALID")
    assert sql[1] == 'ALTER TABLE "t" VALIDATE CONSTRAINT "t_id_fkey"'
    assert sql[3] == 'ALTER TABLE "t" VALIDATE CONSTRAINT "t_name_len"'
    assert not plan.transactional
    converges(ops)


def test_set_not_null_goes_through_a_validated_check_on_postgres_12() -> None:
    op = AlterColumn(on=T, before=NAME, after=replace(NAME, nullable=False, default="'x'"))
    plan = safe_plan([op], BEFORE, named("postgresql"), server_version=150000)
    assert kinds(plan.ops) == [
        "alter_column",  # the default, on its own
        "add_check",
        "validate_constraint",
        "alter_column",
        "drop_check",
    ]
    sql = renderer_for("postgresql").render(list(plan.ops), BEFORE)
    assert sql == [
        """ALTER TABLE "t" ALTER COLUMN "name" SET DEFAULT 'x'""",
        """ALTER TABLE "t" ADD CONSTRAINT "t_name_not_null" CHECK ("name" IS NOT NULL) NOT VALID""",
        """ALTER TABLE "t" VALIDATE CONSTRAINT "t_name_not_null\"""",
        """ALTER TABLE "t" ALTER COLUMN "name" SET NOT NULL""",
        """ALTER TABLE "t" DROP CONSTRAINT "t_name_not_null\"""",
    ]
    assert plan.notes == {3: plan.notes[3]} and "no scan" in plan.notes[3]
    converges([op])
    # PostgreSQL 11 scans on SET NOT NULL whatever checks exist: nothing to gain.
    assert safe_plan([op], BEFORE, named("postgresql"), server_version=110000).ops == (op,)


def test_check_name_avoids_names_taken() -> None:
    taken = CheckConstraint(name="t_name_not_null", expression="true")
    before = Schema(tables=(replace(TABLE, checks=(taken,)), PARENT))
    op = AlterColumn(on=T, before=NAME, after=replace(NAME, nullable=False))
    added = safe_plan([op], before, named("postgresql")).ops[0]
    assert isinstance(added, AddCheck) and added.constraint.name == "t_name_not_null1"


def test_volatile_default_is_added_nullable_backfilled_then_set_not_null() -> None:
    token = Column(name="token", type="uuid", nullable=False, default="gen_random_uuid()")
    ops: list[Operation] = [AddColumn(on=T, column=token)]
    plan = safe_plan(ops, BEFORE, named("postgresql"))
    assert kinds(plan.ops) == [
        "add_column",
        "alter_column",
        "backfill",
        "add_check",
        "validate_constraint",
        "alter_column",
        "drop_check",
    ]
    add, backfill = plan.ops[0], plan.ops[2]
    assert isinstance(add, AddColumn) and add.column.nullable and add.column.default is None
    assert backfill == Backfill(on=T, column="token", expression="gen_random_uuid()", key="id")
    assert not plan.transactional
    converges(ops)


def test_stable_default_stays_one_statement_from_postgres_11() -> None:
    at = Column(name="at", type="timestamp", nullable=False, default="now()")
    ops: list[Operation] = [AddColumn(on=T, column=at)]
    assert safe_plan(ops, BEFORE, named("postgresql")).ops == tuple(ops)
    # PostgreSQL 10 writes any default into every row.
    assert "backfill" in kinds(
        safe_plan(ops, BEFORE, named("postgresql"), server_version=100000).ops
    )


def test_backfill_without_a_single_column_key_is_one_update() -> None:
    keyless = Schema(tables=(replace(TABLE, primary_key=None), PARENT))
    token = Column(name="token", type="uuid", default="gen_random_uuid()")
    plan = safe_plan([AddColumn(on=T, column=token)], keyless, named("postgresql"))
    assert kinds(plan.ops) == ["add_column", "alter_column", "backfill"]
    sql = renderer_for("postgresql").render(list(plan.ops), keyless)
    assert sql[-1] == 'UPDATE "t" SET "token" = gen_random_uuid() WHERE "token" IS NULL'


def test_breaking_changes_are_reported_not_rewritten() -> None:
    ops: list[Operation] = [RenameColumn(on=T, old="name", new="title")]
    plan = safe_plan(ops, BEFORE, named("postgresql"))
    assert plan.ops == tuple(ops)
    assert plan.breaking == tuple(ops)
    assert plan.transactional


def test_validate_constraint_marks_the_constraint_valid() -> None:
    not_valid = AddForeignKey(on=T, constraint=replace(FK, validated=False)).apply(BEFORE)
    after = ValidateConstraint(on=T, name="t_id_fkey").apply(not_valid)
    assert after == AddForeignKey(on=T, constraint=FK).apply(BEFORE)


def test_unique_constraint_attaches_an_index_built_concurrently() -> None:
    unique = UniqueConstraint(name="t_name_key", columns=("name",), deferrable=True)
    ops: list[Operation] = [AddUnique(on=T, constraint=unique)]
    plan = safe_plan(ops, BEFORE, named("postgresql"))
    assert plan.ops == (AddUnique(on=T, constraint=unique, concurrently=True),)
    assert not plan.transactional
    assert renderer_for("postgresql").render(list(plan.ops), BEFORE) == [
        'CREATE UNIQUE INDEX CONCURRENTLY "t_name_key" ON "t" ("name")',
        'ALTER TABLE "t" ADD CONSTRAINT "t_name_key" UNIQUE USING INDEX "t_name_key" DEFERRABLE',
    ]
    converges(ops)
