"""``@frozen`` behaves as ``@dataclass(frozen=True)``: the same repr, equality, hash,
frozenness and fields, with methods the class defines itself kept."""

from __future__ import annotations

import dataclasses
from dataclasses import FrozenInstanceError, dataclass, field
from typing import Any

import pytest

from dbshift.frozen import frozen


def _shapes(decorate: Any) -> dict[str, type]:
    @decorate
    class Empty:
        pass

    @decorate
    class One:
        a: int

    @decorate
    class Flags:
        a: int
        b: list[int] = field(default_factory=list, hash=False)
        c: str = field(default="x", compare=False, repr=False)

    @decorate
    class Child(Flags):
        d: int = 4

    @decorate
    class OwnEq:
        a: int

        def __eq__(self, other: object) -> bool:
            return True

    @decorate
    class OwnHash:
        a: int

        def __hash__(self) -> int:
            return 7

    return {c.__name__: c for c in (Empty, One, Flags, Child, OwnEq, OwnHash)}


ARGS: dict[str, tuple[Any, ...]] = {
    "Empty": (),
    "One": (1,),
    "Flags": (1, [2], "y"),
    "Child": (1, [2], "y", 5),
    "OwnEq": (1,),
    "OwnHash": (1,),
}
STDLIB, OURS = _shapes(dataclass(frozen=True)), _shapes(frozen)


@pytest.mark.parametrize("name", ARGS)
def test_frozen_class_behaves_as_a_frozen_dataclass(name: str) -> None:
    args = ARGS[name]
    std, ours = STDLIB[name](*args), OURS[name](*args)
    assert repr(ours) == repr(std)
    assert [f.name for f in dataclasses.fields(ours)] == [f.name for f in dataclasses.fields(std)]
    assert (ours == OURS[name](*args)) == (std == STDLIB[name](*args))
    assert (ours == STDLIB[name](*args)) == (std == OURS[name](*args))
    assert ours.__eq__(object()) is std.__eq__(object()) or name == "OwnEq"
    if name not in ("Flags", "Child"):  # a list field is not hashed, but is unhashable
        assert hash(ours) == hash(std)
    for attribute in ("a", "other"):
        with pytest.raises(FrozenInstanceError):
            setattr(ours, attribute, 1)
        with pytest.raises(FrozenInstanceError):
            delattr(ours, attribute)
    assert type(ours).__match_args__ == type(std).__match_args__


def test_fields_left_out_of_compare_and_hash_are_left_out() -> None:
    flags = OURS["Flags"]
    assert flags(1, [1], "a") == flags(1, [1], "b")
    assert flags(1, [1], "a") != flags(1, [2], "a")
    assert hash(flags(1, (1,), "a")) == hash(flags(1, (2,), "b")) == hash((1,))  # type: ignore[arg-type]
    assert dataclasses.replace(flags(1), a=2) == flags(2)


def test_a_recursive_repr_stops() -> None:
    @frozen
    class Node:
        children: list[Any]

    node = Node([])
    node.children.append(node)
    assert repr(node).endswith("Node(children=[...])")
