"""PostgreSQL without ``pg_dump``: dbshift's inspector and renderer for the schema, ``COPY``
for the rows.

``pg_dump`` is preferred (it knows every object kind; this knows what dbshift's model
holds: tables, indexes, constraints, sequences, views, enums, domains, functions,
triggers, comments of the current schema). It runs in one REPEATABLE READ snapshot, so
the schema and every table's rows are of one moment. The schema is rendered from the
model in the order ``diff`` gives, in two parts: what must exist before the rows go in,
and what must come after them (foreign keys, which the rows would otherwise have to
satisfy in load order; functions and triggers, which must not fire on restored rows).

The restore is one transaction, like ``pg_restore --single-transaction``: killed
midway, the database is as it was.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from dbshift.backup import manifest as mf
from dbshift.backup import postgres_rows
from dbshift.backup.base import Database, Dumped, Notice, transaction
from dbshift.backup.rows import file_name
from dbshift.errors import UsageError

SCHEMA = "schema.json"


def _current(db: Database) -> str:
    return str(db.conn.exec_driver_sql("SELECT current_schema()").scalar_one())


def dump(
    engine: Any,
    db: Database,
    directory: Path,
    tables: Sequence[str] | None,
    notice: Notice,
) -> Dumped:
    from dbshift.diff.differ import diff
    from dbshift.inspect import inspect_schema
    from dbshift.model import Schema
    from dbshift.ops import AddForeignKey, CreateExtension, CreateRoutine, CreateSchema

    db.conn.exec_driver_sql("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    try:
        current = _current(db)
        names = list(tables) if tables is not None else engine.all_tables(db)
        outside = [n for n in names if n.partition(".")[0] != current]
        if outside:
            raise UsageError(
                f"the built-in dump covers the current schema ({current}) only, not "
                f"{', '.join(outside[:3])}: install pg_dump ({engine.package})"
            )
        model = inspect_schema(db.conn, schema=current)
        if tables is not None:
            bare = {n.partition(".")[2] for n in names}
            views = {v.partition(".")[2] for v in engine.view_names(db, names)}
            model = Schema(
                tables=tuple(t for t in model.tables if t.name in bare),
                views=tuple(v for v in model.views if v.name in views),
                sequences=tuple(
                    s
                    for s in model.sequences
                    if s.owned_by and s.owned_by.partition(".")[0] in bare
                ),
                routines=tuple(r for r in model.routines if r.table in bare),
            )
        # Extensions and schemas are not dropped by a restore, so not created by it.
        ops = [
            op for op in diff(Schema(), model) if not isinstance(op, CreateExtension | CreateSchema)
        ]
        renderer = db.dialect.renderer()
        later = [op for op in ops if isinstance(op, AddForeignKey | CreateRoutine)]
        first = [op for op in ops if op not in later]
        entries: list[dict[str, Any]] = []
        files = []
        for name in names:
            _key, columns = postgres_rows.key_and_columns(db, engine.qualified(db, name))
            path = file_name(name, "copy")
            cols = ", ".join(db.dialect.quote(c) for c in columns)
            query = f"SELECT {cols} FROM {engine.qualified(db, name)}"
            rows, size, digest = postgres_rows.copy_out(db, [query], directory / path)
            files.append(mf.FileEntry(path, size, digest))
            entries.append({"name": name, "file": path, "columns": columns, "rows": rows})
        sequences = _sequence_values(db, current, None if tables is None else names)
    finally:
        db.conn.exec_driver_sql("COMMIT")
    body = {
        "schema": current,
        "before": renderer.render(first, Schema()),
        "after": renderer.render(later, model),
        "tables": entries,
        "sequences": sequences,
        "views": [v.name for v in model.views],
    }
    target = directory / SCHEMA
    target.write_text(json.dumps(body, indent=1), encoding="utf-8")
    files.insert(0, mf.file_entry(directory, target))
    return Dumped(
        files=tuple(files),
        tables=tuple(mf.TableEntry(e["name"], e["rows"]) for e in entries),
        tool="dbshift built-in dump (inspector + COPY)",
        extra={"format": "builtin", "dump": SCHEMA},
    )


def _sequence_values(
    db: Database, schema: str, tables: Sequence[str] | None
) -> list[tuple[str, int, bool]]:
    """(sequence, last_value, is_called) of the schema's sequences, or of those owned by
    ``tables`` (serial and identity columns)."""
    rows = db.conn.exec_driver_sql(
        "SELECT s.relname, d.refobjid::regclass::text FROM pg_class s "
        "JOIN pg_namespace n ON n.oid = s.relnamespace "
        "LEFT JOIN pg_depend d ON d.objid = s.oid AND d.deptype IN ('a', 'i') "
        "AND d.refclassid = 'pg_class'::regclass "
        "WHERE s.relkind = 'S' AND n.nspname = %(s)s",
        {"s": schema},
    ).all()
    wanted = None if tables is None else {t.partition(".")[2] for t in tables}
    out = []
    for name, owner in rows:
        owner_bare = (owner or "").rpartition(".")[2].strip('"')
        if wanted is not None and owner_bare not in wanted:
            continue
        qualified = db.dialect.qualify(schema, name)
        last, called = db.conn.exec_driver_sql(
            f"SELECT last_value, is_called FROM {qualified}"
        ).one()
        out.append((str(name), int(last), bool(called)))
    return out


def restore(
    engine: Any,
    db: Database,
    directory: Path,
    manifest: mf.Manifest,
    tables: Sequence[str] | None,
    notice: Notice,
) -> None:
    if tables is not None:
        raise UsageError(
            f"backup {manifest.id} is a built-in dump: restore --tables needs a pg_dump "
            "backup; restore it whole (or restore --rows for saved rows)"
        )
    from dbshift.backup import postgres_fks

    body = json.loads((directory / SCHEMA).read_text(encoding="utf-8"))
    schema = body["schema"]
    drops, adds = (
        ([], [])
        if manifest.scope == "full"
        else postgres_fks.outside(db, [t["name"] for t in body["tables"]])
    )
    q = db.dialect.quote
    conn: Any = db.conn.connection.driver_connection
    with conn.cursor() as cur, transaction(cur.execute):
        cur.execute(f"SET LOCAL search_path TO {q(schema)}")
        for statement in drops + _drops(db, schema, manifest, body):
            cur.execute(statement)
        for statement in body["before"]:
            cur.execute(statement)
        for table in body["tables"]:
            cols = ", ".join(q(c) for c in table["columns"])
            target = engine.qualified(db, table["name"])
            postgres_rows.copy_in(cur, f"{target} ({cols})", directory / table["file"])
        for statement in body["after"] + adds:
            cur.execute(statement)
        for name, last, called in body["sequences"]:
            regclass = db.dialect.literal(db.dialect.qualify(schema, name))
            cur.execute(f"SELECT setval({regclass}::regclass, {int(last)}, {bool(called)})")


def _drops(db: Database, schema: str, manifest: mf.Manifest, body: dict[str, Any]) -> list[str]:
    """What must go before the backup's objects are created: the backup's own tables and
    views; for a full backup also everything else in the schema that the model covers
    (what later migrations created, so the schema is as it was)."""
    q = db.dialect.quote
    if manifest.scope != "full":
        names = [t["name"].partition(".")[2] for t in body["tables"]]
        return [f"DROP VIEW IF EXISTS {q(v)} CASCADE" for v in body["views"]] + [
            f"DROP TABLE IF EXISTS {q(t)} CASCADE" for t in names
        ]
    out = []
    kinds = {"v": "VIEW", "m": "MATERIALIZED VIEW", "r": "TABLE", "p": "TABLE", "S": "SEQUENCE"}
    for name, kind in db.conn.exec_driver_sql(
        "SELECT c.relname, c.relkind::text FROM pg_class c JOIN pg_namespace n "
        "ON n.oid = c.relnamespace WHERE n.nspname = %(s)s AND c.relkind IN ('v','m','r','p','S') "
        "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')",
        {"s": schema},
    ).all():
        out.append(f"DROP {kinds[kind]} IF EXISTS {q(name)} CASCADE")
    for name, typtype in db.conn.exec_driver_sql(
        "SELECT t.typname, t.typtype::text FROM pg_type t JOIN pg_namespace n "
        "ON n.oid = t.typnamespace WHERE n.nspname = %(s)s AND t.typtype IN ('e', 'd') "
        "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = t.oid AND d.deptype = 'e')",
        {"s": schema},
    ).all():
        out.append(f"DROP {'TYPE' if typtype == 'e' else 'DOMAIN'} IF EXISTS {q(name)} CASCADE")
    for (signature,) in db.conn.exec_driver_sql(
        "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n "
        "ON n.oid = p.pronamespace WHERE n.nspname = %(s)s "
        "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')",
        {"s": schema},
    ).all():
        out.append(f"DROP ROUTINE IF EXISTS {signature} CASCADE")
    return out
