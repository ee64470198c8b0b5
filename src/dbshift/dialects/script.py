"""Operations as the lines of a migration file or script: shared by the CLI's output and by
the commands below it that write migration files (``drift --generate``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dbshift.dialects.base import Dialect
    from dbshift.model import Schema
    from dbshift.ops import Operation


def terminated(sql: str, dialect: Dialect) -> str:
    """A statement as a script line: MySQL routine bodies hold semicolons, so where the
    server's client has a ``DELIMITER`` command they go between two of them, as the mysql
    client (and dbshift's splitter) expect."""
    if dialect.client_syntax.delimiter_command and ";" in sql:
        return f"DELIMITER $$\n{sql}$$\nDELIMITER ;"
    return f"{sql};"


def header(op: Operation, dialect: Dialect) -> str:
    """The operation with its safety flags on ``dialect``, for the comment above its
    statements."""
    safety = dialect.safety(op)
    flags = safety.flags()
    text = op.describe()
    if flags:
        text += f" [{', '.join(flags)}]"
    if safety.note and flags:
        text += f": {safety.note}"
    # One comment line: a name may hold a line break (a view named `v<LF>x`), and the
    # rest of the name would be read as SQL.
    return text.replace("\r", "\\r").replace("\n", "\\n")


def script_lines(
    ops: list[Operation], before: Schema, dialect: Dialect, *, definer: str | None = None
) -> tuple[list[str], Schema]:
    """Each operation's header comment and statements, applied in turn from ``before``;
    also the schema after the last one. ``definer``: the config's (MySQL/MariaDB)."""
    renderer = dialect.renderer(definer=definer)
    lines: list[str] = []
    schema = before
    for op in ops:
        lines.append(f"-- {header(op, dialect)}")
        lines.extend(terminated(sql, dialect) for sql in renderer.render([op], schema))
        schema = op.apply(schema)
    return lines, schema
