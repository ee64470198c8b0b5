"""Foreign keys that point into restored tables from tables the backup does not hold.

Restoring a table drops and recreates it; a foreign key of another table that references
it would block the drop (``pg_restore --clean``) or vanish with it (``CASCADE``). Those
keys are dropped before and added back after, in the restore's transaction, from the
server's own definition (``pg_get_constraintdef``). With the prior backup a targeted
backup often holds ``users`` whole and ``orders`` only as rows: ``orders``' key to
``users`` is exactly such a one.
"""

from __future__ import annotations

from collections.abc import Sequence

from dbshift.backup.base import Database


def outside(db: Database, tables: Sequence[str]) -> tuple[list[str], list[str]]:
    """(drop statements, add statements) for the keys of other tables into ``tables``
    (manifest names, ``schema.table``) that exist now."""
    live = [
        db.dialect.qualify(*t.split(".", 1))
        for t in tables
        if db.conn.exec_driver_sql(
            "SELECT to_regclass(%(t)s)", {"t": db.dialect.qualify(*t.split(".", 1))}
        ).scalar()
        is not None
    ]
    if not live:
        return [], []
    # With an empty search_path the server names every table with its schema: the
    # statements run where pg_restore's script has emptied the search_path too.
    path = db.conn.exec_driver_sql("SELECT current_setting('search_path')").scalar_one()
    db.conn.exec_driver_sql("SELECT set_config('search_path', '', false)")
    try:
        rows = db.conn.exec_driver_sql(
            "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) "
            "FROM pg_constraint c WHERE c.contype = 'f' AND c.confrelid = ANY(%(t)s::regclass[]) "
            "AND NOT c.conrelid = ANY(%(t)s::regclass[]) ORDER BY 1, 2",
            {"t": live},
        ).all()
    finally:
        db.conn.exec_driver_sql("SELECT set_config('search_path', %(p)s, false)", {"p": path})
    q = db.dialect.quote
    drops = [f"ALTER TABLE {rel} DROP CONSTRAINT {q(name)}" for rel, name, _ in rows]
    adds = [f"ALTER TABLE {rel} ADD CONSTRAINT {q(name)} {body}" for rel, name, body in rows]
    return drops, adds
