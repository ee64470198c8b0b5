"""Operations as the lines of a migration file or script: shared by the CLI's output and by
the commands below it that write migration files (``drift --generate``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dbshift.model import Schema
    from dbshift.ops import Operation


def terminated(sql: str, dialect: str) -> str:
    """A statement as a script line: MySQL routine bodies hold semicolons, so they go
    between ``DELIMITER`` commands, as the mysql client (and dbshift's splitter) expect."""
    if dialect == "mysql" and ";" in sql:
        return f"DELIMITER $$\n{sql}$$\nDELIMITER ;"
    return f"{sql};"


def header(op: Operation, dialect: str) -> str:
    """The operation with its safety flags, for the comment above its statements."""
    from dbshift.dialects import named

    safety = named(dialect).safety(op)
    flags = safety.flags()
    text = op.describe()
    if flags:
        text += f" [{', '.join(flags)}]"
    if safety.note and flags:
        text += f": {safety.note}"
    return text


def script_lines(
    ops: list[Operation], before: Schema, dialect: str, *, definer: str | None = None
) -> tuple[list[str], Schema]:
    """Each operation's header comment and statements, applied in turn from ``before``;
    also the schema after the last one. ``definer``: the config's (MySQL/MariaDB)."""
    from dbshift.dialects import renderer_for

    renderer = renderer_for(dialect, definer=definer)
    lines: list[str] = []
    schema = before
    for op in ops:
        lines.append(f"-- {header(op, dialect)}")
        lines.extend(terminated(sql, dialect) for sql in renderer.render([op], schema))
        schema = op.apply(schema)
    return lines, schema
