"""Dropping or emptying a partition of a MySQL/MariaDB table.

ALTER TABLE … DROP PARTITION deletes the partition with every row in its range or list of
values (the rows are not moved to another partition), and TRUNCATE PARTITION empties it;
both are DDL, commit implicitly and cannot be rolled back. That is often the point (an
expired month of a log table), so the finding asks for a recorded confirmation rather than
a different statement. COALESCE PARTITION and REORGANIZE PARTITION move the rows and are
not reported here. A partition of a table created earlier in the same file holds nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

from dbshift.dialects.mysql import MySQLDialect
from dbshift.lint.facts import Act, Action, Stmt
from dbshift.lint.rule import FileContext, Finding, Rule, Severity, q


class DropPartition(Rule):
    id = "drop-partition"
    severity = Severity.ERROR
    dialects = (MySQLDialect,)
    acts = frozenset({Act.DROP_PARTITION})
    summary = "DROP / TRUNCATE PARTITION deletes every row of the partition"

    def check_action(self, stmt: Stmt, action: Action, ctx: FileContext) -> Iterator[Finding]:
        if ctx.is_new(action.table):
            return
        verb = (action.value or "drop").upper()
        yield self.found(
            stmt,
            f"{verb} PARTITION {action.name} of {q(action.table)}",
            why="every row of the partition is deleted with it; the statement commits "
            "implicitly and cannot be rolled back",
            fix="back the partition's rows up (or exchange the partition into a table of its "
            "own first) and confirm with '-- dbshift:ignore drop-partition <reason>'",
        )
