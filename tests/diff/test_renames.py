"""Renames are never guessed; hints turn a drop + add into a rename."""

from __future__ import annotations

from dbshift.dialects import named
from dbshift.diff import DiffOptions, Renames, diff, suggest_renames
from dbshift.model import Column, Schema, Table

ID = Column(name="id", type="integer", nullable=False)


def schema(table: str, *columns: Column) -> Schema:
    return Schema(tables=(Table(name=table, columns=(ID, *columns)),))


def test_without_a_hint_a_renamed_column_is_a_destructive_drop_and_add() -> None:
    ops = diff(schema("users", Column("mail", "text")), schema("users", Column("email", "text")))
    assert [op.kind for op in ops] == ["drop_column", "add_column"]
    assert named("postgresql").safety(ops[0]).destructive


def test_a_column_hint_makes_it_a_rename() -> None:
    hints = Renames(columns={("users", "mail"): "email"})
    ops = diff(
        schema("users", Column("mail", "text")),
        schema("users", Column("email", "text")),
        DiffOptions(renames=hints),
    )
    assert [op.describe() for op in ops] == ["rename column users.mail to email"]


def test_table_and_column_hints_combine() -> None:
    hints = Renames(tables={"users": "people"}, columns={("people", "mail"): "email"})
    ops = diff(
        schema("users", Column("mail", "text")),
        schema("people", Column("email", "text")),
        DiffOptions(renames=hints),
    )
    assert [op.kind for op in ops] == ["rename_table", "rename_column"]


def test_suggestions_need_the_same_shape() -> None:
    current = schema("users", Column("mail", "text"), Column("age", "integer"))
    desired = schema("users", Column("email", "text"), Column("years", "bigint"))
    assert suggest_renames(current, desired) == [("users", "mail", "email")]
