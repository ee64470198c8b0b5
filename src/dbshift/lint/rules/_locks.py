"""Which actions lock a table that already holds rows and traffic: shared by the rules
about lock waits (missing-lock-timeout) and locks held too long (ddl-with-data-backfill).

Not a rule: the registry only loads the modules listed in ``_MODULES``.
"""

from __future__ import annotations

from dbshift.lint.facts import Act, Action, Stmt
from dbshift.lint.rule import FileContext

#: Actions that take a lock on their table which blocks reads or writes while it is
#: waited for or held (ACCESS EXCLUSIVE, SHARE, SHARE ROW EXCLUSIVE; a metadata lock on
#: MySQL). VACUUM only in its FULL form.
TABLE_LOCKING = frozenset(
    {
        Act.DROP_TABLE,
        Act.RENAME_TABLE,
        Act.TRUNCATE,
        Act.ADD_COLUMN,
        Act.DROP_COLUMN,
        Act.RENAME_COLUMN,
        Act.ALTER_TYPE,
        Act.SET_NOT_NULL,
        Act.DROP_NOT_NULL,
        Act.SET_DEFAULT,
        Act.DROP_DEFAULT,
        Act.ADD_CONSTRAINT,
        Act.DROP_CONSTRAINT,
        Act.CREATE_INDEX,
        Act.DROP_INDEX,
        Act.REINDEX,
        Act.CLUSTER,
        Act.VACUUM,
        Act.ATTACH_PARTITION,
        Act.DETACH_PARTITION,
        Act.TABLE_OPTION,
        Act.CREATE_TRIGGER,
        Act.OTHER_DDL,
    }
)


def created_by(stmt: Stmt, table: str | None) -> bool:
    """``stmt`` is the CREATE TABLE of ``table`` (``ctx.is_new`` learns of a table only
    after its statement, and CREATE TABLE reports its columns as ADD_COLUMN facts)."""
    return any(a.act is Act.CREATE_TABLE and a.table == table for a in stmt.actions)


def locks_existing(stmt: Stmt, action: Action, ctx: FileContext) -> bool:
    """``action`` waits for and holds a blocking lock on a table created before this file.

    Concurrent forms (CREATE/DROP INDEX, REINDEX, DETACH PARTITION ... CONCURRENTLY) let
    reads and writes go on while they wait, so they do not count. An action without a
    table (PostgreSQL's DROP INDEX names only the index) counts: lint cannot see its table.
    """
    if action.act not in TABLE_LOCKING or action.concurrently:
        return False
    if action.act is Act.VACUUM and action.value != "full":
        return False
    if action.act is Act.OTHER_DDL and action.table is None:
        return False
    return not (ctx.is_new(action.table) or created_by(stmt, action.table))
