"""CHECK constraints on PostgreSQL domains.

ALTER DOMAIN ... ADD CONSTRAINT checks every value of every column of that domain, in
every table, holding a SHARE lock on each table (writes wait) while it does. A domain
created with a CHECK can only have that rule changed through ALTER DOMAIN later, so the
CHECK belongs on the columns, where it can be added NOT VALID and validated per table
without blocking writes.
"""

from __future__ import annotations

from collections.abc import Iterator

from dbshift.dialects.postgres import PostgresDialect
from dbshift.lint.facts import Act, Action, ConstraintKind, Stmt
from dbshift.lint.rule import FileContext, Finding, Rule, Severity, q


class DomainCheckConstraint(Rule):
    id = "domain-check-constraint"
    severity = Severity.WARNING
    dialects = (PostgresDialect,)
    acts = frozenset({Act.CREATE_DOMAIN, Act.ALTER_DOMAIN})
    summary = "CHECK constraints on domains: validated across every table using the domain"
    squawk = ("ban-create-domain-with-constraint", "ban-alter-domain-with-add-constraint")
    strong_migrations = ()
    atlas = ()
    eugene = ()

    def check_action(self, stmt: Stmt, action: Action, ctx: FileContext) -> Iterator[Finding]:
        if action.constraint is not ConstraintKind.CHECK:
            return
        if action.act is Act.CREATE_DOMAIN:
            yield self.found(
                stmt,
                f"CREATE DOMAIN {q(action.name)} with a CHECK constraint",
                why="changing the rule later means ALTER DOMAIN, which checks every column of "
                "the domain in every table under lock; the check cannot be added NOT VALID "
                "and validated per table as a column constraint can",
                fix="create the domain without CHECK and put CHECK constraints on the columns "
                "(ADD CONSTRAINT ... NOT VALID, then VALIDATE CONSTRAINT)",
            )
            return
        if action.not_valid:
            return
        yield Finding(
            self.id,
            Severity.ERROR,
            stmt.path,
            stmt.line,
            f"ALTER DOMAIN {q(action.name)} ADD CONSTRAINT ... CHECK validated at once",
            why="scans every column of the domain in every table, locking each table against "
            "writes while its rows are checked",
            fix=f"ALTER DOMAIN {action.name} ADD CONSTRAINT ... NOT VALID, then ALTER DOMAIN "
            f"{action.name} VALIDATE CONSTRAINT ... in a later migration; better, CHECK "
            "constraints on the columns",
        )
