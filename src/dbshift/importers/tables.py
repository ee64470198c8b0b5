"""Reading another tool's history table: names quoted by SQLAlchemy, never pasted in."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection


def read_table(conn: Connection, name: str, columns: list[str]) -> list[Any] | None:
    """The rows of ``name`` (these columns), or None when the table does not exist."""
    if not sa.inspect(conn).has_table(name):
        return None
    table = sa.table(name, *(sa.column(c) for c in columns))
    return list(conn.execute(sa.select(*table.c)))
