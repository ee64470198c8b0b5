"""SQLite's ALTER TABLE does little: what it cannot do fails at run time, and the
hand-written rebuild that does the rest has traps of its own.

Checked on SQLite 3.40.1:

- ``ALTER COLUMN`` (type, NOT NULL, default) and ``ADD``/``DROP CONSTRAINT`` are syntax
  errors. ``ADD COLUMN`` with PRIMARY KEY or UNIQUE fails always ("Cannot add a UNIQUE
  column"); with a non-constant default (CURRENT_TIMESTAMP, any parenthesised expression,
  even ``(1+1)``) or GENERATED ... STORED it fails as soon as the table has a row ("Cannot
  add a column with non-constant default", "cannot add a STORED column"). All errors. ADD
  COLUMN NOT NULL without a default fails the same way; add-column-required reports it.
- ``DROP COLUMN`` (3.35+) rewrites every row of the table while holding the database's
  write lock; drop-column's error on it says so, and this rule does not repeat it.
- The 12-step rebuild written by hand (CREATE TABLE new; INSERT INTO new SELECT ... FROM
  old; DROP TABLE old; ALTER TABLE new RENAME TO old): with foreign key enforcement on,
  DROP TABLE old deletes its rows first, so ON DELETE CASCADE empties the child tables and
  other actions fire or fail (a child row was deleted here). ``PRAGMA foreign_keys=OFF``
  prevents it, but is a no-op inside a transaction (it read back 1 after BEGIN, and the
  cascade happened): a dbshift migration running in one transaction needs
  ``-- dbshift:no-transaction`` with the PRAGMA before its own BEGIN, or the rebuild
  ``dbshift generate`` writes. Without an effective PRAGMA: an error; with it a warning, as
  the copy still holds the write lock of the whole database for a time that grows with
  the table. A view on the table also makes
  the final RENAME fail ("error in view v: no such table: main.p") unless
  ``PRAGMA legacy_alter_table=ON`` is set around it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from dbshift.dialects.sqlite import SQLiteDialect
from dbshift.lint.facts import Act, Action, ColumnFact, Stmt
from dbshift.lint.rule import FileContext, Finding, Rule, Severity, q

_UNSUPPORTED = {
    Act.ALTER_TYPE: "ALTER COLUMN ... TYPE",
    Act.SET_NOT_NULL: "ALTER COLUMN ... SET NOT NULL",
    Act.DROP_NOT_NULL: "ALTER COLUMN ... DROP NOT NULL",
    Act.SET_DEFAULT: "ALTER COLUMN ... SET DEFAULT",
    Act.DROP_DEFAULT: "ALTER COLUMN ... DROP DEFAULT",
    Act.ADD_CONSTRAINT: "ADD CONSTRAINT",
    Act.DROP_CONSTRAINT: "DROP CONSTRAINT",
}
#: A default SQLite accepts for ADD COLUMN: a literal, optionally signed.
_CONSTANT = re.compile(
    r"""^\s*(?:[+-]?\s*(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?|'(?:[^']|'')*'|x'[0-9a-f]*'
    |null|true|false)\s*$""",
    re.I | re.X,
)
_OFF = {"off", "0", "false", "no"}
_REBUILD = (
    "let 'dbshift generate' write the rebuild, or mark the migration "
    "'-- dbshift:no-transaction' and write 'PRAGMA foreign_keys=OFF;' before 'BEGIN;', "
    "the rebuild, 'PRAGMA foreign_key_check;' and 'COMMIT;' (views and triggers on the "
    "table dropped and recreated, or 'PRAGMA legacy_alter_table=ON' around the rename)"
)


class SqliteTableRebuild(Rule):
    id = "sqlite-table-rebuild"
    severity = Severity.ERROR
    dialects = (SQLiteDialect,)
    acts = frozenset({*_UNSUPPORTED, Act.ADD_COLUMN, Act.SET, Act.DROP_TABLE, Act.RENAME_TABLE})
    summary = "ALTER TABLE forms SQLite cannot run; hand-written table rebuilds"

    def check_action(self, stmt: Stmt, action: Action, ctx: FileContext) -> Iterator[Finding]:
        state: dict[str, Any] = ctx.state.setdefault(self.id, {"dropped": set(), "fk": None})
        act = action.act
        if act is Act.SET:
            if action.name == "pragma foreign_keys":
                value = (action.value or "").replace("=", " ").split()[-1:] or [""]
                off = value[0].strip("'\";").lower() in _OFF
                state["fk"] = (
                    ("off-in-transaction" if ctx.in_transaction else "off") if off else None
                )
            return
        if act is Act.DROP_TABLE:
            if action.table and not ctx.is_new(action.table):
                state["dropped"].add(action.table)
            return
        if act is Act.RENAME_TABLE:
            if ctx.is_new(action.table) and action.new_name in state["dropped"]:
                yield from self._rebuild(stmt, action, state["fk"])
            return
        if act in _UNSUPPORTED:
            yield self.found(
                stmt,
                f"{_UNSUPPORTED[act]} on {q(action.table)}",
                why="SQLite has no such ALTER TABLE form: the statement fails with a syntax error",
                fix=f"rebuild the table: {_REBUILD}",
            )
            return
        if act is Act.ADD_COLUMN and action.column is not None:
            if any(a.act is Act.CREATE_TABLE and a.table == action.table for a in stmt.actions):
                return
            problem = _add_column_problem(action.column, has_rows=not ctx.is_new(action.table))
            if problem is not None:
                yield self.found(
                    stmt,
                    f"ADD COLUMN {q(action.column.name)} to {q(action.table)}: {problem}",
                    why="SQLite's ADD COLUMN cannot fill or index existing rows: it refuses "
                    "the statement",
                    fix="add a plain column (nullable or with a constant default) and build "
                    f"the key or computed values separately, or rebuild the table: {_REBUILD}",
                )

    def _rebuild(self, stmt: Stmt, action: Action, fk: str | None) -> Iterator[Finding]:
        old, new = q(action.new_name), q(action.table)
        message = f"{old} rebuilt by hand (copied into {new}, dropped, {new} renamed)"
        if fk == "off":
            yield Finding(
                self.id,
                Severity.WARNING,
                stmt.path,
                stmt.line,
                message,
                why="the copy holds the database's write lock: every other writer waits "
                "until the rebuild commits",
                fix="run it when a write pause of the copy's length is acceptable, and check "
                "'PRAGMA foreign_key_check' before COMMIT",
            )
            return
        why = (
            f"with foreign keys enforced, DROP TABLE {old} first deletes its rows: ON DELETE "
            "CASCADE empties the tables referencing it and other foreign key actions fire "
            "or fail"
        )
        if fk == "off-in-transaction":
            why += "; the PRAGMA foreign_keys=OFF here is a no-op inside a transaction"
        yield self.found(stmt, message, why=why, fix=_REBUILD)


def _add_column_problem(column: ColumnFact, *, has_rows: bool) -> str | None:
    """Why SQLite refuses this ADD COLUMN, if it does."""
    if column.primary_key:
        return "PRIMARY KEY"
    if column.unique:
        return "UNIQUE"
    if not has_rows:
        return None
    if column.generated_stored:
        return "GENERATED ... STORED"
    if column.default is not None and not _CONSTANT.match(column.default):
        return f"non-constant default {column.default}"
    return None
