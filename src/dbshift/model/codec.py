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
import types
import typing
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
        {"codec": CODEC_VERSION, "schema": _encode(schema)},
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
    schema = _decode(Schema, document["schema"])
    assert isinstance(schema, Schema)
    return schema


def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {}
        for f in _fields(type(value)):
            item = getattr(value, f.name)
            if _is_default(f, item):
                continue
            out[f.name] = _encode(item)
        return out
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [_encode(item) for item in value]
    return value


def _is_default(f: dataclasses.Field[Any], item: Any) -> bool:
    if f.default is not dataclasses.MISSING:
        return bool(item == f.default)
    if f.default_factory is not dataclasses.MISSING:
        return bool(item == f.default_factory())
    return False


def _decode(hint: Any, data: Any) -> Any:
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        options = [a for a in get_args(hint) if a is not type(None)]
        if data is None:
            return None
        if len(options) == 1:
            return _decode(options[0], data)
        return data  # unions of plain values (str | int): JSON kept them as they were
    if origin is tuple:
        args = get_args(hint)
        item = args[0] if args else Any
        if not isinstance(data, list):
            raise SnapshotFormatError(f"expected a list for {hint}, got {type(data).__name__}")
        return tuple(_decode(item, x) for x in data)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        if not isinstance(data, dict):
            raise SnapshotFormatError(f"expected an object for {hint.__name__}")
        hints = _hints(hint)
        known = {f.name for f in _fields(hint)}
        kwargs = {k: _decode(hints[k], v) for k, v in data.items() if k in known}
        try:
            return hint(**kwargs)
        except TypeError as exc:
            raise SnapshotFormatError(f"{hint.__name__}: {exc}") from None
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint(data)
    return data


@cache
def _fields(cls: type) -> tuple[dataclasses.Field[Any], ...]:
    # init=False fields are caches or derived values, never part of what a schema holds.
    return tuple(f for f in dataclasses.fields(cls) if f.init)


@cache
def _hints(cls: type) -> dict[str, Any]:
    module = sys.modules[cls.__module__]
    return typing.get_type_hints(cls, vars(module))
