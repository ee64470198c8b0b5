"""BEGIN, COMMIT or ROLLBACK written inside a migration dbshift already runs in a
transaction.

PostgreSQL and SQLite migrations run in one transaction together with their history row.
A COMMIT (or ROLLBACK) in the file ends that transaction early: what follows runs outside
it, so a later failure leaves the first part applied with no history row, and the next
``migrate`` runs it again. A nested BEGIN is an error on SQLite ("cannot start a
transaction within a transaction") and only a warning on PostgreSQL, which makes the
author believe in a transaction that is not theirs.

On SQLite a file that is one transaction of its own from start to end (``BEGIN; …
COMMIT;``, as the shell's ``.dump`` is) is not flagged: the runner drops that pair and runs
what is between in its own transaction (``dbshift.migrations.sqlfile``).

MySQL/MariaDB migrations are not one transaction: DDL commits implicitly, and dbshift
journals each statement, running every data statement in its own short transaction with
its journal entry. That BEGIN commits whatever the file's BEGIN opened, so statements the
author grouped between BEGIN and COMMIT are committed one by one and a ROLLBACK in the file
undoes nothing already journaled: a warning, because each statement still runs and resumes
exactly, but not as one unit.
"""

from __future__ import annotations

from collections.abc import Iterator

from dbshift.dialects.mysql import MySQLDialect
from dbshift.dialects.postgres import PostgresDialect
from dbshift.dialects.sqlite import SQLiteDialect
from dbshift.lint.facts import Act, Stmt
from dbshift.lint.rule import FileContext, Finding, Rule, Severity

#: Transaction verbs that start or end a transaction; savepoints nest inside one safely.
_ENDS_OR_STARTS = frozenset({"begin", "commit", "rollback", "prepare"})
#: What the server does with a BEGIN inside dbshift's transaction (by dialect class: a
#: server missing here fails with a KeyError in the tests, not with another's answer).
_NESTED_BEGIN = {
    SQLiteDialect: "SQLite refuses it ('cannot start a transaction within a transaction')",
    PostgresDialect: "PostgreSQL ignores it with a warning, and the COMMIT meant for it ends "
    "dbshift's transaction",
}


class TransactionNesting(Rule):
    id = "transaction-nesting"
    severity = Severity.ERROR
    dialects = (PostgresDialect, MySQLDialect, SQLiteDialect)
    # Per statement (no ``acts``): the rule must see the file's first statement to learn
    # whether dbshift opened the transaction.
    summary = "BEGIN/COMMIT/ROLLBACK inside a migration dbshift runs in a transaction"
    squawk = ("transaction-nesting",)
    strong_migrations = ()
    atlas = ()
    eugene = ()

    def check_statement(self, stmt: Stmt, ctx: FileContext) -> Iterator[Finding]:
        state = ctx.state.setdefault(self.id, {"dbshift": ctx.in_transaction, "done": False})
        if state["done"] or not state["dbshift"]:
            return
        verbs = [
            a.name for a in stmt.actions if a.act is Act.TRANSACTION and a.name in _ENDS_OR_STARTS
        ]
        if not verbs:
            return
        state["done"] = True
        verb = (verbs[0] or "").upper()
        if ctx.dialect.ddl_commits_implicitly:
            yield Finding(
                self.id,
                Severity.WARNING,
                stmt.path,
                stmt.line,
                f"{verb} in a MySQL migration",
                why="dbshift journals each statement and runs every data statement in its own "
                "transaction with its journal entry, and the BEGIN it sends implicitly commits "
                "the transaction this file opened (as any DDL does): the statements grouped "
                "here are committed one by one and a ROLLBACK undoes nothing",
                fix="drop the transaction statements; put work that must be atomic in one "
                "statement, or in a Python migration (dbshift runs it in one transaction)",
            )
            return
        if verb == "BEGIN":
            effect = _NESTED_BEGIN[type(ctx.dialect)]
        else:
            effect = (
                f"{verb} ends that transaction early: what follows runs outside it, so a later "
                "failure leaves part of the migration applied with no history row"
            )
        yield self.found(
            stmt,
            f"{verb} inside the migration's transaction",
            why=f"dbshift already runs this migration and its history row in one transaction; "
            f"{effect}",
            fix="remove the transaction statements; for statements that must run outside a "
            "transaction, use a migration marked '-- dbshift:no-transaction'",
        )
