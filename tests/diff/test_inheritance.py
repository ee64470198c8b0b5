"""Parents of a kept table changing, on the model: what a child takes over when it leaves
a parent, what it must declare to join one, and convergence (apply(diff(a, b), a) == b)."""

from __future__ import annotations

from functools import reduce

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dbshift.dialects.render import Unsupported
from dbshift.diff import diff
from dbshift.errors import Irreversible
from dbshift.model import CheckConstraint, Column, Identity, Schema, Table
from dbshift.ops import InheritTable, NoInheritTable, Operation
from tests.diff.helpers import unordered

ID = Column(name="id", type="integer", nullable=False, identity=Identity(), comment="key")
NAME = Column(name="name", type="text", default="'x'::text")
TAG = Column(name="tag", type="text")
NAMED = CheckConstraint(name="named", expression="(name <> ''::text)")
ANIMALS = Table(name="animals", columns=(ID, NAME), checks=(NAMED,))
TAGS = Table(name="tags", columns=(TAG, NAME))


def converged(a: Schema, b: Schema) -> list[Operation]:
    ops = diff(a, b)
    assert reduce(lambda s, op: op.apply(s), ops, a) == b
    return ops


def test_leaving_one_of_two_parents_adopts_only_what_no_other_parent_gives() -> None:
    owner = Column(name="owner", type="text")
    pets = Table(name="pets", columns=(owner,), inherits=("animals", "tags"))
    # After NO INHERIT animals: id and the check become its own (identity and comment are
    # not inherited); name still comes from tags; columns keep their attnum order.
    left = Table(
        name="pets",
        columns=(Column(name="id", type="integer", nullable=False), owner),
        checks=(NAMED,),
        inherits=("tags",),
    )
    ops = converged(Schema(tables=(ANIMALS, TAGS, pets)), Schema(tables=(ANIMALS, TAGS, left)))
    assert ops == [
        NoInheritTable(
            on=(None, "pets"),
            parent="animals",
            columns=left.columns,
            checks=(NAMED,),
            adopted=("id", "check named"),
            followed_by=("tags",),
        )
    ]
    with pytest.raises(Irreversible, match="id, check named became the child's own"):
        ops[0].reverse()


def test_joining_a_parent_whose_columns_the_child_declares_converges_both_ways() -> None:
    plain = Table(name="pets", columns=(ID, NAME), checks=(NAMED,))
    child = Table(name="pets", columns=(ID, NAME), checks=(NAMED,), inherits=("animals",))
    a, b = Schema(tables=(ANIMALS, plain)), Schema(tables=(ANIMALS, child))
    assert converged(a, b) == [InheritTable(on=(None, "pets"), parent="animals")]
    assert converged(b, a) == [NoInheritTable(on=(None, "pets"), parent="animals")]
    back = reduce(lambda s, op: op.apply(s), [o.reverse() for o in diff(a, b)], b)
    assert back == a


def test_a_grandparents_columns_count_as_the_parents() -> None:
    dogs = Table(name="dogs", columns=(TAG,), inherits=("animals",))
    plain = Table(name="puppies", columns=(ID, TAG), checks=(NAMED,))
    child = Table(name="puppies", columns=(ID, TAG), checks=(NAMED,), inherits=("dogs",))
    with pytest.raises(Unsupported, match="does not declare name: declare them in puppies"):
        diff(Schema(tables=(ANIMALS, dogs, plain)), Schema(tables=(ANIMALS, dogs, child)))
    fuller = Table(name="puppies", columns=(ID, TAG, NAME), checks=(NAMED,), inherits=("dogs",))
    converged(
        Schema(tables=(ANIMALS, dogs, Table(name="puppies", columns=(ID, TAG), checks=(NAMED,)))),
        Schema(tables=(ANIMALS, dogs, fuller)),
    )


def test_an_inheritance_cycle_in_a_hand_built_model_does_not_recurse_forever() -> None:
    a = Table(name="a", columns=(TAG,), inherits=("b",))
    b = Table(name="b", columns=(NAME,), inherits=("a",))
    ops = diff(Schema(tables=(a, b)), Schema(tables=(Table(name="a", columns=(TAG,)), b)))
    assert ops[0].kind == "no_inherit_table"


PARENTS = {
    "p1": Table(name="p1", columns=(Column(name="a", type="integer"),)),
    "p2": Table(name="p2", columns=(Column(name="b", type="text"),), checks=(NAMED,)),
    "p3": Table(name="p3"),
}
OWN = Column(name="x", type="integer")


@st.composite
def child_states(draw: st.DrawFn) -> Table:
    """The child with some parents, in some order, declaring their columns and checks
    itself or not (then they are the parents' only)."""
    parents = tuple(draw(st.permutations(sorted(PARENTS)))[: draw(st.integers(0, 3))])
    declared = draw(st.booleans()) or not parents
    columns: tuple[Column, ...] = (OWN,)
    checks: tuple[CheckConstraint, ...] = ()
    if declared:
        everything = [c for p in sorted(PARENTS) for c in PARENTS[p].columns]
        extra = draw(st.lists(st.sampled_from(everything), unique=True))
        wanted = {c.name for p in parents for c in PARENTS[p].columns} | {c.name for c in extra}
        columns = (*(c for c in everything if c.name in wanted), OWN)
        if "p2" in parents or draw(st.booleans()):
            checks = (NAMED,)
    return Table(name="kid", columns=columns, checks=checks, inherits=parents)


@settings(max_examples=200, deadline=None)
@given(child_states(), child_states())
def test_any_change_of_parents_converges_or_is_refused_by_name(a: Table, b: Table) -> None:
    start = Schema(tables=(*PARENTS.values(), a))
    goal = Schema(tables=(*PARENTS.values(), b))
    try:
        ops = diff(start, goal)
    except Unsupported as exc:
        assert str(exc).startswith("table kid: INHERIT p")
        own = {c.name for c in b.columns}
        assert any(
            not {c.name for c in PARENTS[p].columns} <= own
            or (PARENTS[p].checks and NAMED not in b.checks)
            for p in b.inherits
        )
        return
    # Column order aside (a column added goes last: no ALTER moves one); the order of
    # adopted columns is checked exactly above and on the server.
    assert unordered(reduce(lambda s, op: op.apply(s), ops, start)) == unordered(goal)
    try:
        back = [op.reverse() for op in reversed(ops)]
    except Irreversible:
        assert any(isinstance(op, NoInheritTable) and (op.adopted or op.followed_by) for op in ops)
        return
    assert unordered(reduce(lambda s, op: op.apply(s), back, goal)) == unordered(start)
