"""Every operation applies to the model, and its reverse undoes it exactly."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import dbshift.ops
from dbshift.dialects import named
from dbshift.errors import Irreversible, PlanError
from dbshift.ops import Lock, Operation
from tests.ops.samples import SAMPLES, before

#: Operations with no reverse: PostgreSQL cannot drop an enum value, un-validate a
#: constraint, or give back the values a backfill overwrote; no operation merges a split
#: table back.
IRREVERSIBLE = frozenset({"add_enum_value", "validate_constraint", "backfill", "split_table"})
#: Operations that change rows, not the schema (raw SQL: dbshift cannot see inside it).
DATA_ONLY = frozenset({"backfill", "raw_sql"})


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_reverse_undoes_apply(kind: str) -> None:
    op = SAMPLES[kind]
    assert op.kind == kind
    start = before(kind)
    changed = op.apply(start)
    assert (changed == start) == (kind in DATA_ONLY)
    if kind in IRREVERSIBLE:
        with pytest.raises(Irreversible):
            op.reverse()
        return
    assert op.reverse().apply(changed) == start


def test_every_operation_class_has_a_sample() -> None:
    """A new file under ops/ without a sample would have no golden SQL and no reverse test."""
    kinds = set()
    for info in pkgutil.iter_modules(dbshift.ops.__path__):
        if info.name == "base":  # the abstract Operation and TableChange
            continue
        module = importlib.import_module(f"dbshift.ops.{info.name}")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, Operation)
                and value.__module__ == module.__name__
                and "kind" in vars(value)
            ):
                kinds.add(value.kind)
    assert "backfill" in kinds and "validate_constraint" in kinds
    assert sorted(kinds - set(SAMPLES)) == []


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_every_operation_rates_itself_on_every_dialect(kind: str) -> None:
    for dialect in ("postgresql", "mysql", "sqlite"):
        safety = named(dialect).safety(SAMPLES[kind])
        assert isinstance(safety.lock, Lock)
        if safety.destructive or safety.rewrite or safety.lock is Lock.ALL:
            assert safety.note, f"{kind} on {dialect} must say why"


def test_destructive_operations_are_flagged() -> None:
    destructive = {k for k, op in SAMPLES.items() if named("postgresql").safety(op).destructive}
    assert destructive == {
        "drop_table",
        "drop_column",
        "drop_sequence",
        "drop_partition",
        "recreate_enum",
        "drop_extension",
        "alter_composite_type",
    }


def test_applying_to_a_missing_table_names_it() -> None:
    from dbshift.model import Schema

    with pytest.raises(PlanError, match="table users does not exist"):
        SAMPLES["add_column"].apply(Schema())


def test_add_column_with_volatile_default_rewrites_on_postgres() -> None:
    from dbshift.model import Column
    from dbshift.ops import AddColumn

    cheap = AddColumn(on=(None, "t"), column=Column(name="c", type="timestamp", default="now()"))
    costly = AddColumn(
        on=(None, "t"), column=Column(name="c", type="uuid", default="gen_random_uuid()")
    )
    assert not named("postgresql").safety(cheap).rewrite
    assert named("postgresql").safety(costly).rewrite


def test_widening_varchar_does_not_rewrite_on_postgres() -> None:
    from dbshift.model import Column
    from dbshift.ops import AlterColumn

    def alter(a: str, b: str) -> bool:
        op = AlterColumn(
            on=(None, "t"), before=Column(name="c", type=a), after=Column(name="c", type=b)
        )
        return named("postgresql").safety(op).rewrite

    assert not alter("character varying(10)", "character varying(20)")
    assert not alter("character varying(10)", "text")
    assert alter("character varying(20)", "character varying(10)")
    assert alter("integer", "bigint")
