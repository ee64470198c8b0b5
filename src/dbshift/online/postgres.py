"""PostgreSQL SQL for online migrations: version schemas, dual-write triggers, catalog
reads. Pure functions from names and operations to SQL text; nothing here executes.

How the two versions coexist (the design pgroll made popular, kept small):
- the old version keeps using the tables directly (or the previous version's schema);
- the new version sets ``search_path`` to ``<version schema>, <schema>``: a view per
  changed table shows it in the new shape (hidden columns under their real names), and
  unchanged tables resolve to the base schema. Single-table views are auto-updatable, so
  the new version writes through them;
- one BEFORE INSERT OR UPDATE trigger per changed table tells the versions apart by the
  first schema of the writing session's search path and fills the other version's
  columns with the migration's up/down expressions.
"""

from __future__ import annotations

from collections.abc import Sequence

from dbshift import ops
from dbshift.dialects.postgres import PostgresDialect
from dbshift.errors import OnlineOperationError
from dbshift.online import shape
from dbshift.online.backfill import LOCK_WAIT, KeySQL
from dbshift.online.postgres_ops import added
from dbshift.online.shape import Assignment, table_of

#: Quoting, literals and the 63-byte name limit: PostgreSQL's facts, from its Dialect.
PG = PostgresDialect()
quote, literal, short = PG.quote, PG.literal, PG.fit_name


def _lock_wait_ended(exc: BaseException) -> bool:
    """lock_not_available: the batch's ``lock_timeout`` ran out."""
    return getattr(getattr(exc, "orig", None), "sqlstate", None) == "55P03"


def _retryable(exc: BaseException) -> bool:
    """deadlock_detected, serialization_failure, lock_not_available."""
    orig = getattr(exc, "orig", None)
    return getattr(orig, "sqlstate", None) in ("40P01", "40001", "55P03")


#: The backfill's batches on PostgreSQL. The commit does not wait for its WAL flush, so
#: the batch's row locks are released without that wait; the checkpoint is in the same
#: transaction, so a crash that loses the last batches loses their checkpoints too, and the
#: resume redoes them. (One round trip: at 10-20 ms batches, each statement's is a few
#: percent.) The batch waits at most ``LOCK_WAIT`` ms for an application's row lock:
#: waiting, it holds every row it already wrote, so a long application transaction would
#: queue every writer of those rows behind it; instead it rolls back and comes again later.
KEY_SQL = KeySQL(
    quote=quote,
    as_text="{}::text",
    estimate_sql=(
        "SELECT CASE WHEN relpages = 0 THEN -1 ELSE reltuples END::bigint FROM pg_class "
        "WHERE oid = %(rel)s::regclass"
    ),
    begin=(
        "BEGIN; SET LOCAL dbshift.backfill = 'on'; SET LOCAL synchronous_commit = off; "
        f"SET LOCAL lock_timeout = {LOCK_WAIT}",
    ),
    end=("COMMIT",),
    abort=("ROLLBACK",),
    retryable=_retryable,
    lock_wait_ended=_lock_wait_ended,
)
_BODY_TAG = "$dbshift_online$"


class PgNames:
    """Quoting for one base schema (the ``Names`` protocol operations render with)."""

    def __init__(self, schema: str, *, version: str = "") -> None:
        self.schema = schema
        self.version = version

    def q(self, name: str) -> str:
        return quote(name)

    def literal(self, text: str) -> str:
        return literal(text)

    def table(self, name: str) -> str:
        return PG.qualify(self.schema, name)


def version_schema(schema: str, migration: str) -> str:
    return short(f"{schema}_{migration}")


def trigger_name(migration: str) -> str:
    return short(f"_dbshift_{migration}")


def function_name(migration: str, table: str) -> str:
    return short(f"_dbshift_{migration}_{table}")


def trigger_sql(
    names: PgNames,
    *,
    migration: str,
    table: str,
    version: str,
    old_columns: dict[str, str],
    new_columns: dict[str, str],
    up: Sequence[Assignment],
    down: Sequence[Assignment],
) -> list[str]:
    """The dual-write function and its trigger for one table.

    The up/down expressions name columns as their version sees them; each branch binds
    those names to PL/pgSQL variables holding the row's physical values, so an
    expression such as ``lower(email)`` works unchanged in the trigger and the backfill.
    The backfill sets ``dbshift.backfill`` locally and writes the new columns itself, so
    the trigger's WHEN clause steps aside for it.
    """
    for a in (*up, *down):
        if _BODY_TAG in a.expression:
            raise OnlineOperationError(f"expression for {a.column!r} contains {_BODY_TAG}")
    fn = f"{quote(names.schema)}.{quote(function_name(migration, table))}"
    qualified = names.table(table)
    # A write through the new version's view: derive the old columns, keep the new.
    branches = [
        f"IF (current_schemas(false))[1] = {literal(version)} THEN\n"
        + (_block(qualified, new_columns, down) + "\n" if down else "")
        + "    RETURN NEW;\n  END IF;"
    ]
    # Anything else is the old version (or a plain session): derive the new columns.
    if up:
        branches.append(_block(qualified, old_columns, up))
    body = "\n  ".join(branches)
    function = (
        f"CREATE OR REPLACE FUNCTION {fn}() RETURNS trigger LANGUAGE plpgsql AS {_BODY_TAG}\n"
        "BEGIN\n"
        f"  {body}\n"
        "  RETURN NEW;\n"
        f"END {_BODY_TAG}"
    )
    # The WHEN clause skips the PL/pgSQL call altogether for the backfill's own rows
    # (it computes the new columns in its UPDATE): a function call per row was a third of
    # the backfill's time.
    trigger = (
        f"CREATE TRIGGER {quote(trigger_name(migration))} BEFORE INSERT OR UPDATE ON "
        f"{qualified} FOR EACH ROW "
        "WHEN (current_setting('dbshift.backfill', true) IS DISTINCT FROM 'on') "
        f"EXECUTE FUNCTION {fn}()"
    )
    return [function, trigger]


def _block(qualified: str, columns: dict[str, str], assignments: Sequence[Assignment]) -> str:
    declares = "\n".join(
        f"      {quote(name)} {qualified}.{quote(physical)}%TYPE := NEW.{quote(physical)};"
        for name, physical in columns.items()
    )
    sets = "\n".join(f"      NEW.{quote(a.column)} := ({a.expression});" for a in assignments)
    return f"    DECLARE\n{declares}\n    BEGIN\n{sets}\n    END;"


def drop_trigger_sql(names: PgNames, *, migration: str, table: str) -> list[str]:
    fn = f"{quote(names.schema)}.{quote(function_name(migration, table))}"
    return [
        f"DROP TRIGGER IF EXISTS {quote(trigger_name(migration))} ON {names.table(table)}",
        f"DROP FUNCTION IF EXISTS {fn}()",
    ]


def view_sql(
    names: PgNames, version: str, table: str, columns: dict[str, str], *, view: str
) -> str:
    select = ", ".join(f"{quote(physical)} AS {quote(name)}" for name, physical in columns.items())
    return (
        f"CREATE OR REPLACE VIEW {quote(version)}.{quote(view)} AS "
        f"SELECT {select} FROM {names.table(table)}"
    )


def added_columns_sql(names: PgNames, op: ops.Operation) -> list[str]:
    out = []
    for col in added(op):
        default = f" DEFAULT {col.default}" if col.default is not None else ""
        out.append(
            f"ALTER TABLE {names.table(table_of(op))} ADD COLUMN {quote(col.name)} "
            f"{col.data_type}{default}"
        )
    return out


def drop_added_sql(names: PgNames, op: ops.Operation) -> list[str]:
    return [
        f"ALTER TABLE {names.table(table_of(op))} DROP COLUMN IF EXISTS {quote(name)}"
        for name in shape.hidden_columns(op)
    ]
