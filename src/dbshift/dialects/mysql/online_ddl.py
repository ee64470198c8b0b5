"""Which ALTER TABLE forms InnoDB runs without blocking writes, so the renderer can say so
(``ALGORITHM=INSTANT`` or ``ALGORITHM=INPLACE, LOCK=NONE``): should the server disagree,
it refuses the statement instead of silently copying the table, and the linter
(mysql-add-column-not-instant, create-index-blocking) accepts it.

Each form was run on MariaDB 10.11 against a table holding rows; MySQL 8.0's online DDL
table documents the same (INSTANT ADD COLUMN from 8.0.12, any position from 8.0.29):

- ADD COLUMN, INSTANT: nullable or NOT NULL, a constant or CURRENT_TIMESTAMP default, a
  TEXT column with a default, a VIRTUAL generated column, a comment. Refused ("Try
  ALGORITHM=INPLACE") on a table with a FULLTEXT index; a STORED generated column, a
  per-row default (uuid()) and AUTO_INCREMENT need a rebuild or a copy, so they get no
  clause and the linter reports them.
- ADD [UNIQUE] KEY on columns or column prefixes, INPLACE with LOCK=NONE. FULLTEXT and
  SPATIAL keys need LOCK=SHARED (the first FULLTEXT key rebuilds the table): no clause.
- DROP INDEX and DROP FOREIGN KEY, INPLACE with LOCK=NONE (metadata only); ALTER COLUMN
  SET/DROP DEFAULT, INSTANT.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dbshift.dialects.mysql import MySQLDialect

if TYPE_CHECKING:
    from dbshift.model import Column, Index, Table

_FACTS = MySQLDialect()

INSTANT = "ALGORITHM=INSTANT"
INPLACE = "ALGORITHM=INPLACE, LOCK=NONE"


def add_column_clause(column: Column, table: Table | None) -> str | None:
    """The clause that keeps ADD COLUMN instant, or None where the server cannot."""
    if column.identity is not None or (column.generated is not None and column.generated.stored):
        return None
    if _FACTS.volatile_default(column.default):  # computed for every row: a copy
        return None
    if table is not None and any(i.method == "fulltext" for i in table.indexes):
        return None
    return INSTANT


def create_index_clause(index: Index) -> str | None:
    """The clause that builds ``index`` with writes allowed, or None where it cannot."""
    if index.method in ("fulltext", "spatial"):
        return None
    if any(e.is_expression for e in index.elements):
        return None  # a functional key adds a hidden generated column (MySQL 8.0.13+)
    return INPLACE
