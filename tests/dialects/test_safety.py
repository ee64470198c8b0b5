"""Safety comes from the dialect: every operation is rated on every server by that
server's own table, and a dialect name that is not a server fails loudly instead of
falling through to another server's rules."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import dbshift.ops
from dbshift.dialects import UnknownDialect, named
from dbshift.model import Column
from dbshift.ops import AddColumn, Lock, Operation, Safety, TableChange
from dbshift.ops.backfill import Backfill
from dbshift.ops.validate_constraint import ValidateConstraint
from tests.ops.samples import SAMPLES

DIALECTS = ("postgresql", "mysql", "sqlite")

#: The two operations only the safe-forms planner makes (no sample in tests/ops).
PLANNER_ONLY = {
    "backfill": Backfill(on=(None, "users"), column="token", expression="gen_random_uuid()"),
    "validate_constraint": ValidateConstraint(on=(None, "orders"), name="orders_user_fk"),
}


def operation_classes() -> set[type[Operation]]:
    found: set[type[Operation]] = set()
    for module in pkgutil.iter_modules(dbshift.ops.__path__):
        loaded = importlib.import_module(f"dbshift.ops.{module.name}")
        for value in vars(loaded).values():
            if (
                inspect.isclass(value)
                and issubclass(value, Operation)
                and value not in (Operation, TableChange)
                and value.__module__ == loaded.__name__
            ):
                found.add(value)
    return found


def test_every_operation_class_has_a_sample_to_rate() -> None:
    kinds = {cls.kind for cls in operation_classes()}
    assert kinds == set(SAMPLES) | set(PLANNER_ONLY)


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("kind", sorted(set(SAMPLES) | set(PLANNER_ONLY)))
def test_each_operation_is_rated_by_each_dialects_own_table(dialect: str, kind: str) -> None:
    op = SAMPLES.get(kind) or PLANNER_ONLY[kind]
    facts = named(dialect)
    assert facts.safety_rules().covers(type(op))
    safety = facts.safety(op)
    assert isinstance(safety, Safety) and isinstance(safety.lock, Lock)


def test_an_operation_no_table_knows_is_refused_not_rated_as_harmless() -> None:
    class Invented(TableChange):
        def describe(self) -> str:
            return "invented change"

    for dialect in DIALECTS:
        with pytest.raises(NotImplementedError, match=f"Invented on {dialect}"):
            named(dialect).safety(Invented(on=(None, "t")))


@pytest.mark.parametrize("typo", ["postgres", "pg", "MySQL", "sqlite3", ""])
def test_a_dialect_typo_fails_loudly(typo: str) -> None:
    with pytest.raises(UnknownDialect, match="unknown dialect"):
        named(typo)


def test_servers_answer_for_themselves() -> None:
    """The rule that used to fall through: adding a column with a volatile default
    rewrites on PostgreSQL, is instant on MySQL and in place on SQLite."""
    op = AddColumn(
        on=(None, "users"), column=Column(name="token", type="uuid", default="gen_random_uuid()")
    )
    pg, my, lite = (named(d).safety(op) for d in DIALECTS)
    assert pg.rewrite and pg.lock is Lock.ALL
    assert not my.rewrite and "INSTANT" in my.note
    assert not lite.rewrite and "SQLite" in lite.note


@pytest.mark.parametrize(
    "default",
    ["uuid_generate_v1mc()", "setseed(0.5)", "public.gen_random_uuid()", "NEXTVAL('s')"],
)
def test_the_volatile_list_is_the_one_the_linter_reads(default: str) -> None:
    """ops and lint read the PostgreSQL dialect's one list: uuid_generate_v1mc() and
    setseed() were missing from the operation's copy."""
    from dbshift.lint.parse.postgres import actions

    op = AddColumn(on=(None, "users"), column=Column(name="c", type="text", default=default))
    assert named("postgresql").safety(op).rewrite
    (added,) = actions(f"ALTER TABLE users ADD COLUMN c text DEFAULT {default}")
    assert added.column is not None and added.column.volatile_default


def test_a_stable_default_is_catalog_only() -> None:
    op = AddColumn(on=(None, "users"), column=Column(name="c", type="text", default="now()"))
    assert not named("postgresql").safety(op).rewrite
    assert not named("postgresql").volatile_default("'random text'")
