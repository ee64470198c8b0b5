"""An online file written from ``ops.*`` reads back as the same operations: ``write.dump``
and ``read.read_operation`` are one vocabulary's two directions."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

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
