"""Transitional: ``ops.*`` operations (what ``online/read.py`` reads) as the online
operation classes the engines still take. Removed once the engines dispatch on ``ops``."""

from __future__ import annotations

from typing import Any

from dbshift import ops
from dbshift.online.operations import OPERATION_TYPES, OnlineOperation


def _alter_keys(op: ops.AlterColumn) -> dict[str, Any]:
    unchanged = op.unchanged or frozenset()
    out: dict[str, Any] = {"column": op.after.name, "up": op.up, "down": op.down}
    if "type" not in unchanged:
        out["data_type"] = op.after.type
    if "nullable" not in unchanged:
        out["not_null"] = not op.after.nullable
    if "default" not in unchanged:
        if op.after.default is None:
            out["drop_default"] = True
        else:
            out["default"] = op.after.default
    return out


def to_online(op: ops.Operation) -> OnlineOperation:
    assert op.table_key is not None
    keys: dict[str, Any] = {"table": op.table_key[1]}
    match op:
        case ops.AddColumn():
            c = op.column
            keys |= {"column": c.name, "data_type": c.type, "default": c.default, "up": op.up}
            keys["not_null"] = not c.nullable
        case ops.AlterColumn():
            keys |= _alter_keys(op)
        case ops.AddCheck():
            assert op.through is not None
            keys |= _alter_keys(op.through)
            keys |= {"name": op.constraint.name, "check": op.constraint.expression}
        case ops.DropColumn():
            keys |= {"column": op.column.name, "down": op.down}
        case ops.RenameColumn():
            keys |= {"column": op.old, "new_name": op.new}
        case ops.RenameTable():
            keys |= {"new_name": op.new}
        case ops.CreateIndex():
            i = op.index
            keys |= {"name": i.name, "columns": [e.expression for e in i.elements]}
            keys |= {"unique": i.unique, "where": i.where, "method": i.method}
        case ops.DropIndex():
            keys |= {"name": op.index.name}
        case ops.AddUnique():
            keys |= {"name": op.constraint.name, "columns": list(op.constraint.columns)}
        case ops.AddForeignKey():
            fk = op.constraint
            keys |= {
                "name": fk.name,
                "columns": list(fk.columns),
                "references": fk.ref_table,
                "referenced_columns": list(fk.ref_columns),
                "on_delete": None if fk.on_delete is ops_no_action() else fk.on_delete.value,
            }
        case ops.RawSQL():
            keys |= {"up": op.up, "down": op.down}
        case ops.SplitTable():
            keys |= {"new_table": op.new_table, "columns": list(op.columns)}
            keys |= {"key": op.key, "new_key": op.new_key}
    return OPERATION_TYPES[op.kind].from_dict({k: v for k, v in keys.items() if v is not None})


def ops_no_action() -> Any:
    from dbshift.model import ReferentialAction

    return ReferentialAction.NO_ACTION
