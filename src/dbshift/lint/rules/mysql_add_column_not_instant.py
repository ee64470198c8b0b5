"""ADD COLUMN forms that MySQL/MariaDB cannot do with ALGORITHM=INSTANT (a change to the
data dictionary only) and silently do by rebuilding or copying the table instead.

Checked on MariaDB 10.11 by adding each column with ALGORITHM=INSTANT to a table with a
row: a plain column, NOT NULL with or without a constant default, CURRENT_TIMESTAMP
defaults, VIRTUAL generated columns and FIRST/AFTER were all instant. Refused:

- AUTO_INCREMENT, PRIMARY KEY, UNIQUE: "Try ALGORITHM=INPLACE" (an index is built, for
  AUTO_INCREMENT and PRIMARY KEY the table is rebuilt; writes continue): a warning.
- GENERATED ... STORED and a volatile default such as (uuid()): "Try ALGORITHM=COPY":
  writes wait for the whole copy, an error.
- FIRST/AFTER: instant on MariaDB 10.4+ and MySQL 8.0.29+; before, MySQL 8.0 adds
  instantly only at the end (an in-place rebuild otherwise) and MariaDB 10.3 likewise.
- No INSTANT at all before MySQL 8.0.12 and MariaDB 10.3: every ADD COLUMN rebuilds.
- An explicit ALGORITHM=INPLACE asks for the rebuild (a warning); an explicit COPY is
  mysql-algorithm-copy's.

Not checked: MySQL 8.0.29+ falls back from INSTANT after 64 instant row versions of one
table (information_schema.innodb_tables.total_row_versions), which lint cannot see.
"""

from __future__ import annotations

from collections.abc import Iterator

from dbshift.dialects.mysql import MySQLDialect
from dbshift.lint.facts import Act, Action, ColumnFact, Stmt
from dbshift.lint.rule import FileContext, Finding, Product, Rule, Server, Severity, q


class MysqlAddColumnNotInstant(Rule):
    id = "mysql-add-column-not-instant"
    severity = Severity.WARNING
    dialects = (MySQLDialect,)
    acts = frozenset({Act.ADD_COLUMN})
    summary = "ADD COLUMN that MySQL/MariaDB cannot do instantly (rebuild or copy)"

    def check_action(self, stmt: Stmt, action: Action, ctx: FileContext) -> Iterator[Finding]:
        column = action.column
        if column is None or ctx.is_new(action.table) or _creates(stmt, action.table):
            return
        if stmt.algorithm in {"instant", "copy"}:
            # INSTANT: the server refuses rather than rebuilds. COPY written out is
            # mysql-algorithm-copy's.
            return
        reason = _reason(column, stmt, ctx.server)
        if reason is None:
            return
        copies, why = reason
        yield Finding(
            self.id,
            Severity.ERROR if copies else Severity.WARNING,
            stmt.path,
            stmt.line,
            f"column {q(column.name)} added to {q(action.table)} without ALGORITHM=INSTANT",
            why=why,
            fix="add the column in the instant form (nullable or with a constant default, "
            "then the index or key in its own step) and write ', ALGORITHM=INSTANT' so the "
            "server refuses rather than rebuilds; otherwise use the dbshift online engine",
        )


def _creates(stmt: Stmt, table: str | None) -> bool:
    return any(a.act is Act.CREATE_TABLE and a.table == table for a in stmt.actions)


def _reason(column: ColumnFact, stmt: Stmt, server: Server) -> tuple[bool, str] | None:
    """(copies the table, why) for a column the server cannot add instantly."""
    copy = "copies the table (ALGORITHM=COPY): writes wait for the whole copy"
    rebuild = "rebuilds the table in place: writes continue, but every row is rewritten and "
    rebuild += "replicas replay the rebuild as one long statement"
    if column.generated_stored:
        return True, f"a STORED generated column is computed for every row: {server} {copy}"
    if column.volatile_default:
        return True, (
            f"a per-row default ({column.default}) is computed for every row: {server} {copy}"
        )
    if column.auto_increment or column.primary_key:
        what = "AUTO_INCREMENT" if column.auto_increment else "PRIMARY KEY"
        return False, f"{what} numbers or keys every existing row: {server} {rebuild}"
    if column.unique:
        return False, (
            f"UNIQUE builds an index over every row ({server} builds it in place, writes "
            "continue, but the ALTER takes as long as the index build)"
        )
    if stmt.algorithm == "inplace":
        return False, f"ALGORITHM=INPLACE is written out: {server} {rebuild}"
    if server.product is Product.MARIADB:
        if not server.at_least(10, 3):
            return False, f"{server} has no instant ADD COLUMN (10.3+): it {rebuild}"
        if column.positioned and not server.at_least(10, 4):
            return False, (
                f"{server} adds instantly only as the last column (any position from "
                f"10.4): FIRST/AFTER {rebuild}"
            )
        return None
    if not server.at_least(8, 0, 12):
        return False, f"{server} has no instant ADD COLUMN (8.0.12+): it {rebuild}"
    if column.positioned and not server.at_least(8, 0, 29):
        return False, (
            f"{server} adds instantly only as the last column (any position from "
            f"8.0.29): FIRST/AFTER {rebuild}"
        )
    return None
