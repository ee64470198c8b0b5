"""An online file's ``[[operations]]`` tables read into ``ops.*`` operations.

The file speaks the online engines' words (``table``, ``column``, ``data_type``,
``not_null``, ``up``, ``down`` ...); each table becomes the typed operation the differ and
the renderers use, in its online form: ``up``/``down`` expressions, and for
``alter_column`` (and ``add_check``'s column) the attributes the file leaves out marked
``unchanged`` (an omitted key means the column keeps it). ``write.py`` is the way back.

Every key is checked here, before any engine sees the operation, so a bad file is refused
with the same message on every server.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dbshift import ops
from dbshift.errors import OnlineOperationError
from dbshift.model import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    IndexElement,
    ReferentialAction,
    UniqueConstraint,
)

#: Keys holding SQL expressions (evaluated by the server, not TOML values).
_EXPRESSIONS = frozenset({"default", "up", "down", "check", "where"})
#: The value kinds a key takes.
_STR, _OPT_STR, _BOOL, _OPT_BOOL, _NAMES = "str", "str?", "bool", "bool?", "names"
_ACTIONS = frozenset(a.value for a in ReferentialAction)


@dataclass(frozen=True)
class _Key:
    name: str
    kind: str
    required: bool = False


def _k(name: str, kind: str, *, required: bool = False) -> _Key:
    return _Key(name, kind, required)


_TABLE = _k("table", _STR, required=True)
_HIDDEN = (
    _TABLE,
    _k("column", _STR, required=True),
    _k("data_type", _OPT_STR),
    _k("default", _OPT_STR),
    _k("not_null", _OPT_BOOL),
)
_ALTER = (*_HIDDEN, _k("up", _OPT_STR), _k("down", _OPT_STR), _k("drop_default", _BOOL))

#: Each type's keys, in the order they are checked (the order messages come in).
KEYS: dict[str, tuple[_Key, ...]] = {
    "add_check": (*_ALTER, _k("name", _STR), _k("check", _STR)),
    "add_column": (*_HIDDEN, _k("up", _OPT_STR)),
    "add_foreign_key": (
        _TABLE,
        _k("name", _STR, required=True),
        _k("columns", _NAMES),
        _k("references", _STR),
        _k("referenced_columns", _NAMES),
        _k("on_delete", _OPT_STR),
    ),
    "add_unique": (_TABLE, _k("name", _STR, required=True), _k("columns", _NAMES)),
    "alter_column": _ALTER,
    "create_index": (
        _TABLE,
        _k("name", _STR, required=True),
        _k("columns", _NAMES),
        _k("unique", _BOOL),
        _k("method", _OPT_STR),
        _k("where", _OPT_STR),
    ),
    "drop_column": (_TABLE, _k("column", _STR, required=True), _k("down", _OPT_STR)),
    "drop_index": (_TABLE, _k("name", _STR, required=True)),
    "raw_sql": (_TABLE, _k("up", _STR, required=True), _k("down", _OPT_STR)),
    "rename_column": (
        _TABLE,
        _k("column", _STR, required=True),
        _k("new_name", _STR, required=True),
    ),
    "rename_table": (_TABLE, _k("new_name", _STR, required=True)),
    "split_table": (
        _TABLE,
        _k("new_table", _STR, required=True),
        _k("columns", _NAMES),
        _k("key", _STR),
        _k("new_key", _STR),
    ),
}

#: What the list keys hold, for their message.
_LIST_WHAT = {"split_table": "the columns that move"}


def _example(value: object) -> str:
    """How ``value`` is written as an SQL expression in TOML (``0`` -> ``"0"``)."""
    if isinstance(value, bool):
        return '"true"' if value else '"false"'
    if isinstance(value, int | float):
        return f'"{value}"'
    return "\"'text'\" (a quoted SQL literal)"


def name_list(raw: dict[str, Any], key: str, what: str = "column names") -> tuple[str, ...]:
    """``raw[key]`` as a non-empty tuple of names, or a clear error."""
    value = raw.get(key)
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise OnlineOperationError(f"{key} must be a non-empty list of {what}")
    return tuple(value)


def _checked(kind: str, raw: dict[str, Any]) -> dict[str, Any]:
    """``raw`` with its keys checked against ``kind``'s and its lists made tuples."""
    keys = KEYS[kind]
    out = dict(raw)
    for key in keys:  # the lists first: a list's message names what it holds
        if key.kind == _NAMES:
            out[key.name] = name_list(raw, key.name, _LIST_WHAT.get(kind, "column names"))
    if kind == "split_table" and "types" in raw:
        raise OnlineOperationError("unknown key 'types'")
    names = {k.name for k in keys}
    unknown = set(raw) - names
    if unknown:
        raise OnlineOperationError(
            f"unknown key {sorted(unknown)[0]!r} (known: {', '.join(sorted(names))})"
        )
    for key in keys:
        value = raw.get(key.name)
        if value is None:
            continue
        if key.kind in (_STR, _OPT_STR) and not isinstance(value, str):
            if key.name in _EXPRESSIONS:
                raise OnlineOperationError(
                    f"{key.name} must be a string holding an SQL expression, e.g. "
                    f"{key.name} = {_example(value)}"
                )
            raise OnlineOperationError(f"{key.name} must be a string")
        if key.kind in (_BOOL, _OPT_BOOL) and not isinstance(value, bool):
            raise OnlineOperationError(f"{key.name} must be true or false")
    missing = [k.name for k in keys if k.required and k.name not in raw]
    if missing:
        raise OnlineOperationError(f"missing {', '.join(missing)}")
    if not out["table"]:
        raise OnlineOperationError("table must not be empty")
    return out


def read_operation(kind: str, raw: dict[str, Any]) -> ops.Operation:
    """The operation an online file's ``[[operations]]`` table of type ``kind`` says
    (``raw`` without its ``type``); OnlineOperationError says what is wrong."""
    reader = _READERS.get(kind)
    if reader is None:
        raise OnlineOperationError(f"unknown type {kind!r}")
    return reader(_checked(kind, raw))


def _on(r: dict[str, Any]) -> tuple[str | None, str]:
    # The schema is the migration's (its top-level ``schema``), not the operation's.
    return (None, r["table"])


def _alter(r: dict[str, Any]) -> ops.AlterColumn:
    """An ``alter_column`` (or ``add_check``'s column): what the file leaves out stays."""
    default, drop_default = r.get("default"), bool(r.get("drop_default", False))
    if drop_default and default is not None:
        raise OnlineOperationError("default and drop_default = true contradict each other")
    unchanged = set()
    if not r.get("data_type"):
        unchanged.add("type")
    if r.get("not_null") is None:
        unchanged.add("nullable")
    if default is None and not drop_default:
        unchanged.add("default")
    not_null = bool(r.get("not_null"))
    return ops.AlterColumn(
        on=_on(r),
        before=Column(r["column"], ""),
        after=Column(r["column"], r.get("data_type") or "", not not_null, default),
        up=r.get("up"),
        down=r.get("down"),
        unchanged=frozenset(unchanged),
    )


def _add_column(r: dict[str, Any]) -> ops.Operation:
    if not r.get("data_type"):
        raise OnlineOperationError("data_type is required")
    not_null, default, up = bool(r.get("not_null")), r.get("default"), r.get("up")
    if not_null and default is None and up is None:
        raise OnlineOperationError(
            "a NOT NULL column needs a default or an up expression: rows the old "
            "version inserts would have no value"
        )
    column = Column(r["column"], r["data_type"], nullable=not not_null, default=default)
    return ops.AddColumn(on=_on(r), column=column, up=up)


def _add_check(r: dict[str, Any]) -> ops.Operation:
    through = _alter(r)
    name, check = r.get("name", ""), r.get("check", "")
    if not name or not check:
        raise OnlineOperationError("add_check needs name and check")
    check_expression(check)  # parse errors surface when the file is read
    return ops.AddCheck(on=_on(r), constraint=CheckConstraint(name, check), through=through)


def check_expression(check: str) -> Any:
    """``check`` parsed by PostgreSQL's own parser (pglast), as an expression node."""
    import pglast

    try:
        (raw,) = pglast.parse_sql(f"SELECT ({check})")
    except pglast.parser.ParseError as exc:
        raise OnlineOperationError(f"check {check!r}: {exc}") from None
    select: Any = raw.stmt
    return select.targetList[0].val


def _add_foreign_key(r: dict[str, Any]) -> ops.Operation:
    if not r.get("references"):
        raise OnlineOperationError("references (the referenced table) is required")
    if len(r["columns"]) != len(r["referenced_columns"]):
        raise OnlineOperationError("columns and referenced_columns differ in length")
    on_delete = r.get("on_delete")
    if on_delete is not None and on_delete.upper() not in _ACTIONS:
        raise OnlineOperationError(f"on_delete must be one of {', '.join(sorted(_ACTIONS))}")
    fk = ForeignKey(
        name=r["name"],
        columns=r["columns"],
        ref_table=r["references"],
        ref_columns=r["referenced_columns"],
        on_delete=ReferentialAction(on_delete.upper())
        if on_delete
        else ReferentialAction.NO_ACTION,
    )
    return ops.AddForeignKey(on=_on(r), constraint=fk)


def _add_unique(r: dict[str, Any]) -> ops.Operation:
    return ops.AddUnique(on=_on(r), constraint=UniqueConstraint(r["name"], r["columns"]))


def _create_index(r: dict[str, Any]) -> ops.Operation:
    index = Index(
        r["name"],
        tuple(IndexElement(c) for c in r["columns"]),
        unique=bool(r.get("unique", False)),
        where=r.get("where"),
        method=r.get("method"),
    )
    return ops.CreateIndex(on=_on(r), index=index)


def _drop_column(r: dict[str, Any]) -> ops.Operation:
    # The column's type is the catalog's: the file names the column only.
    return ops.DropColumn(on=_on(r), column=Column(r["column"], ""), down=r.get("down"))


def _drop_index(r: dict[str, Any]) -> ops.Operation:
    return ops.DropIndex(on=_on(r), index=Index(r["name"], ()))


def _raw_sql(r: dict[str, Any]) -> ops.Operation:
    return ops.RawSQL(on=_on(r), up=r["up"], down=r.get("down"))


def _rename_column(r: dict[str, Any]) -> ops.Operation:
    if r["column"] == r["new_name"]:
        raise OnlineOperationError("new_name is the current name")
    return ops.RenameColumn(on=_on(r), old=r["column"], new=r["new_name"])


def _rename_table(r: dict[str, Any]) -> ops.Operation:
    if not r["new_name"] or r["new_name"] == r["table"]:
        raise OnlineOperationError("new_name must be a different name")
    return ops.RenameTable(old=r["table"], new=r["new_name"])


def _split_table(r: dict[str, Any]) -> ops.Operation:
    new_table, key, new_key = r["new_table"], r.get("key", "id"), r.get("new_key", "")
    if not new_table or not new_key:
        raise OnlineOperationError("split_table needs new_table and new_key")
    if key in r["columns"]:
        raise OnlineOperationError(f"the key {key!r} cannot move")
    return ops.SplitTable(
        on=_on(r), new_table=new_table, columns=r["columns"], key=key, new_key=new_key
    )


_READERS: dict[str, Callable[[dict[str, Any]], ops.Operation]] = {
    "add_check": _add_check,
    "add_column": _add_column,
    "add_foreign_key": _add_foreign_key,
    "add_unique": _add_unique,
    "alter_column": _alter,
    "create_index": _create_index,
    "drop_column": _drop_column,
    "drop_index": _drop_index,
    "raw_sql": _raw_sql,
    "rename_column": _rename_column,
    "rename_table": _rename_table,
    "split_table": _split_table,
}
#: The types an online file may use.
TYPES = frozenset(_READERS)
