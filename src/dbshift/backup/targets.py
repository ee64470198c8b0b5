"""Which tables a migration run can lose data from: what the automatic backup copies.

The facts come from the linter's statement parsers (the ones behind ``migrate``'s
destructive-statement check), read more widely than that check reads them, because the
questions differ. The check asks "must a human confirm this?"; here it is "could a row or
value be gone afterwards?". So:

- a ``-- dbshift:ignore`` comment confirms a drop, but the rows still go: it is backed up;
- every column type change counts (a widening one still rewrites the table, and a
  ``USING`` expression can lose values), not only the narrowing ones;
- ``UPDATE`` and ``DELETE`` with a ``WHERE`` count: they overwrite or remove rows. The
  whole table is copied, a superset of the rows touched;
- ``DROP DATABASE`` / ``DROP SCHEMA`` (or a statement the parser cannot read) ask for
  the whole database.

A table created earlier in the same run holds nothing yet; the caller keeps only tables
that exist when the backup starts. Python migrations cannot be read without running them:
they never trigger a backup in ``destructive`` mode (``backup = "always"`` covers them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dbshift.migrations.model import Kind, Migration

_CANDIDATE = re.compile(r"\b(?:drop|truncate|delete|update|alter|replace)\b", re.I)


@dataclass
class AtRisk:
    #: Table names as the statements wrote them (``t`` or ``schema.t``), in order.
    tables: list[str] = field(default_factory=list)
    #: A statement puts more than known tables at risk: back up everything.
    full: bool = False
    #: ``file:line: what`` for each statement that counted, for the notice and manifest.
    reasons: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self.full or bool(self.tables)


def at_risk(migrations: list[Migration], dialect: str, *, down: bool) -> AtRisk:
    from dbshift.dialects import named
    from dbshift.lint.facts import Act
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
    for migration in migrations:
        if migration.kind is not Kind.SQL:
            continue
        path = display_path(migration.path)
        for statement in migration.section(down=down).statements:
            if not _CANDIDATE.search(statement.sql):
                continue
            try:
                actions = actions_for(statement.sql, named(dialect))[0]
            except ParseFailed:
                continue  # the server will refuse it too; nothing runs
            for action in actions:
                where = f"{path}:{statement.line}"
                if action.act in (Act.DROP_DATABASE, Act.DROP_SCHEMA):
                    out.full = True
                    out.reasons.append(f"{where}: {action.act.value.replace('_', ' ')}")
                elif action.act in table_acts and action.table:
                    if action.table not in out.tables:
                        out.tables.append(action.table)
                    out.reasons.append(f"{where}: {table_acts[action.act]} {action.table}")
    return out
