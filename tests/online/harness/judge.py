"""The catalog judge of the online harness: what each server's own catalog says about the
base schema, read with queries written here (pg_catalog, information_schema, SQLite's
pragmas), never through dbshift's inspector, so a bug there cannot hide one in the engine.

A snapshot covers every table of the schema (dbshift's own bookkeeping tables aside):
columns with type, collation, nullability, default, identity/extra and comment IN ORDER;
every index; every unique, check and foreign-key constraint; triggers; views; sequences
and functions. The online engine's leftovers (hidden ``_dbshift`` columns, dual-write
triggers and their functions, helper tables) all show up in it, so "equal to the snapshot
taken before start" and "equal to a database where the desired shape was created directly"
leave nowhere for them to hide.
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from tests.online.harness.connect import mysql_connect, pg_connect

Snapshot = dict[str, Any]

#: dbshift's own tables (history, online journal, drift snapshot): not the user's schema.
_OWN = "dbshift\\_%"


def snapshot(backend: str, url: str) -> Snapshot:
    if backend == "postgresql":
        return _postgres(url)
    if backend == "mysql":
        return _mysql(url)
    return _sqlite(url)


# -- PostgreSQL ------------------------------------------------------------------------

_PG_TABLES = """
SELECT c.relname, c.relkind, obj_description(c.oid, 'pg_class')
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
  AND c.relname NOT LIKE %(own)s
ORDER BY 1
"""
_PG_COLUMNS = """
SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attcollation::regcollation::text,
       a.attnotnull, pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated,
       col_description(a.attrelid, a.attnum)
FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attrelid = %(rel)s::regclass AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum
"""
_PG_INDEXES = """
SELECT c.relname, pg_get_indexdef(i.indexrelid), i.indisvalid, i.indisunique, i.indisprimary
FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
WHERE i.indrelid = %(rel)s::regclass ORDER BY 1
"""
_PG_CONSTRAINTS = """
SELECT conname, contype, pg_get_constraintdef(oid), convalidated, condeferrable,
       condeferred
FROM pg_constraint WHERE conrelid = %(rel)s::regclass ORDER BY 1
"""
_PG_TRIGGERS = """
SELECT tgname, pg_get_triggerdef(oid), tgenabled FROM pg_trigger
WHERE tgrelid = %(rel)s::regclass AND NOT tgisinternal ORDER BY 1
"""
_PG_SEQUENCES = """
SELECT s.relname, t.relname, a.attname
FROM pg_class s JOIN pg_namespace n ON n.oid = s.relnamespace
LEFT JOIN pg_depend d ON d.objid = s.oid AND d.deptype IN ('a', 'i')
     AND d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
LEFT JOIN pg_class t ON t.oid = d.refobjid
LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
WHERE n.nspname = 'public' AND s.relkind = 'S' AND s.relname NOT LIKE %(own)s
ORDER BY 1
"""
_PG_FUNCTIONS = """
SELECT p.proname, pg_get_function_identity_arguments(p.oid)
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = 'public' ORDER BY 1, 2
"""
_PG_SCHEMAS = """
SELECT nspname FROM pg_namespace
WHERE nspname NOT LIKE 'pg\\_%%' AND nspname <> 'information_schema' ORDER BY 1
"""


def _postgres(url: str) -> Snapshot:
    with pg_connect(url) as conn:

        def rows(sql: str, **args: Any) -> list[tuple[Any, ...]]:
            return [tuple(r) for r in conn.execute(sql, {"own": _OWN, **args}).fetchall()]

        tables: dict[str, Any] = {}
        for name, kind, comment in rows(_PG_TABLES):
            rel = f'public."{name}"'
            tables[name] = {
                "kind": kind,
                "comment": comment,
                "columns": rows(_PG_COLUMNS, rel=rel),
                "indexes": rows(_PG_INDEXES, rel=rel),
                "constraints": rows(_PG_CONSTRAINTS, rel=rel),
                "triggers": rows(_PG_TRIGGERS, rel=rel),
                "view": rows("SELECT pg_get_viewdef(%(rel)s::regclass)", rel=rel)
                if kind == "v"
                else None,
            }
        return {
            "tables": tables,
            "sequences": rows(_PG_SEQUENCES),
            "functions": rows(_PG_FUNCTIONS),
            "schemas": [r[0] for r in rows(_PG_SCHEMAS)],
        }


# -- MySQL / MariaDB -------------------------------------------------------------------

_MY_TABLES = """
SELECT TABLE_NAME, TABLE_TYPE, ENGINE, TABLE_COLLATION, TABLE_COMMENT
FROM information_schema.TABLES
WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME NOT LIKE %s ORDER BY 1
"""
_MY_COLUMNS = """
SELECT COLUMN_NAME, ORDINAL_POSITION, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA,
       CHARACTER_SET_NAME, COLLATION_NAME, COLUMN_COMMENT, GENERATION_EXPRESSION
FROM information_schema.COLUMNS
WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = %s ORDER BY ORDINAL_POSITION
"""
_MY_INDEXES = """
SELECT INDEX_NAME, SEQ_IN_INDEX, COLUMN_NAME, NON_UNIQUE, SUB_PART, INDEX_TYPE, COLLATION
FROM information_schema.STATISTICS
WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = %s ORDER BY 1, 2
"""
_MY_CONSTRAINTS = """
SELECT CONSTRAINT_NAME, CONSTRAINT_TYPE FROM information_schema.TABLE_CONSTRAINTS
WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = %s ORDER BY 1, 2
"""
_MY_CHECKS = """
SELECT CONSTRAINT_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS
WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = %s ORDER BY 1
"""
_MY_FOREIGN_KEYS = """
SELECT r.CONSTRAINT_NAME, k.COLUMN_NAME, k.ORDINAL_POSITION, r.REFERENCED_TABLE_NAME,
       k.REFERENCED_COLUMN_NAME, r.UPDATE_RULE, r.DELETE_RULE, r.UNIQUE_CONSTRAINT_SCHEMA
       = DATABASE()
FROM information_schema.REFERENTIAL_CONSTRAINTS r
JOIN information_schema.KEY_COLUMN_USAGE k
  ON k.CONSTRAINT_SCHEMA = r.CONSTRAINT_SCHEMA AND k.CONSTRAINT_NAME = r.CONSTRAINT_NAME
 AND k.TABLE_NAME = r.TABLE_NAME
WHERE r.CONSTRAINT_SCHEMA = DATABASE() AND r.TABLE_NAME = %s ORDER BY 1, 3
"""
_MY_TRIGGERS = """
SELECT TRIGGER_NAME, EVENT_MANIPULATION, EVENT_OBJECT_TABLE, ACTION_TIMING
FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() ORDER BY 1
"""
_MY_ROUTINES = """
SELECT ROUTINE_NAME, ROUTINE_TYPE FROM information_schema.ROUTINES
WHERE ROUTINE_SCHEMA = DATABASE() ORDER BY 1
"""
_MY_VIEWS = """
SELECT TABLE_NAME, VIEW_DEFINITION FROM information_schema.VIEWS
WHERE TABLE_SCHEMA = DATABASE() ORDER BY 1
"""
_MY_DATABASES = "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA"


def _mysql(url: str) -> Snapshot:
    with mysql_connect(url) as conn:
        cur = conn.cursor()

        def rows(sql: str, *args: Any) -> list[tuple[Any, ...]]:
            cur.execute(sql, args or None)
            return [tuple(r) for r in cur.fetchall()]

        database = rows("SELECT DATABASE()")[0][0]
        tables: dict[str, Any] = {}
        for name, kind, engine, collation, comment in rows(_MY_TABLES, _OWN):
            tables[name] = {
                "kind": kind,
                "engine": engine,
                "collation": collation,
                "comment": comment,
                "columns": rows(_MY_COLUMNS, name),
                "indexes": rows(_MY_INDEXES, name),
                "constraints": rows(_MY_CONSTRAINTS, name),
                "checks": rows(_MY_CHECKS, name),
                "foreign_keys": rows(_MY_FOREIGN_KEYS, name),
            }
        # A view's text names its database; the reference database has another name.
        views = [(n, (d or "").replace(f"`{database}`.", "")) for n, d in rows(_MY_VIEWS)]
        version_databases = [
            r[0][len(database) :] for r in rows(_MY_DATABASES) if r[0].startswith(f"{database}_")
        ]
        return {
            "tables": tables,
            "triggers": rows(_MY_TRIGGERS),
            "routines": rows(_MY_ROUTINES),
            "views": views,
            "version_databases": sorted(version_databases),
        }


# -- SQLite ----------------------------------------------------------------------------

_CHECK_NAME = re.compile(r"CONSTRAINT\s+[\"`\[]?(\w+)[\"`\]]?\s+CHECK", re.IGNORECASE)


def _sqlite(url: str) -> Snapshot:
    path = url.removeprefix("sqlite:///")
    conn = sqlite3.connect(path)
    try:

        def rows(sql: str, *args: Any) -> list[tuple[Any, ...]]:
            return [tuple(r) for r in conn.execute(sql, args).fetchall()]

        tables: dict[str, Any] = {}
        for name, kind, sql in rows(
            "SELECT name, type, sql FROM sqlite_master WHERE type IN ('table', 'view') "
            "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE 'dbshift\\_%' "
            "ESCAPE '\\' ORDER BY 1"
        ):
            indexes = []
            for _seq, index, unique, origin, partial in rows(f'PRAGMA index_list("{name}")'):
                columns = rows(f'PRAGMA index_xinfo("{index}")')
                indexes.append((index, unique, origin, partial, columns))
            tables[name] = {
                "kind": kind,
                "columns": rows(f'PRAGMA table_xinfo("{name}")'),
                "indexes": sorted(indexes),
                "foreign_keys": rows(f'PRAGMA foreign_key_list("{name}")'),
                "checks": sorted(_CHECK_NAME.findall(sql or "")),
            }
        return {
            "tables": tables,
            "triggers": rows("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'"),
        }
    finally:
        conn.close()


# -- The same file, the same schema ----------------------------------------------------


def shape(backend: str, snap: Snapshot) -> dict[str, Any]:
    """What PostgreSQL and MariaDB must agree on after the same file: per table, the
    columns in order with their nullability, the secondary indexes (name, columns,
    unique: a unique constraint is one, as MariaDB lists every unique index as a
    constraint), and the names of check and foreign-key constraints. Types and
    default texts are each server's own spelling and are left out; the index InnoDB
    creates for a foreign key that has none is left out too (PostgreSQL creates none)."""
    out: dict[str, Any] = {}
    for name, table in snap["tables"].items():
        if backend == "postgresql":
            columns = [(c[0], not c[3]) for c in table["columns"]]
            indexes = sorted(
                (i[0], tuple(_pg_index_columns(i[1])), bool(i[3]))
                for i in table["indexes"]
                if not i[4]
            )
            kinds = {"c": "CHECK", "f": "FOREIGN KEY"}
            constraints = sorted((c[0], kinds[c[1]]) for c in table["constraints"] if c[1] in kinds)
        else:
            columns = [(c[0], c[3] == "YES") for c in table["columns"]]
            fk_names = {f[0] for f in table["foreign_keys"]}
            grouped: dict[str, tuple[list[str], bool]] = {}
            for index, _seq, column, non_unique, *_ in table["indexes"]:
                if index == "PRIMARY" or index in fk_names:
                    continue
                grouped.setdefault(index, ([], not non_unique))[0].append(column)
            indexes = sorted((n, tuple(cols), u) for n, (cols, u) in grouped.items())
            constraints = sorted(
                (c[0], c[1]) for c in table["constraints"] if c[1] in ("CHECK", "FOREIGN KEY")
            )
        out[name] = {"columns": columns, "indexes": indexes, "constraints": constraints}
    return out


def _pg_index_columns(definition: str) -> list[str]:
    inside = definition[definition.index("(") + 1 : definition.rindex(")")]
    return [part.strip().strip('"') for part in inside.split(",")]
