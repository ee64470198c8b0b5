"""ALTER TABLE forms that MySQL/MariaDB can only run by copying the table
(ALGORITHM=COPY): a new table is written row by row while writes to the old one wait
(LOCK=SHARED) for the whole copy, on a large table minutes to hours.

What falls back to COPY, checked on MariaDB 10.11 by running each ALTER with ALGORITHM=
INPLACE, LOCK=NONE (and INSTANT) and reading the refusal:

- ``DROP PRIMARY KEY`` without adding another in the same statement: "Dropping a primary
  key is not allowed without also adding a new primary key. Try ALGORITHM=COPY" (MySQL 8.0
  documents the same). ``DROP PRIMARY KEY, ADD PRIMARY KEY (...)`` and a plain ``ADD
  PRIMARY KEY`` rebuild in place with writes allowed: a warning, the whole table is still
  rewritten and replicas replay the rebuild as one long statement.
- ``CONVERT TO CHARACTER SET``: "Cannot change column type. Try ALGORITHM=COPY" from latin1
  to utf8mb4 on MariaDB 10.11, while utf8mb3 to utf8mb4 there was INSTANT; lint does not
  know the current charset, so on MariaDB 10.11+ a warning, elsewhere (MySQL 8.0 always
  copies; older MariaDB not checked) an error.
- ``ENGINE=`` another engine than InnoDB: INPLACE refused, "Try ALGORITHM=COPY" (MariaDB
  10.11 oddly accepted ALGORITHM=INSTANT for ENGINE=Aria, but a different storage engine
  cannot take the InnoDB pages as they are: the rows are copied). ``ENGINE=InnoDB`` on an
  InnoDB table is an in-place rebuild.
- an explicit ``ALGORITHM=COPY``.

An explicit ALGORITHM=COPY on a column type change is column-type-change's to report, on
an index create-index-blocking's, on a foreign key or CHECK constraint-validated-at-once's;
on anything else (ADD COLUMN included) it is reported here. With an explicit ALGORITHM=INPLACE,
NOCOPY or INSTANT the server refuses instead of copying, so nothing is reported.
"""

from __future__ import annotations

from collections.abc import Iterator

from dbshift.dialects.mysql import MySQLDialect
from dbshift.lint.facts import Act, Action, ConstraintKind, Stmt
from dbshift.lint.rule import FileContext, Finding, Product, Rule, Severity, q

#: Statements with these actions have their own rule for an explicit ALGORITHM=COPY.
_COVERED = frozenset({Act.ALTER_TYPE, Act.CREATE_INDEX})
_COVERED_CONSTRAINTS = frozenset({ConstraintKind.FOREIGN_KEY, ConstraintKind.CHECK})

_ONLINE_ENGINE = (
    "use the dbshift online engine (shadow table, triggers, chunked copy, atomic rename), "
    "or run it at a quiet time"
)


class MysqlAlgorithmCopy(Rule):
    id = "mysql-algorithm-copy"
    severity = Severity.ERROR
    dialects = (MySQLDialect,)
    summary = "ALTER TABLE that MySQL/MariaDB can only do by copying the table"

    def check_statement(self, stmt: Stmt, ctx: FileContext) -> Iterator[Finding]:
        tables = {a.table for a in stmt.actions if a.table}
        if not tables or all(ctx.is_new(t) for t in tables):
            return
        if stmt.algorithm in {"inplace", "nocopy", "instant"}:
            # The server refuses rather than copies.
            return
        table = q(next(iter(sorted(tables))))
        acts = {a.act for a in stmt.actions}
        found = False
        for action in stmt.actions:
            finding = self._action(stmt, action, ctx, table)
            if finding is not None:
                found = True
                yield finding
        covered = bool(acts & _COVERED) or any(
            a.act is Act.ADD_CONSTRAINT and a.constraint in _COVERED_CONSTRAINTS
            for a in stmt.actions
        )
        if stmt.algorithm == "copy" and not found and not covered:
            yield self.found(
                stmt,
                f"ALTER TABLE {table} with ALGORITHM=COPY",
                why="the table is copied row by row and writes wait for the whole copy",
                fix="ALGORITHM=INPLACE, LOCK=NONE if the server can do it in place; "
                f"otherwise {_ONLINE_ENGINE}",
            )

    def _action(self, stmt: Stmt, action: Action, ctx: FileContext, table: str) -> Finding | None:
        if action.act is Act.DROP_CONSTRAINT and action.constraint is ConstraintKind.PRIMARY_KEY:
            if _adds_primary_key(stmt):
                return self._rebuild(stmt, f"primary key of {table} replaced")
            return self.found(
                stmt,
                f"DROP PRIMARY KEY on {table} without a new one",
                why=f"{ctx.server} can drop a primary key only with ALGORITHM=COPY unless "
                "the same statement adds another: writes wait for the whole copy (and "
                "InnoDB then clusters the rows on a hidden row id)",
                fix="drop and add the new primary key in one ALTER TABLE (in place, writes "
                f"allowed), or {_ONLINE_ENGINE}",
            )
        if (
            action.act is Act.ADD_CONSTRAINT
            and action.constraint is ConstraintKind.PRIMARY_KEY
            and not _drops_primary_key(stmt)
        ):
            return self._rebuild(stmt, f"primary key added to {table}")
        if action.act is Act.TABLE_OPTION and action.name == "convert":
            copies = not (ctx.server.product is Product.MARIADB and ctx.server.at_least(10, 11))
            message = f"{table} converted to another character set"
            why = (
                "every string column is rewritten with ALGORITHM=COPY: writes wait for the "
                "whole copy"
            )
            if not copies:
                return Finding(
                    self.id,
                    Severity.WARNING,
                    stmt.path,
                    stmt.line,
                    message,
                    why=f"{ctx.server} converts utf8mb3 to utf8mb4 instantly but copies the "
                    "table (writes wait) for other conversions, such as latin1 to utf8mb4",
                    fix="add ', ALGORITHM=INSTANT' so the server refuses instead of copying; "
                    f"if it refuses, {_ONLINE_ENGINE}",
                )
            return self.found(stmt, message, why=f"on {ctx.server} {why}", fix=_ONLINE_ENGINE)
        if action.act is Act.TABLE_OPTION and action.name == "engineproperty":
            engine = (action.value or "").partition("=")[2].strip().strip("'\"`").lower()
            if engine and engine != "innodb":
                return self.found(
                    stmt,
                    f"{table} moved to storage engine {engine}",
                    why="a different storage engine takes the rows only by copying the "
                    "table (ALGORITHM=COPY): writes wait for the whole copy",
                    fix=_ONLINE_ENGINE,
                )
        return None

    def _rebuild(self, stmt: Stmt, message: str) -> Finding:
        return Finding(
            self.id,
            Severity.WARNING,
            stmt.path,
            stmt.line,
            message,
            why="InnoDB clusters rows on the primary key, so the whole table is rebuilt (in "
            "place, writes allowed): heavy I/O, and replicas replay the rebuild as one long "
            "statement and fall behind",
            fix="add ', ALGORITHM=INPLACE, LOCK=NONE' so the server refuses rather than "
            "blocks, and run it when replica lag is acceptable",
        )


def _adds_primary_key(stmt: Stmt) -> bool:
    return any(
        (a.act is Act.ADD_CONSTRAINT and a.constraint is ConstraintKind.PRIMARY_KEY)
        or (a.act is Act.ADD_COLUMN and a.column is not None and a.column.primary_key)
        for a in stmt.actions
    )


def _drops_primary_key(stmt: Stmt) -> bool:
    return any(
        a.act is Act.DROP_CONSTRAINT and a.constraint is ConstraintKind.PRIMARY_KEY
        for a in stmt.actions
    )
