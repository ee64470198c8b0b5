"""An online migration file from the differ's typed operations (``generate --online``).

Breaking changes (renames, type changes, drops, NOT NULL) become the online operations
that run them as expand/contract; changes that break nothing (a new table, a new view)
become ``raw_sql`` with the dialect renderer's SQL for up and down. A change with no
online form is refused by name rather than written as something that would block.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from dbshift import ops
from dbshift.errors import UsageError

if TYPE_CHECKING:
    from dbshift.dialects import Dialect
    from dbshift.dialects.render import Renderer
    from dbshift.model import Schema

#: Operations that break nothing the running application uses: their SQL runs as is.
_ADDITIVE = (
    ops.CreateTable,
    ops.CreateView,
    ops.CreateSequence,
    ops.CreateEnum,
    ops.AddEnumValue,
    ops.CreateRoutine,
    ops.CreateDomain,
    ops.SetTableComment,
)


def _s(value: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(value, ensure_ascii=False)


def online_toml(
    plan: Sequence[ops.Operation],
    current: Schema,
    *,
    description: str,
    dialect: Dialect,
) -> str:
    """The TOML text of an online migration doing ``plan`` on ``current``."""
    from dbshift.online.phases import WholeEngine
    from dbshift.online.service import engine_named

    engine = engine_named(dialect.name)
    if isinstance(engine, WholeEngine):
        raise UsageError(
            f"--online: {dialect.name} applies online migrations in one transaction; "
            "generate a regular migration"
        )
    renderer = dialect.renderer()
    schemas = {key[0] for op in plan if (key := op.table_key) is not None and key[0] is not None}
    if len(schemas) > 1:
        raise UsageError(
            f"an online migration works in one schema; this plan touches {sorted(schemas)}"
        )
    lines = [f"# {note}" for note in getattr(engine, "file_notes", ())]
    lines.append(f"description = {_s(description)}")
    if schemas and not dialect.databases_are_schemas:  # MySQL: the database of the URL
        lines.append(f"schema = {_s(next(iter(schemas)))}")
    state = current
    for op in plan:
        body = _operation(op, state, renderer, casts=engine.casts_on_alter)
        lines += ["", "[[operations]]", *body]
        state = op.apply(state)
    return "\n".join(lines) + "\n"


def _operation(op: ops.Operation, state: Schema, renderer: Renderer, *, casts: bool) -> list[str]:
    render = renderer.render
    table = op.table_key[1] if op.table_key is not None else ""
    head = [f"table = {_s(table)}"]
    if isinstance(op, ops.RenameColumn):
        return [
            *head,
            'type = "rename_column"',
            f"column = {_s(op.old)}",
            f"new_name = {_s(op.new)}",
        ]
    if isinstance(op, ops.RenameTable):
        return [f"table = {_s(op.old)}", 'type = "rename_table"', f"new_name = {_s(op.new)}"]
    if isinstance(op, ops.AddColumn):
        col = op.column
        if not col.nullable and col.default is None:
            raise UsageError(
                f"{op.describe()}: a NOT NULL column without a default has no value for rows "
                "the old version writes; give it a default, or write the file by hand with an "
                "up expression"
            )
        out = [
            *head,
            'type = "add_column"',
            f"column = {_s(col.name)}",
            f"data_type = {_s(col.type)}",
        ]
        if col.default is not None:
            out.append(f"default = {_s(col.default)}")
        if not col.nullable:
            out.append("not_null = true")
        return out
    if isinstance(op, ops.DropColumn):
        col = op.column
        out = [*head, 'type = "drop_column"', f"column = {_s(col.name)}"]
        if not col.nullable and col.default is None:
            raise UsageError(
                f"{op.describe()}: the old version needs a value for it in rows the new version "
                "inserts; write the file by hand with a down expression"
            )
        return out
    if isinstance(op, ops.AlterColumn):
        before, after = op.before, op.after
        out = [*head, 'type = "alter_column"', f"column = {_s(after.name)}"]
        if before.type != after.type:
            out.append(f"data_type = {_s(after.type)}")
            if casts:
                ident = renderer.q(after.name)
                out.append(f"up = {_s(f'CAST({ident} AS {after.type})')}")
                out.append(f"down = {_s(f'CAST({ident} AS {before.type})')}")
        # Left out means unchanged: only what differs is written.
        if after.default is not None and after.default != before.default:
            out.append(f"default = {_s(after.default)}")
        elif after.default is None and before.default is not None:
            out.append("drop_default = true")
        if after.nullable != before.nullable:
            out.append(f"not_null = {'false' if after.nullable else 'true'}")
        return out
    if isinstance(op, ops.CreateIndex) and not any(e.is_expression for e in op.index.elements):
        idx = op.index
        out = [*head, 'type = "create_index"', f"name = {_s(idx.name)}"]
        out.append("columns = [" + ", ".join(_s(e.expression) for e in idx.elements) + "]")
        if idx.unique:
            out.append("unique = true")
        if idx.where:
            out.append(f"where = {_s(idx.where)}")
        return out
    if isinstance(op, ops.DropIndex):
        return [*head, 'type = "drop_index"', f"name = {_s(op.index.name)}"]
    if isinstance(op, ops.AddUnique):
        c = op.constraint
        return [
            *head,
            'type = "add_unique"',
            f"name = {_s(c.name)}",
            "columns = [" + ", ".join(_s(x) for x in c.columns) + "]",
        ]
    if isinstance(op, ops.AddForeignKey):
        fk = op.constraint
        return [
            *head,
            'type = "add_foreign_key"',
            f"name = {_s(fk.name)}",
            "columns = [" + ", ".join(_s(x) for x in fk.columns) + "]",
            f"references = {_s(fk.ref_table)}",
            "referenced_columns = [" + ", ".join(_s(x) for x in fk.ref_columns) + "]",
        ]
    if isinstance(op, _ADDITIVE):
        up = ";\n".join(render([op], state))
        down = ";\n".join(render([op.reverse()], op.apply(state)))
        return [*head, 'type = "raw_sql"', f"up = {_s(up)}", f"down = {_s(down)}"]
    raise UsageError(f"{op.describe()} has no online form yet; generate a regular migration for it")
