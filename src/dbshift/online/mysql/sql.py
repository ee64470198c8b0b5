"""MySQL/MariaDB SQL for online migrations: names, the two-way sync triggers, the chunked
copy, the new version's views, catalog reads. Pure functions; nothing here executes.

Why triggers look the way they do:
- A MySQL trigger may not write to the table whose statement fired it, even through
  another trigger (error 1442), so every sync trigger sets ``@dbshift_sync`` while it
  writes the other table and the other table's triggers skip when it is set. The value
  is the statement's start time, ``NOW(6)``, which is the same in every trigger a
  statement fires and differs for the session's next statement: a value left behind by
  a write that failed (a deadlock inside a trigger rolls back without running its
  handler, measured on MariaDB 10.11) is stale by the next statement instead of
  switching syncing off for the rest of the session. (A session that freezes its clock
  with ``SET TIMESTAMP`` would defeat this; complete's verification would then refuse.)
  The copy sets the marker ``'copy'`` itself, around each chunk.
- Expressions name columns as their version sees them (``lower(email)``); the trigger
  evaluates them over a one-row derived table ``(SELECT NEW.a AS a, ...)``, so the same
  expression text works in the trigger, the copy and the verification.
- Rows the new version inserts take their auto-increment key from the old table (the
  shadow's BEFORE INSERT trigger inserts there first and copies the key back): one
  counter for both versions, so concurrent inserts through both never collide.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from dbshift.dialects.mysql import MySQLDialect
from dbshift.online.backfill import KeySQL

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

GUARD = "@dbshift_sync"
#: This statement's token, and the skip test (the copy's marker, or this statement's).
_TOKEN = "CAST(NOW(6) AS CHAR)"
_SKIP = f"({GUARD} <=> 'copy' OR {GUARD} <=> {_TOKEN})"


def errno(exc: BaseException) -> int | None:
    """The server's error number of a driver error wrapped by SQLAlchemy."""
    args = getattr(getattr(exc, "orig", None), "args", ())
    return args[0] if args and isinstance(args[0], int) else None


def plain(conn: Connection) -> Connection:
    """``conn`` for a statement without parameters: PyMySQL %-formats every statement it
    is given parameters for, and SQLAlchemy gives it an empty set, so a ``%`` in a quoted
    name (``id%x``) would be taken for a placeholder."""
    return conn.execution_options(no_parameters=True)


_NOT_A_PLACEHOLDER = re.compile(r"%(?!\([a-z_]+\d*\)s)")


def escape_percent(sql: str) -> str:
    """``sql`` for a statement with ``%(name)s`` parameters: every other ``%`` (in quoted
    names, in the migration's own expressions) doubled, so it reaches the server as is."""
    return _NOT_A_PLACEHOLDER.sub("%%", sql)


#: Quoting, literals and the 64-character name limit: the server's facts, from its Dialect.
MY = MySQLDialect()
q, literal, short = MY.quote, MY.literal, MY.fit_name


class MyNames:
    """Quoting for one base database (the ``Names`` protocol operations render with)."""

    def __init__(self, schema: str, *, version: str = "") -> None:
        self.schema = schema
        self.version = version

    def q(self, name: str) -> str:
        return q(name)

    def literal(self, text: str) -> str:
        return literal(text)

    def table(self, name: str) -> str:
        return MY.qualify(self.schema, name)

    def in_version(self, name: str) -> str:
        return MY.qualify(self.version, name)


def version_database(schema: str, migration: str) -> str:
    return short(f"{schema}_{migration}")


def trigger_name(migration: str, table: str, event: str) -> str:
    return short(f"_dbshift_{migration}_{table}_{event}")


def old_table_name(table: str) -> str:
    """What the old table is called between the cut-over and its drop."""
    return short(f"_dbshift_old_{table}")


def next_view_name(table: str) -> str:
    return short(f"_dbshift_next_{table}")


def build_name(table: str) -> str:
    return short(f"_dbshift_build_{table}")


def _row(prefix: str, columns: Sequence[str], auto: str | None = None) -> str:
    """``(SELECT NEW.a AS a, ...)``: the row as its version names it."""
    parts = []
    for c in columns:
        value = f"{prefix}.{q(c)}"
        if c == auto:
            value = f"NULLIF({value}, 0)"  # 0 in a BEFORE INSERT trigger: "generate one"
        parts.append(f"{value} AS {q(c)}")
    return f"(SELECT {', '.join(parts)}) AS s"


def _guarded(body: str) -> str:
    return (
        f"BEGIN IF NOT {_SKIP} THEN BEGIN "
        f"DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN SET {GUARD} = NULL; RESIGNAL; END; "
        f"SET {GUARD} = {_TOKEN}; {body} SET {GUARD} = NULL; END; END IF; END"
    )


def guarded(body: str) -> str:
    """A trigger body that steps aside for the writes of another sync trigger and of the
    copy (see the module's docstring), for triggers written outside this module."""
    return _guarded(body)


def _insert(target: str, exprs: dict[str, str], row: str) -> str:
    cols = ", ".join(q(c) for c in exprs)
    values = ", ".join(f"({e})" for e in exprs.values())
    return f"INSERT INTO {target} ({cols}) SELECT {values} FROM {row};"


def _where(target_key: Sequence[str], source_key: Sequence[str], row: str) -> str:
    """The target's key equal to the source row's (``row``: OLD or NEW)."""
    pairs = zip(target_key, source_key, strict=True)
    return " AND ".join(f"{q(t)} = {row}.{q(s)}" for t, s in pairs)


def _update(
    target: str,
    key: Sequence[str],
    source_key: Sequence[str],
    exprs: dict[str, str],
    row: str,
    *,
    ensure: bool,
) -> str:
    """The target row brought up to date with the source's new values.

    Without ``ensure`` (the target is complete: the old table) one UPDATE found by the
    OLD key, so a changed key carries over. With it (the target is the shadow, which the
    copy has not filled yet) the row is first inserted if missing, then updated: an
    UPDATE that finds no row would take a gap lock under REPEATABLE READ, and two
    applications' transactions each updating a not-yet-copied row and inserting one
    deadlock on those gaps (the benchmark's workload did, 1,198 times).
    """
    values = ", ".join(f"({e}) AS {q('_dbshift_v_' + c)}" for c, e in exprs.items())
    sets = ", ".join(f"d.{q(c)} = u.{q('_dbshift_v_' + c)}" for c in exprs)
    if not ensure:
        olds = ", ".join(
            f"OLD.{q(s)} AS {q('_dbshift_k_' + k)}" for k, s in zip(key, source_key, strict=True)
        )
        on = " AND ".join(f"d.{q(k)} = u.{q('_dbshift_k_' + k)}" for k in key)
        return f"UPDATE {target} AS d JOIN (SELECT {olds}, {values} FROM {row}) AS u ON {on} SET {sets};"
    moved = " OR ".join(f"NOT (OLD.{q(s)} <=> NEW.{q(s)})" for s in source_key)
    keep = ", ".join(f"{q(k)} = {target}.{q(k)}" for k in key)
    on = " AND ".join(f"d.{q(k)} = u.{q('_dbshift_v_' + k)}" for k in key)
    return (
        f"IF {moved} THEN DELETE FROM {target} WHERE {_where(key, source_key, 'OLD')}; END IF; "
        + _insert(target, exprs, row)[:-1]
        + f" ON DUPLICATE KEY UPDATE {keep}; "
        f"UPDATE {target} AS d JOIN (SELECT {values} FROM {row}) AS u ON {on} SET {sets};"
    )


def _delete(target: str, key: Sequence[str], source_key: Sequence[str]) -> str:
    return f"DELETE FROM {target} WHERE {_where(key, source_key, 'OLD')};"


def sync_triggers(
    *,
    migration: str,
    source_schema: str,
    source_table: str,
    source_columns: Sequence[str],
    target: str,
    key: Sequence[str],
    source_key: Sequence[str],
    exprs: dict[str, str],
    auto: str | None = None,
    ensure: bool = False,
) -> list[tuple[str, str]]:
    """The three triggers that carry writes on ``source`` over to ``target``, as
    (name, CREATE TRIGGER statement).

    ``exprs`` maps target columns to expressions over the source's column names. With
    ``auto`` (the source is the new version's shadow and ``auto`` its auto-increment
    key), inserts go to the target first, in a BEFORE trigger, and take its key.
    ``key`` is the target's key, ``source_key`` the same columns as the source names
    them; ``ensure``: see ``_update``.
    """
    source = f"{q(source_schema)}.{q(source_table)}"
    new_row = _row("NEW", source_columns)
    if auto is not None:
        body = _insert(target, exprs, _row("NEW", source_columns, auto)) + (
            f" IF NEW.{q(auto)} = 0 OR NEW.{q(auto)} IS NULL THEN "
            f"SET NEW.{q(auto)} = LAST_INSERT_ID(); END IF;"
        )
        inserts = ("bi", "BEFORE INSERT", body)
    else:
        inserts = ("ai", "AFTER INSERT", _insert(target, exprs, new_row))
    # In the order to create them: while the source takes writes, a row may reach the
    # target only through a trigger whose row's later writes are carried over too. With
    # the insert trigger first, a row inserted and then deleted (or updated) before the
    # delete (update) trigger existed stayed in the shadow (or stale: the copy keeps what
    # a trigger put there), found by tests/online/test_mysql_copy_race.py.
    out = [
        ("ad", "AFTER DELETE", _delete(target, key, source_key)),
        ("au", "AFTER UPDATE", _update(target, key, source_key, exprs, new_row, ensure=ensure)),
        inserts,
    ]
    # Plain CREATE TRIGGER (MySQL 8 has no OR REPLACE for triggers): a resumed start
    # skips the ones that exist, which have the same body since the file cannot change.
    return [
        (
            trigger_name(migration, source_table, event),
            f"CREATE TRIGGER {q(source_schema)}.{q(trigger_name(migration, source_table, event))} "
            f"{timing} ON {source} FOR EACH ROW {_guarded(body)}",
        )
        for event, timing, body in out
    ]


def drop_triggers(migration: str, schema: str, table: str) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {q(schema)}.{q(trigger_name(migration, table, event))}"
        for event in ("ai", "bi", "au", "ad")
    ]


#: The keys of the rows a copy chunk locked (a temporary table: the session's own).
COPY_KEYS = "_dbshift_copy_keys"


_INTEGER = re.compile(r"(tiny|small|medium|big)?int\b", re.IGNORECASE)


def copy_keys_sql(schema: str, source: str, key: Sequence[tuple[str, str]]) -> tuple[str, ...]:
    """The temporary table ``copy_lock_sql`` keeps a chunk's keys in (``key``: the key's
    columns with their types), made empty before a table's copy, outside the chunks'
    transactions. An integer key's table is a MEMORY one: with InnoDB's the copy took about
    1.45 times as long (measured, 2,000-row chunks), with MEMORY's no longer than before;
    other keys (a long varchar would fill ``max_heap_table_size``) keep the default engine."""
    keys = MY.qualify(schema, COPY_KEYS)
    names = ", ".join(q(k) for k, _ in key)
    picked = ", ".join(f"k.{q(k)}" for k, _ in key)
    engine = " ENGINE=MEMORY" if all(_INTEGER.match(t.strip()) for _, t in key) else ""
    return (
        f"DROP TEMPORARY TABLE IF EXISTS {keys}",
        f"CREATE TEMPORARY TABLE {keys} (PRIMARY KEY ({names})){engine} SELECT {picked} "
        f"FROM {source} AS k LIMIT 0",
    )


def copy_lock_sql(schema: str, source: str, key: Sequence[str]) -> tuple[str, ...]:
    """The statements that open a copy chunk (``Backfill``'s ``lock``): share-lock the
    source rows of the key range and keep their keys (in ``copy_keys_sql``'s table), the
    only rows the chunk copies.

    The copy itself then reads without locking (see ``copy_sql``), a consistent read that
    sees every row committed when it starts: also rows inserted into the range after the
    locks were taken, which nothing locks (READ COMMITTED takes no gap locks). Such a row
    is in the shadow already (its insert trigger put it there); deleted again before the
    copy reached it (its trigger deleting it from the shadow), the copy wrote it back: a
    row the old table no longer has, which complete's verification refused (issue 17;
    tests/online/test_mysql_copy_race.py forces it). A row whose key is kept here stays
    locked until the chunk commits, so nothing changes it between the lock and the copy."""
    keys = MY.qualify(schema, COPY_KEYS)
    picked = ", ".join(f"k.{q(k)}" for k in key)
    return (
        f"DELETE FROM {keys}",
        f"INSERT INTO {keys} SELECT {picked} FROM {source} AS k WHERE __DBSHIFT_RANGE__ "
        "LOCK IN SHARE MODE",
    )


def copied(schema: str, key: Sequence[str]) -> str:
    """The condition over ``k`` of the rows ``copy_lock_sql`` locked."""
    row = ", ".join(f"k.{q(k)}" for k in key)
    kept = ", ".join(f"t.{q(k)}" for k in key)
    return f"({row}) IN (SELECT {kept} FROM {MY.qualify(schema, COPY_KEYS)} AS t)"


def copy_sql(
    schema: str, source: str, target: str, key: Sequence[str], exprs: dict[str, str]
) -> str:
    """One chunk of the copy: the rows ``copy_lock_sql`` locked, inserted unless a trigger
    put the row there first (a concurrent update waited for the chunk's locks, then its
    trigger updates the copied row).

    It reads them without locking (READ COMMITTED: a consistent read): an INSERT …
    SELECT holds the shadow's table-level AUTO-INC lock (innodb_autoinc_lock_mode=1)
    until it ends, and a locking range scan also waits for the first row past the range's
    end; an application updating that row holds it and its trigger's INSERT … SELECT into
    the shadow waits for the AUTO-INC lock: a deadlock, with the application's write as
    the victim (seen in the harness, MariaDB 10.11)."""
    cols = ", ".join(q(c) for c in exprs)
    values = ", ".join(f"({e})" for e in exprs.values())
    order = ", ".join(f"k.{q(k)}" for k in key)
    keep = ", ".join(f"{q(k)} = {target}.{q(k)}" for k in key)
    return (
        f"INSERT INTO {target} ({cols}) SELECT {values} FROM {source} AS k "
        f"WHERE __DBSHIFT_RANGE__ AND {copied(schema, key)} ORDER BY {order} "
        f"ON DUPLICATE KEY UPDATE {keep}"
    )


def view_sql(view: str, source: str, columns: dict[str, str]) -> str:
    select = ", ".join(f"{q(physical)} AS {q(name)}" for name, physical in columns.items())
    return f"CREATE OR REPLACE SQL SECURITY INVOKER VIEW {view} AS SELECT {select} FROM {source}"


def _bound(param: str, type_: str) -> str:
    lowered = type_.lower()
    if "int" in lowered:
        return f"CAST({param} AS {'UNSIGNED' if 'unsigned' in lowered else 'SIGNED'})"
    return param


#: The backfill's SQL pieces on MySQL: READ COMMITTED so the copy's shared locks are record
#: locks only (no gap locks for the application's inserts to queue behind), and the guard
#: set so the shadow's triggers do not send the copied rows back. A copy's chunk takes its
#: source rows' share locks (``copy_lock_sql``) before it inserts anything: a chunk that
#: waited for an application's row lock while holding locks in the shadow (gaps before rows
#: a trigger put there first) would deadlock with that application's trigger inserting
#: into the same gap; measured under the load tests.
KEY_SQL = KeySQL(
    quote=q,
    as_text="CAST({} AS CHAR)",
    bound=_bound,
    estimate_sql=(
        "SELECT TABLE_ROWS FROM information_schema.TABLES "
        "WHERE TABLE_SCHEMA = %(schema)s AND TABLE_NAME = %(table)s"
    ),
    begin=(
        "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED",
        "BEGIN",
        f"SET {GUARD} = 'copy'",
    ),
    end=("COMMIT", f"SET {GUARD} = NULL"),
    abort=("ROLLBACK", f"SET {GUARD} = NULL"),
    retryable=lambda exc: errno(exc) in (1205, 1213),  # lock wait timeout, deadlock
    # The copy sets no limit of its own (innodb_lock_wait_timeout's 1205 is retried above).
    lock_wait_ended=lambda exc: False,
    escape=escape_percent,
)


TABLES_SQL = """
SELECT TABLE_NAME FROM information_schema.TABLES
WHERE TABLE_SCHEMA = %(schema)s AND TABLE_TYPE = 'BASE TABLE'
ORDER BY TABLE_NAME
"""

#: Triggers on a table other than dbshift's own.
TRIGGER_NAMES_SQL = """
SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = %(schema)s
"""

USER_TRIGGERS_SQL = """
SELECT TRIGGER_NAME FROM information_schema.TRIGGERS
WHERE EVENT_OBJECT_SCHEMA = %(schema)s AND EVENT_OBJECT_TABLE = %(table)s
  AND TRIGGER_NAME NOT LIKE '\\_dbshift\\_%%'
"""
