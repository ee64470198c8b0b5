"""One PostgreSQL ALTER TABLE that mixes a slow action with quick ones.

All actions of one ALTER TABLE run under the strongest lock any of them needs, taken at the
start and held to the end (to the end of the transaction, in fact). When one action scans
or rewrites the table (a type change, SET NOT NULL, a validated CHECK or foreign key, a
UNIQUE/PRIMARY KEY index build, a column with a volatile default) the quick ones (a
nullable column, a default, a rename, a NOT VALID constraint) stop being quick: they
cannot take effect before the scan is over, and nothing can be split out to make the slow
one safe without rewriting the statement. Only when every action is slow does one
statement win (one rewrite instead of several). A warning: the slow action has its own
rule; this one says to separate it.
"""

from __future__ import annotations

from collections.abc import Iterator

from dbshift.dialects.postgres import PostgresDialect
from dbshift.lint.facts import Act, Action, ConstraintKind, Stmt
from dbshift.lint.rule import FileContext, Finding, Rule, Severity, q
from dbshift.lint.rules._locks import created_by

_VALIDATED = frozenset({ConstraintKind.FOREIGN_KEY, ConstraintKind.CHECK})
_INDEXED = frozenset({ConstraintKind.UNIQUE, ConstraintKind.PRIMARY_KEY, ConstraintKind.EXCLUDE})


class MultipleAlterActions(Rule):
    id = "multiple-alter-actions"
    severity = Severity.WARNING
    dialects = (PostgresDialect,)
    summary = "ALTER TABLE mixing a scan/rewrite with quick actions holds the lock for all"
    squawk = ()
    strong_migrations = ()
    atlas = ()
    eugene = ()

    def check_statement(self, stmt: Stmt, ctx: FileContext) -> Iterator[Finding]:
        tables = {a.table for a in stmt.actions}
        if len(stmt.actions) < 2 or len(tables) != 1:
            return
        table = next(iter(tables))
        if table is None or ctx.is_new(table) or created_by(stmt, table):
            return
        slow = [(a, why) for a in stmt.actions if (why := _slow(a, ctx)) is not None]
        quick = [a for a in stmt.actions if _slow(a, ctx) is None]
        if not slow or not quick:
            return
        slow_text = "; ".join(why for _, why in slow)
        yield self.found(
            stmt,
            f"ALTER TABLE {q(table)} combines {slow_text} with {len(quick)} quick "
            f"action{'s' if len(quick) > 1 else ''} ({', '.join(_label(a) for a in quick)})",
            why="one ALTER TABLE takes the strongest lock any of its actions needs "
            "(ACCESS EXCLUSIVE for most of them) and holds it through the slow one: the quick "
            "actions "
            "wait for the scan or rewrite and block the table as long",
            fix="split it: the quick actions in their own ALTER TABLE, and the slow one in "
            "its own migration, in its safe form",
        )


def _slow(action: Action, ctx: FileContext) -> str | None:
    """Why ``action`` scans or rewrites the table, if it does."""
    act, name = action.act, q(action.name)
    if act is Act.ALTER_TYPE:
        column = action.column
        to_text = column is not None and column.type in {"text", "varchar"} and not column.type_args
        if to_text and action.value is None:
            return None  # usually catalog-only (varchar widening); column-type-change judges
        return f"a type change of {name} (rewrite)"
    if act is Act.SET_NOT_NULL:
        return f"SET NOT NULL on {name} (scan)"
    if act is Act.ADD_CONSTRAINT:
        if action.constraint in _VALIDATED and not action.not_valid:
            return f"a validated {action.constraint.value.replace('_', ' ')} (scan)"
        if action.constraint in _INDEXED and not action.using_index:
            return f"a {action.constraint.value.replace('_', ' ')} index build"
        return None
    if act is Act.ADD_COLUMN and action.column is not None:
        column = action.column
        if column.volatile_default or column.generated_stored or column.identity:
            return f"column {q(column.name)} filled per row (rewrite)"
        if column.default is not None and not ctx.server.at_least(11):
            return f"column {q(column.name)} with a default (rewrite before PostgreSQL 11)"
        if column.primary_key or column.unique or column.references:
            return f"column {q(column.name)} with a constraint checked or indexed at once"
    return None


def _label(action: Action) -> str:
    column = action.column
    name = column.name if action.act is Act.ADD_COLUMN and column else action.name
    return f"{action.act.value.replace('_', ' ')} {q(name)}" if name else action.act.value
