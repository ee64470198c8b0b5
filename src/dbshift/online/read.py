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
from dbshift.errors import OnlineOperationError, UsageError
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
_STR, _OPT_STR, _BOOL, _OPT_BOOL, NAMES = "str", "str?", "bool", "bool?", "names"
_ACTIONS = frozenset(a.value for a in ReferentialAction)


@dataclass(frozen=True)
class _Key:
    """One key of an ``[[operations]]`` table: its name, the kind of value it takes, and
    ``get``, its value in an operation's file form (None: the key is left out)."""

    name: str
    kind: str
    get: Callable[[Any], object]
    required: bool = False


def _k(name: str, kind: str, get: Callable[[Any], object], *, required: bool = False) -> _Key:
    return _Key(name, kind, get, required)


def _table(op: ops.Operation) -> str:
    key = op.table_key
    return key[1] if key is not None else ""


def _online_alter(op: ops.AlterColumn) -> ops.AlterColumn:
    if op.unchanged is None:
        raise UsageError(f"{op.describe()}: not in its online form (what stays unchanged)")
    return op


def _through(op: ops.AddCheck) -> ops.AlterColumn:
    if op.through is None:
        raise UsageError(f"{op.describe()} has no online form")
    return _online_alter(op.through)


def _changes(op: ops.AlterColumn, what: str) -> bool:
    return what not in (op.unchanged or ())


def _alter_keys(at: Callable[[Any], ops.AlterColumn]) -> tuple[_Key, ...]:
    """An ``alter_column``'s keys (``at``: the operation's AlterColumn): only what changes
    is said, a dropped default as ``drop_default``, a dropped NOT NULL as ``not_null =
    false``."""

    def default(op: Any) -> str | None:
        a = at(op)
        return a.after.default if _changes(a, "default") else None

    def drop_default(op: Any) -> bool | None:
        a = at(op)
        return True if _changes(a, "default") and a.after.default is None else None

    def not_null(op: Any) -> bool | None:
        a = at(op)
        return not a.after.nullable if _changes(a, "nullable") else None

    return (
        _TABLE,
        _k("column", _STR, lambda op: at(op).after.name, required=True),
        _k(
            "data_type",
            _OPT_STR,
            lambda op: at(op).after.type if _changes(at(op), "type") else None,
        ),
        _k("up", _OPT_STR, lambda op: at(op).up),
        _k("down", _OPT_STR, lambda op: at(op).down),
        _k("default", _OPT_STR, default),
        _k("drop_default", _BOOL, drop_default),
        _k("not_null", _OPT_BOOL, not_null),
    )


def _true(value: bool) -> bool | None:
    """A flag that is written only when set."""
    return True if value else None


_TABLE = _k("table", _STR, _table, required=True)
_NAME = _k("name", _STR, lambda op: op.index.name, required=True)
_DOWN = _k("down", _OPT_STR, lambda op: op.down)


@dataclass(frozen=True)
class _Form:
    """One type of ``[[operations]]`` table: its operation class, its keys in the order
    they are checked and written, and how the checked keys build the operation. Reading
    (``read_operation``) and writing (``write.dump``) both go by this one table."""

    op: type[ops.Operation]
    keys: tuple[_Key, ...]
    build: Callable[[dict[str, Any]], ops.Operation]


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
    keys = FORMS[kind].keys
    out = dict(raw)
    for key in keys:  # the lists first: a list's message names what it holds
        if key.kind == NAMES:
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
    form = FORMS.get(kind)
    if form is None:
        raise OnlineOperationError(f"unknown type {kind!r}")
    return form.build(_checked(kind, raw))


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


def _on_delete(op: ops.AddForeignKey) -> str | None:
    action = op.constraint.on_delete
    return action.value if action is not ReferentialAction.NO_ACTION else None


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


_ALTER = _alter_keys(_online_alter)
#: A constraint's table, name and columns.
_CONSTRAINT = (
    _TABLE,
    _k("name", _STR, lambda op: op.constraint.name, required=True),
    _k("columns", NAMES, lambda op: op.constraint.columns),
)

#: Each type an online file may use.
FORMS: dict[str, _Form] = {
    "add_check": _Form(
        ops.AddCheck,
        (
            *_alter_keys(_through),
            _k("name", _STR, lambda op: op.constraint.name),
            _k("check", _STR, lambda op: op.constraint.expression),
        ),
        _add_check,
    ),
    "add_column": _Form(
        ops.AddColumn,
        (
            _TABLE,
            _k("column", _STR, lambda op: op.column.name, required=True),
            _k("data_type", _OPT_STR, lambda op: op.column.type),
            _k("default", _OPT_STR, lambda op: op.column.default),
            _k("not_null", _OPT_BOOL, lambda op: _true(not op.column.nullable)),
            _k("up", _OPT_STR, lambda op: op.up),
        ),
        _add_column,
    ),
    "add_foreign_key": _Form(
        ops.AddForeignKey,
        (
            *_CONSTRAINT,
            _k("references", _STR, lambda op: op.constraint.ref_table),
            _k("referenced_columns", NAMES, lambda op: op.constraint.ref_columns),
            _k("on_delete", _OPT_STR, _on_delete),
        ),
        _add_foreign_key,
    ),
    "add_unique": _Form(ops.AddUnique, _CONSTRAINT, _add_unique),
    "alter_column": _Form(ops.AlterColumn, _ALTER, _alter),
    "create_index": _Form(
        ops.CreateIndex,
        (
            _TABLE,
            _NAME,
            _k("columns", NAMES, lambda op: op.index.column_names),
            _k("unique", _BOOL, lambda op: _true(op.index.unique)),
            _k("method", _OPT_STR, lambda op: op.index.method or None),
            _k("where", _OPT_STR, lambda op: op.index.where or None),
        ),
        _create_index,
    ),
    "drop_column": _Form(
        ops.DropColumn,
        (_TABLE, _k("column", _STR, lambda op: op.column.name, required=True), _DOWN),
        _drop_column,
    ),
    "drop_index": _Form(ops.DropIndex, (_TABLE, _NAME), _drop_index),
    "raw_sql": _Form(
        ops.RawSQL, (_TABLE, _k("up", _STR, lambda op: op.up, required=True), _DOWN), _raw_sql
    ),
    "rename_column": _Form(
        ops.RenameColumn,
        (
            _TABLE,
            _k("column", _STR, lambda op: op.old, required=True),
            _k("new_name", _STR, lambda op: op.new, required=True),
        ),
        _rename_column,
    ),
    "rename_table": _Form(
        ops.RenameTable,
        (_TABLE, _k("new_name", _STR, lambda op: op.new, required=True)),
        _rename_table,
    ),
    "split_table": _Form(
        ops.SplitTable,
        (
            _TABLE,
            _k("new_table", _STR, lambda op: op.new_table, required=True),
            _k("columns", NAMES, lambda op: op.columns),
            _k("key", _STR, lambda op: op.key),
            _k("new_key", _STR, lambda op: op.new_key),
        ),
        _split_table,
    ),
}
#: The types an online file may use.
TYPES = frozenset(FORMS)
