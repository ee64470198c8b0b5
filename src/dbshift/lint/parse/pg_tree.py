"""libpg_query's JSON parse trees, and pglast nodes built lazily from them.

``pglast.parse_sql`` builds every node of every statement through validating attribute
setters; on 10,000 statements that was most of a lint run. ``statements()`` parses a whole
section with one ``parse_sql_json`` call (decoded by the C JSON parser) and splits it at
libpg_query's statement boundaries; the adapter (postgres.py) reads those dicts. Where a
pglast node is wanted (printing an expression), ``node()`` makes one whose class is a
subclass of its pglast class (same name, so ``isinstance`` and dispatch on the class name
work) converting each attribute from the JSON the first time it is read; ``real()`` turns a
subtree into plain pglast nodes, for pglast's printer, which looks printers up by exact class.

Differences from ``pglast.parse_sql``: ``location`` attributes are libpg_query's byte offsets
(pglast converts them to character offsets), which only differ after non-ASCII text.
"""

from __future__ import annotations

import enum
import json
import re
from typing import Any

from pglast import ast, enums, parser

ParseError = parser.ParseError

_NUMBERS = frozenset(
    {
        "int",
        "int16",
        "int32",
        "long",
        "bits32",
        "AclMode",
        "AttrNumber",
        "Cardinality",
        "Cost",
        "Index",
        "ParseLoc",
        "RelFileNumber",
        "SubTransactionId",
    }
)
_LISTS = frozenset({"List", "IntList", "OidList", "XidList"})
#: A_Const keeps its value in one of these keys, each a node of that class.
_VALUES = (
    ("ival", "Integer"),
    ("sval", "String"),
    ("fval", "Float"),
    ("boolval", "Boolean"),
    ("bsval", "BitString"),
)
_LEADING = re.compile(rb"(?:\s+|--[^\n]*|/\*(?:[^*]|\*(?!/))*\*/)*")

_LAZY: dict[str, Any] = {}


def _specs(cls: Any) -> dict[str, tuple[str, str, Any, Any]]:
    """attribute -> (JSON key, how to convert, class or enum, value when the JSON omits it:
    libpg_query leaves out false, zero and null)."""
    out: dict[str, tuple[str, str, Any, Any]] = {}
    for attr, info in cls.__slots__.items():
        ctype = info.c_type
        key = attr[:-1] if attr.endswith("_") else attr
        target = getattr(enums, ctype, None)
        if cls is ast.A_Const and attr == "val":
            out[attr] = (key, "union", None, None)
        elif isinstance(target, type) and issubclass(target, enum.Enum):
            zero = next((m for m in target if m.value == 0), None)
            out[attr] = (key, "enum", target, zero)
        elif ctype == "bool":
            out[attr] = (key, "value", None, False)
        elif ctype in _NUMBERS:
            out[attr] = (key, "value", None, 0)
        elif ctype == "char":
            out[attr] = (key, "value", None, "\x00")
        elif ctype == "char*":
            out[attr] = (key, "value", None, None)
        elif isinstance(getattr(getattr(ast, ctype.rstrip("*"), None), "__slots__", None), dict):
            # A known struct (or a pointer to one): the JSON holds its fields, unwrapped.
            out[attr] = (key, "struct", ctype.rstrip("*"), None)
        else:
            # Node*, List*, Expr*...: the JSON wraps each node in {"ClassName": {...}}.
            out[attr] = (key, "node", None, None)
    return out


def _getattr(self: Any, name: str) -> Any:
    """Called for attributes not converted yet: convert, keep, return."""
    spec = self._specs.get(name)
    if spec is None:
        raise AttributeError(name)
    key, how, target, default = spec
    raw = self._raw
    if how == "union":
        value = next((_make(cls, raw[key]) for key, cls in _VALUES if key in raw), None)
    else:
        value = raw.get(key)
        if value is None:
            value = default
        elif how == "enum":
            value = target[value]
        elif how == "struct":
            value = _make(target, value)
        elif how == "node":
            value = node(value)
    object.__setattr__(self, name, value)
    return value


def _lazy(name: str) -> Any:
    cls: Any = _LAZY.get(name)
    if cls is None:
        base = getattr(ast, name)
        body = {"__slots__": ("_raw",), "__getattr__": _getattr, "_specs": _specs(base)}
        cls = type(name, (base,), body)
        # pglast iterates ``__slots__`` (a dict of attribute -> type) to walk and compare
        # nodes: the subclass shows its base's.
        cls.__slots__ = base.__slots__
        _LAZY[name] = cls
    return cls


_new = object.__new__
_set = object.__setattr__


def _make(name: str, raw: dict[str, Any]) -> Any:
    obj: Any = _new(_LAZY.get(name) or _lazy(name))
    _set(obj, "_raw", raw)
    return obj


def node(value: Any) -> Any:
    """A JSON value where pglast has a node, a tuple of nodes, or a scalar."""
    kind = type(value)
    if kind is list:
        return tuple([node(item) for item in value])
    if kind is dict and len(value) == 1:
        for name, body in value.items():
            if name in _LISTS:
                return tuple([node(item) for item in body.get("items", ())])
            obj: Any = _new(_LAZY.get(name) or _lazy(name))
            _set(obj, "_raw", body)
            return obj
    return value


def real(value: Any) -> Any:
    """A lazy subtree as plain pglast nodes (every attribute converted)."""
    if isinstance(value, tuple):
        return tuple(real(item) for item in value)
    if not isinstance(value, ast.Node) or _LAZY.get(type(value).__name__) is not type(value):
        return value
    base: Any = type(value).__mro__[1]
    out: Any = object.__new__(base)
    for attr in base.__slots__:
        object.__setattr__(out, attr, real(getattr(value, attr)))
    return out


def statements(text: str) -> list[tuple[int, int, str, Any]]:
    """Each statement of ``text``: the byte offset where its first token is, how many
    newlines precede that, its SQL (no leading comments, no ``;``), and its tree as
    libpg_query's JSON gives it (``node()`` makes pglast nodes of it).

    Raises ``ParseError`` when any statement does not parse.
    """
    data = text.encode("utf-8")
    out = []
    counted = newlines = 0
    for stmt in json.loads(parser.parse_sql_json(text)).get("stmts", ()):
        begin = stmt.get("stmt_location", 0)
        length = stmt.get("stmt_len", 0)
        end = begin + length if length else len(data)
        lead = _LEADING.match(data, begin)
        start = lead.end() if lead else begin
        newlines += data.count(b"\n", counted, start)
        counted = start
        sql = data[start:end].decode("utf-8").rstrip()
        out.append((start, newlines, sql, stmt["stmt"]))
    return out


def simple_text(value: Any) -> str | None:
    """The SQL of a simple expression (a constant, a column, an argument-less function call,
    ``c IS NOT NULL``, ``c > 0``) as pglast's printer writes it, without the printer (which
    costs more than the parse); None for anything else."""
    name = type(value).__name__
    if name == "A_Const":
        if value.isnull:
            return "NULL"
        val = value.val
        kind = type(val).__name__
        if kind == "Integer":
            return str(val.ival)
        if kind == "Float":
            return str(val.fval)
        if kind == "Boolean":
            return "TRUE" if val.boolval else "FALSE"
        if kind == "String" and "\\" not in (val.sval or ""):
            return "'" + str(val.sval or "").replace("'", "''") + "'"
        return None
    if name == "ColumnRef":
        parts = [_identifier(field) for field in value.fields]
        return None if None in parts else ".".join(p for p in parts if p)
    if name == "NullTest" and not value.argisrow:
        arg = simple_text(value.arg)
        test = "IS NULL" if value.nulltesttype == enums.NullTestType.IS_NULL else "IS NOT NULL"
        return None if arg is None else f"{arg} {test}"
    if name == "A_Expr" and value.kind == enums.A_Expr_Kind.AEXPR_OP and len(value.name) == 1:
        op = str(value.name[0].sval)
        left, right = simple_text(value.lexpr), simple_text(value.rexpr)
        if op in _OPERATORS and left is not None and right is not None:
            return f"{left} {op} {right}"
        return None
    if (
        name == "FuncCall"
        and not value.args
        and not value.agg_star
        and value.over is None
        and len(value.funcname) == 1
    ):
        func = _identifier(value.funcname[0])
        return f"{func}()" if func and func.isidentifier() else None
    return None


_OPERATORS = frozenset({"=", "<>", "<", ">", "<=", ">="})
_SIMPLE_NAME = re.compile(r"[a-z_][a-z0-9_]*$")


def _identifier(field: Any) -> str | None:
    """A name as pglast's printer writes it: double-quoted unless plain and no keyword."""
    if type(field).__name__ != "String":
        return None
    from pglast.keywords import RESERVED_KEYWORDS, TYPE_FUNC_NAME_KEYWORDS

    text = str(field.sval)
    if not _SIMPLE_NAME.match(text) or text in RESERVED_KEYWORDS or text in TYPE_FUNC_NAME_KEYWORDS:
        return '"' + text.replace('"', '""') + '"'
    return text
