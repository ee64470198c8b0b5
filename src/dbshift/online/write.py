"""``ops.*`` operations written as an online migration file: ``generate --online``.

Two steps, each over the one vocabulary:
- ``online_form``: the differ's plan as the operations an online file runs. Breaking
  changes (renames, type changes, drops, NOT NULL) keep their class in their online form
  (an ``alter_column`` says only what changes, with ``up``/``down`` casts where the engine
  needs them); changes that break nothing (a new table, a new view) become ``RawSQL``
  with the dialect renderer's SQL for up and down. A change with no online form is
  refused by name rather than written as something that would block.
- ``dump``: operations in their online form as TOML, the way ``read.py`` reads them back.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, cast

from dbshift import ops
from dbshift.errors import UsageError
from dbshift.model import Column, Index, IndexElement, ReferentialAction, UniqueConstraint
from dbshift.online.read import FORMS, NAMES
from dbshift.ops.alter_column import UNCHANGEABLE

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
    schemas = {key[0] for op in plan if (key := op.table_key) is not None and key[0] is not None}
    if len(schemas) > 1:
        raise UsageError(
            f"an online migration works in one schema; this plan touches {sorted(schemas)}"
        )
    # MySQL: the database of the URL, unless the plan names one.
    schema = next(iter(schemas)) if schemas and not dialect.databases_are_schemas else None
    online = online_form(plan, current, dialect.renderer(), casts=engine.casts_on_alter)
    notes = tuple(getattr(engine, "file_notes", ()))
    return dump(online, description=description, schema=schema, notes=notes)


def online_form(
    plan: Sequence[ops.Operation], current: Schema, renderer: Renderer, *, casts: bool
) -> list[ops.Operation]:
    """``plan`` (the differ's operations on ``current``) as an online file's operations;
    ``casts``: the engine needs ``up``/``down`` casts for a type change."""
    out = []
    state = current
    for op in plan:
        out.append(_online(op, state, renderer, casts=casts))
        state = op.apply(state)
    return out


def _online(op: ops.Operation, state: Schema, renderer: Renderer, *, casts: bool) -> ops.Operation:
    on = (None, op.table_key[1]) if op.table_key is not None else (None, "")
    match op:
        case ops.RenameColumn():
            return replace(op, on=on)
        case ops.RenameTable():
            return replace(op, schema=None)
        case ops.AddColumn():
            col = op.column
            if not col.nullable and col.default is None:
                raise UsageError(
                    f"{op.describe()}: a NOT NULL column without a default has no value for "
                    "rows the old version writes; give it a default, or write the file by hand "
                    "with an up expression"
                )
            return ops.AddColumn(
                on=on, column=Column(col.name, col.type, col.nullable, col.default), up=op.up
            )
        case ops.DropColumn():
            col = op.column
            if not col.nullable and col.default is None:
                raise UsageError(
                    f"{op.describe()}: the old version needs a value for it in rows the new "
                    "version inserts; write the file by hand with a down expression"
                )
            return ops.DropColumn(on=on, column=Column(col.name, ""))
        case ops.AlterColumn():
            return _alter(op, on, renderer, casts=casts)
        case ops.CreateIndex() if _file_says(op.index):
            # As the file says it: plain columns, unique, a method, a predicate.
            idx = op.index
            elements = tuple(IndexElement(e.expression) for e in idx.elements)
            index = Index(idx.name, elements, unique=idx.unique, where=idx.where, method=idx.method)
            return ops.CreateIndex(on=on, index=index)
        case ops.DropIndex():
            return ops.DropIndex(on=on, index=Index(op.index.name, ()))
        case ops.AddUnique():
            c = op.constraint
            return ops.AddUnique(on=on, constraint=UniqueConstraint(c.name, c.columns))
        case ops.AddForeignKey() if op.constraint.on_update in _NO_ACTIONS:
            # The file names the key, its columns, the referenced ones and ON DELETE; an
            # ON UPDATE other than the default has no key in the file, so it is refused.
            fk = replace(op.constraint, ref_schema=None, on_update=ReferentialAction.NO_ACTION)
            return ops.AddForeignKey(on=on, constraint=fk)
        case _ if isinstance(op, _ADDITIVE):
            up = ";\n".join(renderer.render([op], state))
            down = ";\n".join(renderer.render([op.reverse()], op.apply(state)))
            return ops.RawSQL(on=on, up=up, down=down)
    raise UsageError(f"{op.describe()} has no online form yet; generate a regular migration for it")


#: ON UPDATE actions that are the server's default (MariaDB reports it as RESTRICT).
_NO_ACTIONS = (ReferentialAction.NO_ACTION, ReferentialAction.RESTRICT)


def _file_says(index: Index) -> bool:
    """The file's ``create_index`` says plain ascending columns only: an index with an
    expression, an ordering, an operator class or INCLUDE is refused, not flattened."""
    plain = all(e == IndexElement(e.expression) for e in index.elements)
    return plain and not index.include and not index.nulls_not_distinct


def _alter(
    op: ops.AlterColumn, on: tuple[None, str], renderer: Renderer, *, casts: bool
) -> ops.AlterColumn:
    """Left out means unchanged: only what differs is said (a dropped default as
    ``drop_default``, a dropped NOT NULL as ``not_null = false``)."""
    before, after = op.before, op.after
    unchanged = set(UNCHANGEABLE)
    up = down = None
    if before.type != after.type:
        unchanged.discard("type")
        if casts:
            ident = renderer.q(after.name)
            up, down = f"CAST({ident} AS {after.type})", f"CAST({ident} AS {before.type})"
    if after.default != before.default:
        unchanged.discard("default")
    if after.nullable != before.nullable:
        unchanged.discard("nullable")
    return ops.AlterColumn(
        on=on,
        before=Column(after.name, ""),
        after=Column(
            after.name,
            after.type if "type" not in unchanged else "",
            after.nullable if "nullable" not in unchanged else True,
            after.default if "default" not in unchanged else None,
        ),
        up=up,
        down=down,
        unchanged=frozenset(unchanged),
    )


# --- TOML ---------------------------------------------------------------------------------


def _s(value: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's; JSON leaves DEL, U+007F, as it is,
    which TOML forbids in a string)."""
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def _names(values: Sequence[str]) -> str:
    return "[" + ", ".join(_s(v) for v in values) + "]"


def dump(
    operations: Sequence[ops.Operation],
    *,
    description: str,
    schema: str | None,
    notes: Sequence[str] = (),
) -> str:
    """An online migration file saying ``operations`` (in their online form), after the
    engine's ``notes`` as comments (what a user of that server must know, e.g. MySQL's
    LAST_INSERT_ID())."""
    lines = [f"# {note}" for note in notes]
    lines.append(f"description = {_s(description)}")
    if schema is not None:
        lines.append(f"schema = {_s(schema)}")
    for op in operations:
        lines += ["", "[[operations]]", *_keys(op)]
    return "\n".join(lines) + "\n"


def _value(kind: str, value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if kind == NAMES:
        return _names(cast("Sequence[str]", value))
    return _s(str(value))


def _keys(op: ops.Operation) -> list[str]:
    """``op``'s keys as its type's form says them (read.FORMS: the reader's table), the
    type after the table."""
    form = FORMS.get(op.kind)
    if form is None or not isinstance(op, form.op):
        raise UsageError(f"{op.describe()} has no online form")
    values = [(key, key.get(op)) for key in form.keys]
    out = [f"{key.name} = {_value(key.kind, value)}" for key, value in values if value is not None]
    return [out[0], f"type = {_s(op.kind)}", *out[1:]]
