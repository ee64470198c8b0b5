"""MySQL/MariaDB without ``mariadb-dump``/``mysqldump``: the server's own ``SHOW CREATE``
for the schema, rows through the driver.

Everything is read in one ``START TRANSACTION WITH CONSISTENT SNAPSHOT`` (what
``--single-transaction`` does). Each table's rows go to a typed JSON-lines file
(``rowfile``) and come back in multi-row INSERTs (PyMySQL's executemany). As with the
dump tool's script, the restore drops and recreates each table, so a restore killed
midway converges when run again; rows go in with foreign key checks off and
``NO_AUTO_VALUE_ON_ZERO`` (an id 0 stays 0), triggers are created after the rows.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from dbshift.backup import manifest as mf
from dbshift.backup import rows
from dbshift.backup.base import Database, Dumped, Notice

SCHEMA = "schema.json"


def _show(db: Database, what: str, name: str, column: int) -> str:
    row = db.conn.exec_driver_sql(f"SHOW CREATE {what} {db.dialect.quote(name)}").one()
    return str(row[column])


def dump(
    engine: Any, db: Database, directory: Path, tables: Sequence[str] | None, notice: Notice
) -> Dumped:
    db.conn.exec_driver_sql("SET SESSION time_zone = '+00:00'")
    db.conn.exec_driver_sql("START TRANSACTION WITH CONSISTENT SNAPSHOT")
    try:
        names = list(tables) if tables is not None else engine.all_tables(db)
        entries, files = [], []
        for name in names:
            _key, columns = engine.key_and_columns(db, name)
            path = rows.file_name(name, "jsonl")
            cols = ", ".join(db.dialect.quote(c) for c in columns)
            query = f"SELECT {cols} FROM {db.dialect.quote(name)}"
            entry, count = rows.save_through_driver(db, directory, path, [query], [])
            files.append(entry)
            entries.append(
                {
                    "name": name,
                    "create": _show(db, "TABLE", name, 1),
                    "file": path,
                    "columns": columns,
                    "rows": count,
                }
            )
        triggers = [
            {"name": str(r[0]), "table": str(r[2]), "create": _show(db, "TRIGGER", str(r[0]), 2)}
            for r in db.conn.exec_driver_sql("SHOW TRIGGERS").all()
            if tables is None or str(r[2]) in names
        ]
        views, routines = [], []
        if tables is None:
            views = [{"name": v, "create": _show(db, "VIEW", v, 1)} for v in engine.view_list(db)]
            for name, kind in db.conn.exec_driver_sql(
                "SELECT ROUTINE_NAME, ROUTINE_TYPE FROM information_schema.ROUTINES "
                "WHERE ROUTINE_SCHEMA = DATABASE() ORDER BY 1"
            ).all():
                routines.append(
                    {"name": str(name), "kind": str(kind), "create": _show(db, kind, name, 2)}
                )
    finally:
        db.conn.exec_driver_sql("COMMIT")
    body = {"tables": entries, "views": views, "triggers": triggers, "routines": routines}
    target = directory / SCHEMA
    target.write_text(json.dumps(body, indent=1), encoding="utf-8")
    files.insert(0, mf.file_entry(directory, target))
    return Dumped(
        files=tuple(files),
        tables=tuple(mf.TableEntry(e["name"], e["rows"]) for e in entries),
        tool="dbshift built-in dump (SHOW CREATE + batched INSERT)",
        extra={"format": "builtin", "dump": SCHEMA, "views": [v["name"] for v in views]},
    )


def restore(
    engine: Any,
    db: Database,
    directory: Path,
    manifest: mf.Manifest,
    tables: Sequence[str] | None,
    notice: Notice,
) -> None:
    body = json.loads((directory / SCHEMA).read_text(encoding="utf-8"))
    q = db.dialect.quote
    chosen = [t for t in body["tables"] if tables is None or t["name"] in tables]
    run = db.conn.exec_driver_sql
    run("SET SESSION time_zone = '+00:00'")
    run("SET SESSION sql_mode = 'NO_AUTO_VALUE_ON_ZERO'")
    run("SET FOREIGN_KEY_CHECKS = 0")
    try:
        for view in body["views"] if tables is None else []:
            run(f"DROP VIEW IF EXISTS {q(view['name'])}")
        for table in chosen:
            run(f"DROP TABLE IF EXISTS {q(table['name'])}")
            run(table["create"])
            cols = ", ".join(q(c) for c in table["columns"])
            marks = ", ".join(rows.placeholder(db) for _ in table["columns"])
            statement = (
                rows.driver_sql(db, f"INSERT INTO {q(table['name'])} ({cols})")
                + f" VALUES ({marks})"
            )
            rows.load_through_driver(db, directory, table["file"], statement)
        names = {t["name"] for t in chosen}
        for trigger in body["triggers"]:
            if trigger["table"] in names:
                run(f"DROP TRIGGER IF EXISTS {q(trigger['name'])}")
                run(trigger["create"])
        for routine in body["routines"] if tables is None else []:
            kind = "PROCEDURE" if routine["kind"] == "PROCEDURE" else "FUNCTION"
            run(f"DROP {kind} IF EXISTS {q(routine['name'])}")
            run(routine["create"])
        _create_views(db, body["views"] if tables is None else [])
    finally:
        run("SET FOREIGN_KEY_CHECKS = 1")
        run("SET SESSION sql_mode = DEFAULT")


def _create_views(db: Database, views: list[dict[str, str]]) -> None:
    """Views in an order that works: one built on another waits for it."""
    pending = list(views)
    while pending:
        failed = []
        for view in pending:
            try:
                db.conn.exec_driver_sql(view["create"])
            except Exception:  # a view it reads is not there yet; the next pass
                failed.append(view)
        if len(failed) == len(pending):
            db.conn.exec_driver_sql(failed[0]["create"])  # raises the server's error
        pending = failed
