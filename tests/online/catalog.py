"""A catalog judge for online migrations on PostgreSQL: what pg_catalog says about a table
(columns with type, collation, nullability, default, identity, comment; indexes; constraints;
triggers; foreign keys pointing at it; owned sequences), read directly, never through
dbshift's inspector, so a bug there cannot hide one in the engine.

``offline_equivalent`` builds the shape a migration should reach in a scratch database
with plain DDL: after complete, the migrated table must equal it; after rollback, the
table must equal its copy that never saw the migration."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg

from tests.conftest import scratch_database
from tests.online.harness import conninfo

_COLUMNS = """
SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attcollation::regcollation::text,
       a.attnotnull,
       pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated,
       col_description(a.attrelid, a.attnum)
FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attrelid = %(rel)s::regclass AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum
"""
_INDEXES = """
SELECT c.relname, pg_get_indexdef(i.indexrelid), i.indisvalid, i.indisunique
FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
WHERE i.indrelid = %(rel)s::regclass ORDER BY 1
"""
_CONSTRAINTS = """
SELECT conname, contype, pg_get_constraintdef(oid), convalidated, condeferrable
FROM pg_constraint WHERE conrelid = %(rel)s::regclass ORDER BY 1
"""
_REFERENCING = """
SELECT conname, conrelid::regclass::text, pg_get_constraintdef(oid), convalidated
FROM pg_constraint WHERE confrelid = %(rel)s::regclass AND contype = 'f' ORDER BY 1
"""
_TRIGGERS = """
SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger
WHERE tgrelid = %(rel)s::regclass AND NOT tgisinternal ORDER BY 1
"""
_SEQUENCES = """
SELECT s.relname, a.attname FROM pg_depend d
JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
WHERE d.refobjid = %(rel)s::regclass AND d.deptype IN ('a', 'i') ORDER BY 1
"""


def snapshot(url: str, table: str) -> dict[str, Any]:
    """The table as the catalog describes it; ``order`` is its column order, kept apart
    from ``columns`` (PostgreSQL cannot keep an altered column in place)."""
    with psycopg.connect(conninfo(url), autocommit=True) as conn:
        args = {"rel": f"public.{table}"}

        def rows(sql: str) -> list[tuple[Any, ...]]:
            return [tuple(r) for r in conn.execute(sql, args).fetchall()]

        columns = rows(_COLUMNS)
        return {
            "order": [c[0] for c in columns],
            "columns": sorted(columns),
            "indexes": rows(_INDEXES),
            "constraints": rows(_CONSTRAINTS),
            "referencing": rows(_REFERENCING),
            "triggers": rows(_TRIGGERS),
            "sequences": rows(_SEQUENCES),
            "table_comment": conn.execute(
                "SELECT obj_description(%(rel)s::regclass, 'pg_class')", args
            ).fetchone(),
        }


def offline_equivalent(
    tmp_path: Path, setup: list[str], ddl: list[str], table: str
) -> dict[str, Any]:
    """``snapshot`` of ``table`` in a scratch database after ``setup`` and ``ddl``."""
    with scratch_database("postgresql", tmp_path / "judge") as judge:
        with psycopg.connect(conninfo(judge.url), autocommit=True) as conn:
            for sql in [*setup, *ddl]:
                conn.execute(sql)
        return snapshot(judge.url, table)


def assert_same(actual: dict[str, Any], wanted: dict[str, Any], *, order: bool) -> None:
    for key in wanted:
        if key == "order" and not order:
            continue
        assert actual[key] == wanted[key], (key, actual[key], wanted[key])
