"""ALTER TABLE … ENGINE= / COLLATE= / ROW_FORMAT= (MySQL, MariaDB): a table's storage engine,
default collation (whose character set comes with it) and declared row format.

The collation change is the table's *default* only (``ALTER TABLE t COLLATE=x``, not
``CONVERT TO CHARACTER SET``), as the server itself treats it: existing columns keep their
collation, which then shows explicitly, and the differ converts each column that should
follow the new default with its own ``AlterColumn``. CONVERT TO was not chosen: it also
rewrites columns declared with an explicit collation, and it silently widens ``TEXT`` to
``MEDIUMTEXT`` (latin1 → utf8mb4: seen on MariaDB 10.11, documented for MySQL 8.0), so the
result would not be the schema asked for. Here the default change is metadata only, and every column conversion is
one visible, rated statement.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.frozen import frozen
from dbshift.ops.base import Operation, TableChange

if TYPE_CHECKING:
    from dbshift.model import Schema, Table, TableOptions

#: MySQL column types that carry a collation (COLUMN_TYPE spelling).
_CHARACTER_TYPE = re.compile(r"(?:var)?char\b|(?:tiny|medium|long)?text\b|enum\(|set\(", re.I)
#: Engines that keep no rows across the change: BLACKHOLE discards them, MEMORY loses them
#: at restart.
_LOSSY_ENGINES = frozenset({"blackhole", "memory"})


def reframe(
    table: Table, before: TableOptions, after: TableOptions, defaults: TableOptions
) -> Table:
    """``table``'s columns once its default collation goes from ``before`` to ``after``.

    A column's collation is kept relative to its table's (None: the table's default). Its
    real collation does not change, so a column that followed the old default now shows
    it, and one whose collation is the new default no longer does. ``defaults`` resolves
    None (the database's default); where it is not known (a schema not inspected from a
    server) the columns are left as they are.
    """
    old = before.collation or defaults.collation
    new = after.collation or defaults.collation
    if old == new or old is None or new is None:
        return table
    columns = []
    for c in table.columns:
        if _CHARACTER_TYPE.match(c.type):
            if c.collation is None and old is not None:
                c = replace(c, collation=old)
            elif c.collation is not None and c.collation == new:
                c = replace(c, collation=None)
        columns.append(c)
    return replace(table, columns=tuple(columns))


@frozen
class SetTableOptions(TableChange):
    before: TableOptions
    after: TableOptions
    kind: ClassVar[str] = "set_table_options"

    @property
    def changes(self) -> tuple[str, ...]:
        return tuple(
            name
            for name in ("engine", "collation", "row_format")
            if getattr(self.before, name) != getattr(self.after, name)
        )

    def apply(self, schema: Schema) -> Schema:
        def change(table: Table) -> Table:
            return replace(
                reframe(table, self.before, self.after, schema.defaults), options=self.after
            )

        return self._change(schema, change)

    def reverse(self) -> Operation:
        return SetTableOptions(on=self.on, before=self.after, after=self.before)

    @property
    def loses_rows(self) -> bool:
        """The new engine does not keep the table's rows."""
        return (self.after.engine or "").lower() in _LOSSY_ENGINES

    def describe(self) -> str:
        return f"set table options on {self.where} ({', '.join(self.changes)})"
