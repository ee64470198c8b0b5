"""A schema to JSON and back, for snapshots stored in the database.

Generic over the model's dataclasses and their type hints rather than written per class:
the model grows new fields and object kinds often, and a hand-written codec would lose
each new field silently until someone noticed. Not pickle: a snapshot is read back from a
table other database users can write, and unpickling that would run their code.

Fields equal to their default are left out, so snapshots stay small and an older snapshot
(without a field added later) decodes to that field's default.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import threading
import types
import typing
from collections.abc import Callable
from enum import Enum
from functools import cache
from typing import Any, TypeVar, Union, get_args, get_origin

from dbshift.model.schema import Schema

T = TypeVar("T")

#: Bumped when a field changes meaning (not when one is added: see the module docstring).
CODEC_VERSION = 1


class SnapshotFormatError(ValueError):
    """The text is not a schema snapshot this dbshift can read."""


def dumps(schema: Schema) -> str:
    return json.dumps(
        {"codec": CODEC_VERSION, "schema": _encode(schema, {})},
        ensure_ascii=False,
        separators=(",", ":"),
    )


def loads(text: str) -> Schema:
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise SnapshotFormatError(f"not JSON: {exc}") from None
    if not isinstance(document, dict) or document.get("codec") != CODEC_VERSION:
        raise SnapshotFormatError("not a dbshift schema snapshot of a known codec version")
    _STATE.memo = {}
    try:
        schema = _decode(Schema, document["schema"])
    finally:
        _STATE.memo = None
    assert isinstance(schema, Schema)
    return schema


def _encode(value: Any, done: dict[int, Any]) -> Any:
    """``value`` as JSON data; ``done`` holds what this ``dumps`` has encoded, by id.

    The inspectors build each distinct column or index element once and share it between
    tables (``id bigint NOT NULL`` in every one), so an object met again is encoded once:
    the same dict goes into the JSON twice, which prints exactly as two equal dicts. The
    objects stay alive for the whole ``dumps``, so their ids cannot be reused meanwhile.
    """
    cls = type(value)
    plan = _ENCODE_PLANS.get(cls)
    if plan is None and dataclasses.is_dataclass(cls):
        plan = _ENCODE_PLANS[cls] = _encode_plan(cls)
    if plan is not None:
        out: dict[str, Any] | None = done.get(id(value))
        if out is None:
            out = done[id(value)] = {}
            for name, default in plan:
                item = getattr(value, name)
                if default is _REQUIRED or item != default:
                    out[name] = _encode(item, done)
        return out
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [_encode(item, done) for item in value]
    return value


class _State(threading.local):
    #: While ``loads`` runs in this thread: decoded objects by (class, their JSON items).
    memo: dict[Any, Any] | None = None


_STATE = _State()


_REQUIRED = object()
_ENCODE_PLANS: dict[type, tuple[tuple[str, Any], ...]] = {}


def _encode_plan(cls: type) -> tuple[tuple[str, Any], ...]:
    """Each field with the default that lets it be left out (computed once per class:
    encoding 1,000 tables visits about 100,000 objects)."""
    plan = []
    for f in _fields(cls):
        if f.default is not dataclasses.MISSING:
            default: Any = f.default
        elif f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        else:
            default = _REQUIRED
        plan.append((f.name, default))
    return tuple(plan)


def _decode(hint: Any, data: Any) -> Any:
    return _decoder(hint)(data)


@cache
def _decoder(hint: Any) -> Callable[[Any], Any]:
    """A function decoding JSON data of type ``hint``, built once per type."""
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        options = [a for a in get_args(hint) if a is not type(None)]
        if len(options) != 1:
            return _identity  # unions of plain values (str | int) stay as JSON has them
        inner = _decoder(options[0])
        return lambda data: None if data is None else inner(data)
    if origin is tuple:
        args = get_args(hint)
        item = _decoder(args[0] if args else Any)

        def decode_tuple(data: Any) -> Any:
            if not isinstance(data, list):
                raise SnapshotFormatError(f"expected a list for {hint}, got {type(data).__name__}")
            return tuple(item(x) for x in data)

        return decode_tuple
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _dataclass_decoder(hint)
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint
    return _identity


def _dataclass_decoder(cls: type) -> Callable[[Any], Any]:
    hints = _hints(cls)
    fields = {f.name: hints[f.name] for f in _fields(cls)}
    decoders: dict[str, Callable[[Any], Any]] = {}

    def decode(data: Any) -> Any:
        if not isinstance(data, dict):
            raise SnapshotFormatError(f"expected an object for {cls.__name__}")
        # Equal JSON objects of plain values decode to one (frozen) object, built once:
        # most of a snapshot's columns and index elements repeat. The key has each
        # value's type, so True and 1 (equal, and equally hashed) stay apart; an object
        # holding lists or objects is unhashable and decoded each time.
        memo, key = _STATE.memo, None
        if memo is not None:
            key = (cls, tuple(data.items()), tuple(map(type, data.values())))
            try:
                found = memo.get(key)
            except TypeError:
                key = None
            else:
                if found is not None:
                    return found
        if not decoders:  # filled on first use: the field types may refer back to cls
            decoders.update({name: _decoder(hint) for name, hint in fields.items()})
        kwargs = {k: decoders[k](v) for k, v in data.items() if k in decoders}
        try:
            made = cls(**kwargs)
        except TypeError as exc:
            raise SnapshotFormatError(f"{cls.__name__}: {exc}") from None
        if key is not None and memo is not None:
            memo[key] = made
        return made

    return decode


def _identity(data: Any) -> Any:
    return data


@cache
def _fields(cls: type) -> tuple[dataclasses.Field[Any], ...]:
    # init=False fields are caches or derived values, never part of what a schema holds.
    return tuple(f for f in dataclasses.fields(cls) if f.init)


@cache
def _hints(cls: type) -> dict[str, Any]:
    module = sys.modules[cls.__module__]
    return typing.get_type_hints(cls, vars(module))
