"""Printing a schema or a plan of operations: text, SQL, JSON, and migration files."""

from __future__ import annotations

import dataclasses
from enum import Enum
from typing import TYPE_CHECKING, Any

from dbshift.dialects.script import header as header
from dbshift.dialects.script import terminated as terminated

if TYPE_CHECKING:
    from collections.abc import Callable

    from dbshift.dialects import Dialect
    from dbshift.dialects.render import Renderer
    from dbshift.model import Schema
    from dbshift.ops import Operation


def schema_json(schema: Schema) -> str:
    import json  # here: diff --format sql (the common case) does without

    return json.dumps(_plain(schema), indent=2, ensure_ascii=False)


def schema_sql(schema: Schema, dialect: Dialect) -> str:
    """The schema as the DDL that creates it."""
    from dbshift.diff import DiffOptions, diff
    from dbshift.model import Schema as Empty

    ops = diff(
        Empty(), schema, DiffOptions(inline_foreign_keys=dialect.foreign_keys_only_in_create_table)
    )
    return plan_sql(ops, Empty(), dialect, annotate=False)


def for_client(script: str, dialect: Dialect) -> str:
    """A script as printed for the server's own client to run: the dialect's
    ``script_encoding`` statement first, where it has one and the script says anything."""
    if dialect.script_encoding is None or not script:
        return script
    return f"{dialect.script_encoding};\n{script}"


def plan_sql(
    ops: list[Operation],
    before: Schema,
    dialect: Dialect,
    *,
    annotate: bool = True,
    definer: str | None = None,
) -> str:
    """Statements, each operation introduced by a comment with its safety flags;
    ``definer`` as the config says (MySQL/MariaDB views, routines and triggers)."""
    render = _one_at_a_time(dialect.renderer(definer=definer))
    out: list[str] = []
    schema = before
    for op in ops:
        if annotate:
            out.append(f"-- {header(op, dialect)}")
        out.extend(terminated(sql, dialect) for sql in render(op, schema))
        schema = op.apply(schema)
    return "\n".join(out)


def _one_at_a_time(renderer: Renderer) -> Callable[[Operation, Schema], list[str]]:
    """The statements of one operation, for loops that apply each operation themselves.

    ``render([op], schema)`` applies ``op`` to learn the schema after it, and the callers
    apply it again: that second apply was half of rendering a 10,000-table plan. Where a
    renderer keeps the base ``render`` (statements, then apply), ``statements`` is the
    same text without it; SQLite's ``render`` turns some operations into table rebuilds,
    so it is called as it is.
    """
    from dbshift.dialects.render import Renderer

    if type(renderer).render is Renderer.render:
        return renderer.statements
    return lambda op, schema: renderer.render([op], schema)


def plan_text(ops: list[Operation], dialect: Dialect) -> str:
    return "\n".join(header(op, dialect) for op in ops)


def plan_json(
    ops: list[Operation], before: Schema, dialect: Dialect, *, definer: str | None = None
) -> str:
    render = _one_at_a_time(dialect.renderer(definer=definer))
    out = []
    schema = before
    for op in ops:
        safety = dialect.safety(op)
        out.append(
            {
                "kind": op.kind,
                "description": op.describe(),
                "sql": render(op, schema),
                "lock": safety.lock.name.lower(),
                "rewrite": safety.rewrite,
                "breaking": safety.breaking,
                "destructive": safety.destructive,
                "note": safety.note,
                "operation": _plain(op),
            }
        )
        schema = op.apply(schema)
    import json

    return json.dumps(out, indent=2, ensure_ascii=False)


def _plain(value: Any) -> Any:
    """Dataclasses to dicts without ``asdict``'s deep copy (10,000 tables stay cheap)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    return value
