"""Which tables a migration run can lose data from: what the automatic backup copies.

The facts come from the linter's statement parsers (the ones behind ``migrate``'s
destructive-statement check), read more widely than that check reads them, because the
questions differ. The check asks "must a human confirm this?"; here it is "could a row or
value be gone afterwards?". So:

- a ``-- dbshift:ignore`` comment confirms a drop, but the rows still go: it is backed up;
- every column type change counts (a widening one still rewrites the table, and a
  ``USING`` expression can lose values), not only the narrowing ones;
- ``UPDATE`` and ``DELETE`` with a ``WHERE`` count: they overwrite or remove rows. Where
  the rows can be told from the text (``prior``: one table, a condition without a
  subquery), only the rows matching the condition are saved (the prior backup); else the
  whole table, with a note saying why. A table an earlier statement of the run alters, or
  that another statement drops or rewrites, is copied whole;
- ``DROP DATABASE`` / ``DROP SCHEMA`` (or a statement the parser cannot read) ask for
  the whole database.

A table created earlier in the same run holds nothing yet; the caller keeps only tables
that exist when the backup starts. Python migrations cannot be read without running them:
they never trigger a backup in ``destructive`` mode (``backup = "always"`` covers them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dbshift.backup.prior import RowSet, Unreadable, rows_of
from dbshift.migrations.model import Kind, Migration

if TYPE_CHECKING:
    from dbshift.dialects import Dialect

_CANDIDATE = re.compile(r"\b(?:drop|truncate|delete|update|alter|replace)\b", re.I)


@dataclass
class AtRisk:
    #: Table names as the statements wrote them (``t`` or ``schema.t``), in order.
    tables: list[str] = field(default_factory=list)
    #: A statement puts more than known tables at risk: back up everything.
    full: bool = False
    #: ``file:line: what`` for each statement that counted, for the notice and manifest.
    reasons: list[str] = field(default_factory=list)
    #: Tables (as written) of which only the rows some UPDATE/DELETE touches are at risk.
    rows: dict[str, list[RowSet]] = field(default_factory=dict)
    #: Why a data statement's table is copied whole after all, one line each.
    notes: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self.full or bool(self.tables) or bool(self.rows)

    def whole(self, table: str) -> None:
        """``table`` (bare, as the linter names it) is copied whole: drop its row sets."""
        if table not in self.tables:
            self.tables.append(table)
        for written in [k for k in self.rows if _bare(k) == table.lower()]:
            del self.rows[written]


def _bare(written: str) -> str:
    return written.rpartition(".")[2].lower()


def at_risk(migrations: list[Migration], dialect: Dialect, *, down: bool) -> AtRisk:
    from dbshift.lint.facts import DATA_ACTS, NEUTRAL_ACTS, Act
    from dbshift.lint.parse import ParseFailed, actions_for
    from dbshift.runner.executor import display_path

    table_acts = {
        Act.DROP_TABLE: "drops",
        Act.TRUNCATE: "truncates",
        Act.DROP_COLUMN: "drops a column of",
        Act.ALTER_TYPE: "changes a column type of",
        Act.DELETE: "deletes rows of",
        Act.UPDATE: "updates rows of",
    }
    out = AtRisk()
    #: Tables an earlier statement changed the shape of: a later condition may name a
    #: column that does not exist yet, so their rows cannot be selected beforehand.
    shaped: set[str] = set()
    for migration in migrations:
        if migration.kind is not Kind.SQL:
            continue
        path = display_path(migration.path)
        for statement in migration.section(down=down).statements:
            if not _CANDIDATE.search(statement.sql):
                continue
            try:
                actions = actions_for(statement.sql, dialect)[0]
            except ParseFailed:
                continue  # the server will refuse it too; nothing runs
            for action in actions:
                where = f"{path}:{statement.line}"
                if action.act in (Act.DROP_DATABASE, Act.DROP_SCHEMA):
                    out.full = True
                    out.reasons.append(f"{where}: {action.act.value.replace('_', ' ')}")
                elif action.act in table_acts and action.table:
                    verb = table_acts[action.act]
                    if (
                        action.act in (Act.UPDATE, Act.DELETE)
                        and action.has_where
                        and _rows(out, statement.sql, dialect, action.table, where, shaped)
                    ):
                        out.reasons.append(f"{where}: {verb} {action.table} (rows)")
                        continue
                    out.whole(action.table)
                    out.reasons.append(f"{where}: {verb} {action.table}")
                if action.table and action.act not in DATA_ACTS and action.act not in NEUTRAL_ACTS:
                    shaped.add(action.table)
    return out


def _rows(
    out: AtRisk, sql: str, dialect: Dialect, table: str, where: str, shaped: set[str]
) -> bool:
    """Record the rows an UPDATE/DELETE touches; False (with a note) when the whole
    table must be copied instead."""
    if table in out.tables:
        return False  # copied whole already
    if table in shaped:
        out.notes.append(
            f"{where}: backing up the whole table {table}: an earlier statement of this "
            "run changes its columns"
        )
        return False
    found = rows_of(sql, dialect)
    if isinstance(found, Unreadable):
        out.notes.append(
            f"{where}: backing up the whole table {table}: the rows this statement touches "
            f"cannot be told ({found.reason})"
        )
        return False
    written = f"{found.schema}.{found.table}" if found.schema else found.table
    out.rows.setdefault(written, []).append(found)
    return True
