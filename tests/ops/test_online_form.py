"""The online form of the operations: ``up``/``down`` expressions and alter_column's
"unchanged" attributes (what an online migration file leaves out)."""

from __future__ import annotations

import pytest

from dbshift.errors import Irreversible, PlanError
from dbshift.model import CheckConstraint, Column
from dbshift.ops import AddCheck, AddColumn, AlterColumn, DropColumn
from tests.ops.samples import BASE, USERS


def _file_form(**after: object) -> AlterColumn:
    return AlterColumn(
        on=USERS,
        before=Column("email", ""),
        after=Column("email", **after),  # type: ignore[arg-type]
        up="lower(email)",
        down="email",
        unchanged=frozenset({"nullable", "default"}),
    )


def test_resolve_keeps_what_the_file_leaves_out() -> None:
    current = Column("email", "varchar(10)", nullable=False, default="''", comment="c")
    full = _file_form(type="text").resolve(current)
    assert full.unchanged is None
    assert full.before == current
    assert full.after == Column("email", "text", nullable=False, default="''", comment="c")
    assert full.changes == ("type",)
    assert (full.up, full.down) == ("lower(email)", "email")


def test_a_set_default_of_none_drops_the_default() -> None:
    op = AlterColumn(
        on=USERS,
        before=Column("email", ""),
        after=Column("email", "", default=None),
        unchanged=frozenset({"type", "nullable"}),
    )
    current = Column("email", "text", default="''")
    assert op.resolve(current).after == Column("email", "text")


def test_the_file_form_applies_what_it_sets() -> None:
    after = _file_form(type="varchar(99)").apply(BASE)
    users = after.table("users")
    assert users is not None
    email = users.column("email")
    assert email is not None and email.type == "varchar(99)" and email.default == "''"


def test_only_type_nullability_and_default_can_be_left_unchanged() -> None:
    with pytest.raises(PlanError, match="unchanged"):
        AlterColumn(
            on=USERS,
            before=Column("x", ""),
            after=Column("x", ""),
            unchanged=frozenset({"comment"}),
        )


def test_the_file_form_has_no_reverse() -> None:
    with pytest.raises(Irreversible):
        _file_form(type="text").reverse()
    check = AddCheck(
        on=USERS, constraint=CheckConstraint("c", "x > 0"), through=_file_form(type="text")
    )
    with pytest.raises(Irreversible):
        check.reverse()


def test_reverse_swaps_up_and_down() -> None:
    col = Column("n", "int")
    assert AddColumn(on=USERS, column=col, up="1").reverse() == DropColumn(
        on=USERS, column=col, down="1"
    )
    full = AlterColumn(
        on=USERS, before=Column("n", "int"), after=Column("n", "bigint"), up="u", down="d"
    )
    back = full.reverse()
    assert isinstance(back, AlterColumn) and (back.up, back.down) == ("d", "u")
