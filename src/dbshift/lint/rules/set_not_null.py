"""Making an existing column NOT NULL on a live table.

PostgreSQL's SET NOT NULL holds ACCESS EXCLUSIVE (no reads or writes) while it scans every
row for NULLs. Since PostgreSQL 12 it skips the scan when a validated CHECK (c IS NOT NULL)
already proves it, and such a check can be added NOT VALID and validated under a lock that
lets reads and writes go on. Before 12 there is no way around the scan.

MySQL/MariaDB ``MODIFY c ... NOT NULL`` rebuilds the table (ALGORITHM=INPLACE; MariaDB
10.11 refuses NOCOPY and INSTANT for it, checked on the test server): writes may continue,
but every row is rewritten, replicas lag behind the rebuild, and without strict SQL mode
existing NULLs silently become 0 or ''. MODIFY restates the whole column, so lint cannot
tell whether the column allowed NULL before: a warning, and none for a PRIMARY KEY or
AUTO_INCREMENT column, which is NOT NULL already.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from dbshift.dialects.mysql import MySQLDialect
from dbshift.dialects.postgres import PostgresDialect
from dbshift.lint.facts import Act, Action, ConstraintKind, Stmt
from dbshift.lint.rule import FileContext, Finding, Rule, Severity, q

_IS_NOT_NULL = re.compile(r'^\(*\s*"?([^"\s()]+)"?\s+IS\s+NOT\s+NULL\s*\)*$', re.I)

Key = tuple[str | None, str | None]


@dataclass
class _Memory:
    """What the file has said so far about CHECK (c IS NOT NULL) constraints."""

    #: (table, constraint) -> the column its CHECK proves not null.
    checks: dict[Key, str] = field(default_factory=dict)
    #: (table, column) pairs a validated check proves.
    proven: set[Key] = field(default_factory=set)
    #: (table, constraint) validated here but added by an earlier migration.
    validated_elsewhere: set[Key] = field(default_factory=set)

    def remember(self, action: Action) -> None:
        if action.constraint is not ConstraintKind.CHECK or not action.value:
            return
        match = _IS_NOT_NULL.match(action.value.strip())
        if match is None:
            return
        self.checks[(action.table, action.name)] = match.group(1)
        if not action.not_valid:
            self.proven.add((action.table, match.group(1)))

    def validated(self, action: Action) -> None:
        column = self.checks.get((action.table, action.name))
        if column is not None:
            self.proven.add((action.table, column))
        else:
            self.validated_elsewhere.add((action.table, action.name))

    def proves(self, table: str | None, column: str | None) -> bool:
        """A validated check covers the column; one added by an earlier migration counts
        when its name mentions the column (lint cannot see its expression)."""
        if (table, column) in self.proven:
            return True
        if not column:
            return False
        return any(t == table and column in (name or "") for t, name in self.validated_elsewhere)


class SetNotNull(Rule):
    id = "set-not-null"
    severity = Severity.ERROR
    dialects = (PostgresDialect, MySQLDialect)
    acts = frozenset({Act.SET_NOT_NULL, Act.ADD_CONSTRAINT, Act.VALIDATE_CONSTRAINT})
    summary = "SET NOT NULL on an existing column scans (PostgreSQL) or rebuilds (MySQL)"
    squawk = ("adding-not-nullable-field",)
    strong_migrations = ("change_column_null_postgresql", "change_column_null_mysql")
    atlas = ("MF104",)
    eugene = ("E2",)

    def check_action(self, stmt: Stmt, action: Action, ctx: FileContext) -> Iterator[Finding]:
        memory: _Memory = ctx.state.setdefault(self.id, _Memory())
        if action.act is Act.ADD_CONSTRAINT:
            memory.remember(action)
            return
        if action.act is Act.VALIDATE_CONSTRAINT:
            memory.validated(action)
            return
        if ctx.is_new(action.table):
            return
        if ctx.dialect.restates_column_to_alter:
            if not _always_not_null(stmt, action):
                yield self._mysql(stmt, action, ctx)
            return
        if ctx.server.at_least(12) and memory.proves(action.table, action.name):
            return
        where = f"{q(action.table)}.{q(action.name)}"
        if ctx.server.at_least(12):
            fix = (
                f"ALTER TABLE {action.table} ADD CONSTRAINT {action.name}_not_null CHECK "
                f"({action.name} IS NOT NULL) NOT VALID; in a later migration VALIDATE "
                "CONSTRAINT it, then SET NOT NULL (no scan: the check proves it), then DROP "
                "the check"
            )
        else:
            fix = (
                f"{ctx.server} cannot skip the scan: keep the column nullable with a "
                "validated CHECK (... IS NOT NULL) instead, or upgrade to PostgreSQL 12+"
            )
        yield self.found(
            stmt,
            f"SET NOT NULL on {where}",
            why=f"holds ACCESS EXCLUSIVE on {q(action.table)} while every row is scanned for "
            "NULLs: no reads or writes until it finishes",
            fix=fix,
        )

    def _mysql(self, stmt: Stmt, action: Action, ctx: FileContext) -> Finding:
        return Finding(
            self.id,
            Severity.WARNING,
            stmt.path,
            stmt.line,
            f"{q(action.table)}.{q(action.name)} made NOT NULL (if it allowed NULL before)",
            why=f"{ctx.server.flavor} rebuilds the table to change nullability: every row is "
            "rewritten and replicas lag; without strict SQL mode, existing NULLs silently "
            "become 0 or ''",
            fix="backfill the NULLs first in batches, then MODIFY with ALGORITHM=INPLACE, "
            "LOCK=NONE (so the server refuses rather than blocks writes), or use the online "
            "engine",
        )


def _always_not_null(stmt: Stmt, action: Action) -> bool:
    """A MODIFY restating a PRIMARY KEY or AUTO_INCREMENT column: such a column is NOT NULL
    already (MySQL makes key columns NOT NULL), so NOT NULL changes nothing."""
    return any(
        a.act is Act.ALTER_TYPE
        and a.name == action.name
        and a.column is not None
        and (a.column.primary_key or a.column.auto_increment)
        for a in stmt.actions
    )
