"""An online file written from ``ops.*`` reads back as the same operations: ``write.dump``
and ``read.read_operation`` are one vocabulary's two directions."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dbshift import ops
from dbshift.errors import MigrationFileError, UsageError
from dbshift.model import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    IndexElement,
    ReferentialAction,
    UniqueConstraint,
)
from dbshift.online.read import TYPES
from dbshift.online.spec import parse_online
from dbshift.online.write import dump

ON = (None, "items")
FILE_FORMS: list[ops.Operation] = [
    ops.AddColumn(on=ON, column=Column("tag", "int", nullable=False, default="0"), up="qty"),
    ops.DropColumn(on=ON, column=Column("note", ""), down="'x'"),
    ops.RenameColumn(on=ON, old="note", new="remark"),
    ops.RenameTable(old="items", new="things"),
    ops.AlterColumn(
        on=ON,
        before=Column("qty", ""),
        after=Column("qty", "bigint", True, None),
        up="qty * 2",
        down="qty / 2",
        unchanged=frozenset({"nullable"}),
    ),
    ops.AddCheck(
        on=ON,
        constraint=CheckConstraint("qty_positive", "qty > 0"),
        through=ops.AlterColumn(
            on=ON,
            before=Column("qty", ""),
            after=Column("qty", "", False, None),
            up="greatest(qty, 1)",
            unchanged=frozenset({"type", "default"}),
        ),
    ),
    ops.CreateIndex(
        on=ON,
        index=Index(
            "items_code", (IndexElement("code"),), unique=True, where="code <> ''", method="hash"
        ),
    ),
    ops.DropIndex(on=ON, index=Index("items_old", ())),
    ops.AddUnique(on=ON, constraint=UniqueConstraint("items_code_key", ("code",))),
    ops.AddForeignKey(
        on=ON,
        constraint=ForeignKey(
            "items_owner_fk", ("owner",), "owners", ("id",), on_delete=ReferentialAction.CASCADE
        ),
    ),
    ops.RawSQL(on=ON, up="CREATE TABLE audit (at text)", down="DROP TABLE audit"),
    ops.SplitTable(on=ON, new_table="item_notes", columns=("note",), key="id", new_key="item_id"),
]


@pytest.mark.parametrize("op", FILE_FORMS, ids=lambda op: op.kind)
def test_a_written_operation_reads_back_the_same(op: ops.Operation) -> None:
    text = dump([op], description="round trip", schema="app")
    migration = parse_online(text, Path("20260101000000_round_trip.toml"))
    assert migration.operations == (op,)
    assert (migration.description, migration.schema) == ("round trip", "app")


def test_a_full_alter_column_must_be_put_in_its_online_form_first() -> None:
    full = ops.AlterColumn(on=ON, before=Column("qty", "int"), after=Column("qty", "bigint"))
    with pytest.raises(UsageError, match="online form"):
        dump([full], description="", schema=None)


def test_what_the_file_leaves_out_is_read_as_unchanged() -> None:
    text = '[[operations]]\ntype = "alter_column"\ntable = "items"\ncolumn = "qty"\n'
    (op,) = parse_online(text, Path("1_x.toml")).operations
    assert isinstance(op, ops.AlterColumn)
    assert op.unchanged == frozenset({"type", "nullable", "default"})
    assert tomllib.loads(dump([op], description="", schema=None))["operations"] == [
        {"table": "items", "type": "alter_column", "column": "qty"}
    ]


def test_an_unknown_type_names_the_known_ones() -> None:
    text = '[[operations]]\ntype = "add_colum"\ntable = "items"\n'
    with pytest.raises(MigrationFileError, match=r"unknown type 'add_colum' \(known: add_check"):
        parse_online(text, Path("1_x.toml"))


# --- every operation kind, generated: read(write(op)) == op ---------------------------------

_TEXT = st.text(min_size=1, max_size=12)
_OPT_TEXT = st.none() | _TEXT
_NAMES = st.lists(_TEXT, min_size=1, max_size=3).map(tuple)
_ON = _TEXT.map(lambda table: (None, table))


@st.composite
def _alter_columns(draw: st.DrawFn, *, on: tuple[None, str] | None = None) -> ops.AlterColumn:
    """An alter_column in its online form: what is unchanged is left at the reader's value."""
    unchanged = draw(st.sets(st.sampled_from(["type", "nullable", "default"])))
    name = draw(_TEXT)
    return ops.AlterColumn(
        on=on or draw(_ON),
        before=Column(name, ""),
        after=Column(
            name,
            "" if "type" in unchanged else draw(_TEXT),
            True if "nullable" in unchanged else draw(st.booleans()),
            None if "default" in unchanged else draw(_OPT_TEXT),
        ),
        up=draw(_OPT_TEXT),
        down=draw(_OPT_TEXT),
        unchanged=frozenset(unchanged),
    )


@st.composite
def _add_columns(draw: st.DrawFn) -> ops.AddColumn:
    nullable, default, up = draw(st.booleans()), draw(_OPT_TEXT), draw(_OPT_TEXT)
    if not nullable and default is None and up is None:
        up = draw(_TEXT)  # the reader refuses a NOT NULL column with no value for old rows
    column = Column(draw(_TEXT), draw(_TEXT), nullable=nullable, default=default)
    return ops.AddColumn(on=draw(_ON), column=column, up=up)


@st.composite
def _add_checks(draw: st.DrawFn) -> ops.AddCheck:
    on = draw(_ON)
    # The check is parsed when the file is read: an expression, over the column's name.
    check = f"{draw(st.sampled_from(['qty', 'price', 'n']))} > {draw(st.integers(0, 99))}"
    constraint = CheckConstraint(draw(_TEXT), check)
    return ops.AddCheck(on=on, constraint=constraint, through=draw(_alter_columns(on=on)))


@st.composite
def _foreign_keys(draw: st.DrawFn) -> ops.AddForeignKey:
    columns = draw(_NAMES)
    refs = tuple(draw(st.lists(_TEXT, min_size=len(columns), max_size=len(columns))))
    action = draw(st.sampled_from(list(ReferentialAction)))
    fk = ForeignKey(draw(_TEXT), columns, draw(_TEXT), refs, on_delete=action)
    return ops.AddForeignKey(on=draw(_ON), constraint=fk)


@st.composite
def _indexes(draw: st.DrawFn) -> ops.CreateIndex:
    index = Index(
        draw(_TEXT),
        tuple(IndexElement(c) for c in draw(_NAMES)),
        unique=draw(st.booleans()),
        where=draw(_OPT_TEXT),
        method=draw(_OPT_TEXT),
    )
    return ops.CreateIndex(on=draw(_ON), index=index)


@st.composite
def _renames(draw: st.DrawFn) -> ops.Operation:
    old = draw(_TEXT)
    new = draw(_TEXT.filter(lambda n: n != old))
    if draw(st.booleans()):
        return ops.RenameTable(old=old, new=new)
    return ops.RenameColumn(on=draw(_ON), old=old, new=new)


@st.composite
def _splits(draw: st.DrawFn) -> ops.SplitTable:
    key = draw(_TEXT)
    columns = tuple(draw(st.lists(_TEXT.filter(lambda c: c != key), min_size=1, max_size=3)))
    return ops.SplitTable(
        on=draw(_ON), new_table=draw(_TEXT), columns=columns, key=key, new_key=draw(_TEXT)
    )


_EVERY_KIND: dict[str, st.SearchStrategy[ops.Operation]] = {
    "add_check": _add_checks(),
    "add_column": _add_columns(),
    "add_foreign_key": _foreign_keys(),
    "add_unique": st.builds(
        ops.AddUnique, on=_ON, constraint=st.builds(UniqueConstraint, _TEXT, _NAMES)
    ),
    "alter_column": _alter_columns(),
    "create_index": _indexes(),
    "drop_column": st.builds(
        ops.DropColumn, on=_ON, column=_TEXT.map(lambda c: Column(c, "")), down=_OPT_TEXT
    ),
    "drop_index": st.builds(ops.DropIndex, on=_ON, index=_TEXT.map(lambda n: Index(n, ()))),
    "raw_sql": st.builds(ops.RawSQL, on=_ON, up=st.text(max_size=30), down=_OPT_TEXT),
    "rename_column": _renames().filter(lambda op: isinstance(op, ops.RenameColumn)),
    "rename_table": _renames().filter(lambda op: isinstance(op, ops.RenameTable)),
    "split_table": _splits(),
}


def test_every_type_of_the_file_has_a_generator() -> None:
    assert set(_EVERY_KIND) == TYPES


@pytest.mark.parametrize("kind", sorted(_EVERY_KIND))
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_any_operation_of_each_type_reads_back_as_written(kind: str, data: st.DataObject) -> None:
    op = data.draw(_EVERY_KIND[kind])
    assert op.kind == kind
    text = dump([op], description="", schema=None)
    assert parse_online(text, Path("1_x.toml")).operations == (op,)
