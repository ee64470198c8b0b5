"""``@frozen``: ``@dataclass(frozen=True)`` whose ``__repr__``, ``__eq__`` and ``__hash__``
are built from shared functions instead of compiled per class.

CPython 3.11's ``dataclass`` writes each generated method as source text and compiles it
(``exec``): six per frozen class, about 0.45 ms a class, and a diff imports some 100 of
them (model, operations, dialects): 45 ms, an eighth of a 1,000-table PostgreSQL diff's CPU
time, most of it compiling. Here ``dataclass`` still writes ``__init__``, ``__setattr__``
and ``__delattr__`` (frozen: the same checks, the same errors), while the other three are
closures over an ``operator.attrgetter`` of the class's fields: nothing to compile, and as
fast when called (the getter builds the fields' tuple in C). They behave as the generated
ones do: the same fields (``compare``, ``hash``, ``repr`` flags), the same results (equal
hashes, ``NotImplemented`` for another class, ``...`` for a recursive repr), and methods
the class defines itself are kept.
"""

from __future__ import annotations

import dataclasses
import reprlib
from collections.abc import Callable
from operator import attrgetter
from typing import Any, TypeVar, dataclass_transform, overload

_T = TypeVar("_T", bound=type)


@overload
def frozen(cls: _T, /) -> _T: ...
@overload
def frozen(*, kw_only: bool = False) -> Callable[[_T], _T]: ...
@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field, dataclasses.Field))
def frozen(cls: _T | None = None, /, *, kw_only: bool = False) -> _T | Callable[[_T], _T]:
    """``@dataclass(frozen=True)`` (or ``@frozen(kw_only=True)``), cheaper to create."""

    def wrap(cls: _T) -> _T:
        # What the class defines itself wins, as with dataclass (a body that defines
        # __eq__ alone gets __hash__ = None from Python, which is not an explicit hash).
        own = cls.__dict__
        own_hash = own.get("__hash__", dataclasses.MISSING)
        explicit_hash = not (
            own_hash is dataclasses.MISSING or (own_hash is None and "__eq__" in own)
        )
        has_eq, has_repr = "__eq__" in own, "__repr__" in own
        dataclasses.dataclass(cls, frozen=True, eq=False, repr=False, kw_only=kw_only)
        fields = dataclasses.fields(cls)
        if not has_repr:
            cls.__repr__ = _repr(tuple(f.name for f in fields if f.repr))  # type: ignore[assignment]
        if not has_eq:
            cls.__eq__ = _eq(_getter([f.name for f in fields if f.compare]))  # type: ignore[assignment]
        if not explicit_hash:
            hashed = [f.name for f in fields if (f.compare if f.hash is None else f.hash)]
            cls.__hash__ = _hash(_getter(hashed))  # type: ignore[assignment]
        return cls

    return wrap if cls is None else wrap(cls)


def _getter(names: list[str]) -> Callable[[object], tuple[Any, ...]]:
    """The fields' values as a tuple, as the generated methods build it."""
    if len(names) > 1:
        return attrgetter(*names)
    if names:
        one = attrgetter(names[0])
        return lambda obj: (one(obj),)
    return lambda obj: ()


def _eq(values: Callable[[object], tuple[Any, ...]]) -> Callable[[object, object], Any]:
    def __eq__(self: object, other: object) -> Any:
        if other.__class__ is self.__class__:
            return values(self) == values(other)
        return NotImplemented

    return __eq__


def _hash(values: Callable[[object], tuple[Any, ...]]) -> Callable[[object], int]:
    def __hash__(self: object) -> int:
        return hash(values(self))

    return __hash__


def _repr(names: tuple[str, ...]) -> Callable[[object], str]:
    @reprlib.recursive_repr()
    def __repr__(self: object) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{self.__class__.__qualname__}({inner})"

    return __repr__
