"""Foreign keys and CHECK constraints added to a live table and validated in the same step.

PostgreSQL checks every existing row when the constraint is added: a CHECK holds ACCESS
EXCLUSIVE on the table (no reads or writes) for the whole scan, a foreign key holds SHARE
ROW EXCLUSIVE on both tables (no writes to either). Added NOT VALID, the constraint only
guards new rows and the lock is brief; VALIDATE CONSTRAINT then scans under SHARE UPDATE
EXCLUSIVE, which lets reads and writes go on. Validating in the same transaction as the
NOT VALID add gains nothing: the add's strong lock is held until commit, through the scan.

MySQL/MariaDB have no NOT VALID. Adding a foreign key with foreign_key_checks on copies the
table (ALGORITHM=COPY, writes blocked); with foreign_key_checks=0 it is done in place
without checking existing rows (MariaDB 10.11: "Adding foreign keys needs
foreign_key_checks=OFF"). MariaDB 10.11 adds a CHECK only with ALGORITHM=COPY, LOCK=SHARED
(checked on the test server); MySQL 8.0 also checks every row while the ALTER holds the
table. An explicit ALGORITHM=COPY or a blocking LOCK on a foreign key is reported here
even with foreign_key_checks off.
"""

from __future__ import annotations

from collections.abc import Iterator

from dbshift.dialects.mysql import MySQLDialect
from dbshift.dialects.postgres import PostgresDialect
from dbshift.lint.facts import Act, Action, ConstraintKind, Stmt
from dbshift.lint.rule import FileContext, Finding, Product, Rule, Severity, q

_KINDS = frozenset({ConstraintKind.FOREIGN_KEY, ConstraintKind.CHECK})


class ConstraintValidatedAtOnce(Rule):
    id = "constraint-validated-at-once"
    severity = Severity.ERROR
    dialects = (PostgresDialect, MySQLDialect)
    acts = frozenset({Act.ADD_CONSTRAINT, Act.ADD_COLUMN, Act.VALIDATE_CONSTRAINT, Act.TRANSACTION})
    summary = "FOREIGN KEY / CHECK added without NOT VALID: every row checked under lock"
    squawk = ("adding-foreign-key-constraint", "constraint-missing-not-valid")
    strong_migrations = (
        "add_foreign_key",
        "validate_foreign_key",
        "add_check_constraint",
        "add_check_constraint_mysql",
        "validate_check_constraint",
    )
    atlas = ()
    eugene = ("E1",)

    def check_action(self, stmt: Stmt, action: Action, ctx: FileContext) -> Iterator[Finding]:
        # Constraints added NOT VALID in the current transaction: (table, name).
        pending: set[tuple[str | None, str | None]] = ctx.state.setdefault(self.id, set())
        if action.act is Act.TRANSACTION:
            if action.name in {"commit", "rollback"}:
                pending.clear()
            return
        if action.act is Act.VALIDATE_CONSTRAINT:
            if ctx.in_transaction and (action.table, action.name) in pending:
                yield self.found(
                    stmt,
                    f"VALIDATE CONSTRAINT {q(action.name)} on {q(action.table)} in the same "
                    "transaction that added it NOT VALID",
                    why="the lock the ADD took (ACCESS EXCLUSIVE for a CHECK, SHARE ROW "
                    "EXCLUSIVE on both tables for a foreign key) is held until commit, so the "
                    "validating scan runs under it: NOT VALID gained nothing",
                    fix="validate in a later migration",
                )
            return
        if ctx.is_new(action.table) or _created_by(stmt, action.table):
            return
        if action.act is Act.ADD_COLUMN:
            if action.column is not None and action.column.references:
                yield from self._reference_column(stmt, action, ctx)
            return
        if action.constraint not in _KINDS:
            return
        if not ctx.dialect.nonblocking_forms:  # no NOT VALID: checked as it is added
            yield from self._mysql(stmt, action, ctx)
            return
        if action.not_valid:
            if ctx.in_transaction:
                pending.add((action.table, action.name))
            return
        yield from self._postgres(stmt, action)

    def _postgres(self, stmt: Stmt, action: Action) -> Iterator[Finding]:
        name = f" {action.name}" if action.name else ""
        if action.constraint is ConstraintKind.FOREIGN_KEY:
            yield self.found(
                stmt,
                f"FOREIGN KEY{name} on {q(action.table)} referencing {q(action.references)} "
                "without NOT VALID",
                why=f"holds SHARE ROW EXCLUSIVE on {q(action.table)} and "
                f"{q(action.references)} while every row is checked: writes to both wait",
                fix=f"ALTER TABLE {action.table} ADD CONSTRAINT ... FOREIGN KEY ... NOT VALID, "
                f"then ALTER TABLE {action.table} VALIDATE CONSTRAINT ... in a later migration",
            )
            return
        yield self.found(
            stmt,
            f"CHECK{name} on {q(action.table)} without NOT VALID",
            why=f"holds ACCESS EXCLUSIVE on {q(action.table)} while every row is checked: "
            "reads and writes wait",
            fix=f"ALTER TABLE {action.table} ADD CONSTRAINT ... CHECK (...) NOT VALID, then "
            f"ALTER TABLE {action.table} VALIDATE CONSTRAINT ... in a later migration",
        )

    def _reference_column(self, stmt: Stmt, action: Action, ctx: FileContext) -> Iterator[Finding]:
        column = action.column
        assert column is not None
        if not ctx.dialect.nonblocking_forms:
            return
        yield self.found(
            stmt,
            f"ADD COLUMN {q(column.name)} on {q(action.table)} with REFERENCES",
            why="the foreign key is validated as the column is added: SHARE ROW EXCLUSIVE on "
            "both tables while every row is checked (a column constraint cannot be NOT VALID)",
            fix=f"add the column without REFERENCES, then ALTER TABLE {action.table} ADD "
            "CONSTRAINT ... FOREIGN KEY ... NOT VALID and VALIDATE CONSTRAINT in a later "
            "migration",
        )

    def _mysql(self, stmt: Stmt, action: Action, ctx: FileContext) -> Iterator[Finding]:
        name = f" {action.name}" if action.name else ""
        if action.constraint is ConstraintKind.FOREIGN_KEY:
            checks = ctx.settings.get("foreign_key_checks", "1").strip("'\"").lower()
            if stmt.algorithm == "copy" or stmt.lock in {"shared", "exclusive"}:
                yield self.found(
                    stmt,
                    f"FOREIGN KEY{name} on {q(action.table)} with ALGORITHM="
                    f"{stmt.algorithm or 'default'}, LOCK={stmt.lock or 'default'}",
                    why="an explicit ALGORITHM=COPY or LOCK=SHARED/EXCLUSIVE copies or locks "
                    "the table: writes wait for the whole ALTER",
                    fix="SET foreign_key_checks = 0, then ADD FOREIGN KEY ... , ALGORITHM=INPLACE, "
                    "LOCK=NONE, then SET foreign_key_checks = 1",
                )
                return
            if checks in {"0", "off", "false"}:
                return
            yield self.found(
                stmt,
                f"FOREIGN KEY{name} on {q(action.table)} referencing {q(action.references)} "
                "with foreign_key_checks on",
                why="with foreign_key_checks on, InnoDB can only add a foreign key by copying "
                "the table (ALGORITHM=COPY): writes wait for the whole copy (an explicit "
                "ALGORITHM=INPLACE is refused instead)",
                fix="SET foreign_key_checks = 0 before it (then it is added in place, "
                "LOCK=NONE) and SET foreign_key_checks = 1 after; existing rows are not "
                "checked, so look for orphans with a query first",
            )
            return
        server = ctx.server
        how = (
            f"{server} adds a CHECK only by copying the table (ALGORITHM=COPY, LOCK=SHARED): "
            "writes wait until every row is copied and checked"
            if server.product is Product.MARIADB
            else f"{server} checks every existing row inside the ALTER (MariaDB 10.11 can only "
            "do it by copying the table while writes wait)"
        )
        yield self.found(
            stmt,
            f"CHECK{name} on {q(action.table)} added to an existing table",
            why=f"{how}; there is no NOT VALID to defer the check",
            fix="enforce the rule in the application first, then add the CHECK with the "
            "online engine (shadow table and cut-over) or at a quiet time",
        )


def _created_by(stmt: Stmt, table: str | None) -> bool:
    """The statement is the CREATE TABLE itself (its columns come as ADD_COLUMN facts, and
    ``ctx.is_new`` only knows the table after the statement)."""
    return any(a.act is Act.CREATE_TABLE and a.table == table for a in stmt.actions)
