"""PostgreSQL lock tracing: ``pg_locks`` of our own backend, ``relfilenode`` for rewrites.

Each statement runs in a transaction of its own on the scratch database, and ``pg_locks``
is read before its COMMIT: locks accumulate within a transaction, so in one long
transaction a second ALTER of a table already locked would show nothing new, while on its
own it shows exactly the locks it asks for. What a transactional migration holds until
its COMMIT is then the union over its statements (``Tracer.held``).

A rewrite gives the table a new ``relfilenode`` (a new file holding the copied rows), so
comparing ``relfilenode`` before and after a statement is exact, not a guess from its text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dbshift.dialects.locks import Observation, Step, TableLock, Tracer, strongest, timed
from dbshift.frozen import frozen

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

# pg_locks mode -> (SQL name, blocks SELECT, blocks INSERT/UPDATE/DELETE); weakest first.
# From the conflict table in the PostgreSQL 15 manual, 13.3.1: reads take ACCESS SHARE,
# writes ROW EXCLUSIVE.
MODES: dict[str, tuple[str, bool, bool]] = {
    "AccessShareLock": ("ACCESS SHARE", False, False),
    "RowShareLock": ("ROW SHARE", False, False),
    "RowExclusiveLock": ("ROW EXCLUSIVE", False, False),
    "ShareUpdateExclusiveLock": ("SHARE UPDATE EXCLUSIVE", False, False),
    "ShareLock": ("SHARE", False, True),
    "ShareRowExclusiveLock": ("SHARE ROW EXCLUSIVE", False, True),
    "ExclusiveLock": ("EXCLUSIVE", False, True),
    "AccessExclusiveLock": ("ACCESS EXCLUSIVE", True, True),
}
_RANK = {name: index for index, (name, _, _) in enumerate(MODES.values())}

RELATIONS_SQL = """
SELECT c.oid::bigint, n.nspname, c.relname, c.relkind::text, c.relfilenode::bigint,
       COALESCE(i.indrelid, 0)::bigint, n.nspname = current_schema()
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_index i ON i.indexrelid = c.oid
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
"""

# Our own backend only, and only what it holds (a waiting lock is not ours yet).
LOCKS_SQL = """
SELECT relation::bigint, mode FROM pg_locks
WHERE pid = pg_backend_pid() AND locktype = 'relation' AND granted AND relation IS NOT NULL
"""

# SQLSTATE 25001: "cannot run inside a transaction block" (CREATE INDEX CONCURRENTLY, VACUUM).
_NOT_IN_TRANSACTION = "25001"
_INDEX_KINDS = ("i", "I")
_STORED_KINDS = ("r", "m")  # tables and materialized views: what a rewrite copies


@frozen
class _Relation:
    name: str
    kind: str
    filenode: int
    table: int  # for an index, the oid of its table


class PostgresTracer(Tracer):
    def __init__(self, conn: Connection) -> None:
        super().__init__(conn)
        self._existing: set[int] = set()

    def start_migration(self, *, transactional: bool) -> None:
        super().start_migration(transactional=transactional)
        self._existing = set(self._relations())

    def rank(self, mode: str) -> int:
        return _RANK.get(mode, -1)

    def _trace(self, step: Step) -> Observation:
        from sqlalchemy.exc import DBAPIError

        self.raw.exec_driver_sql("BEGIN")
        try:
            before = self._relations()
            ms = timed(step.run)
            locks = self.raw.exec_driver_sql(LOCKS_SQL).all()
            after = self._relations()
        except DBAPIError as exc:
            self.raw.exec_driver_sql("ROLLBACK")
            if getattr(exc.orig, "sqlstate", None) != _NOT_IN_TRANSACTION or self.transactional:
                raise
            return self._outside_transaction(step)
        except BaseException:
            self.raw.exec_driver_sql("ROLLBACK")
            raise
        self.raw.exec_driver_sql("COMMIT")
        known = {**before, **after}
        found = []
        for oid, raw_mode in locks:
            relation = known.get(int(oid))
            if relation is None or relation.kind in _INDEX_KINDS or raw_mode not in MODES:
                continue  # catalogs, the pg_locks view, a rewrite's transient file, indexes
            mode, reads, writes = MODES[raw_mode]
            new = int(oid) not in self._existing
            found.append(
                TableLock(
                    relation.name,
                    mode,
                    blocks_reads=reads and not new,
                    blocks_writes=writes and not new,
                    new=new,
                )
            )
        return Observation(
            ms=ms,
            locks=strongest(found, self.rank),
            rewritten=_rewritten(before, after),
            source="pg_locks",
        )

    def _outside_transaction(self, step: Step) -> Observation:
        """A statement PostgreSQL refuses in a transaction block runs on its own, and
        releases its locks when it ends, before ``pg_locks`` could be read: its lock is
        the documented one (manual 13.3.1: the CONCURRENTLY forms take SHARE UPDATE
        EXCLUSIVE; seen in pg_locks on PostgreSQL 15 while CREATE and DROP INDEX
        CONCURRENTLY waited for an open transaction), on the tables whose indexes it
        created, dropped or rebuilt."""
        before = self._relations()
        ms = timed(step.run)
        after = self._relations()
        notes = ["runs outside a transaction: locks released before pg_locks could be read"]
        concurrently = step.sql is not None and "concurrently" in step.sql.lower()
        if not concurrently:
            return Observation(ms=ms, rewritten=_rewritten(before, after), notes=tuple(notes))
        known = {**before, **after}
        tables = set()
        for oid in set(before) | set(after):
            relation = known[oid]
            if relation.kind not in _INDEX_KINDS:
                continue
            old, now = before.get(oid), after.get(oid)
            if old is None or now is None or old.filenode != now.filenode:
                table = known.get(relation.table)
                if table is not None:
                    tables.add(table.name)
        if not tables:  # e.g. DETACH PARTITION CONCURRENTLY: no index tells the table
            return Observation(ms=ms, rewritten=_rewritten(before, after), notes=tuple(notes))
        locks = tuple(
            TableLock(name, "SHARE UPDATE EXCLUSIVE", blocks_reads=False, blocks_writes=False)
            for name in sorted(tables)
        )
        return Observation(
            ms=ms,
            locks=locks,
            rewritten=_rewritten(before, after),
            source="documented",
            notes=("runs outside a transaction",),
        )

    def _relations(self) -> dict[int, _Relation]:
        rows = self.raw.exec_driver_sql(RELATIONS_SQL).all()
        return {
            int(oid): _Relation(
                name if in_search_schema else f"{schema}.{name}", kind, int(filenode), int(table)
            )
            for oid, schema, name, kind, filenode, table, in_search_schema in rows
        }


def _rewritten(before: dict[int, _Relation], after: dict[int, _Relation]) -> tuple[str, ...]:
    return tuple(
        sorted(
            relation.name
            for oid, relation in after.items()
            if relation.kind in _STORED_KINDS
            and oid in before
            and before[oid].filenode != relation.filenode
        )
    )


def tracer(conn: Connection) -> Tracer:
    return PostgresTracer(conn)
