"""One import: read the tool's directory, read its history, write files, adopt the history.

The old tool's history is read before any file is written, so a refused history (a dirty
golang-migrate version, a failed Flyway row) leaves nothing behind; the dbshift history
rows are inserted in one transaction after the files exist and parse.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from dbshift.errors import UsageError
from dbshift.importers import alembic_revisions, dbmate, flyway, golang_migrate, goose
from dbshift.importers.model import Applied, Imported, ImportedMigration, ImportedRepeatable
from dbshift.migrations import loader, sumfile
from dbshift.migrations.model import Kind, Migration
from dbshift.runner.history import State, applied_by

if TYPE_CHECKING:
    from dbshift.dialects import Dialect
    from dbshift.runner.session import Session

READERS: dict[str, ModuleType] = {
    "golang-migrate": golang_migrate,
    "flyway": flyway,
    "alembic": alembic_revisions,
    "dbmate": dbmate,
    "goose": goose,
}


@dataclass(frozen=True)
class ImportResult:
    imported: Imported
    written: list[Path]
    #: How many history rows were adopted; None when there was no table to adopt.
    adopted: int | None
    source_table: str


def import_directory(
    tool: str,
    source: Path,
    target: Path,
    *,
    dialect: Dialect,
    session: Session | None,
    table: str | None,
) -> ImportResult:
    reader = READERS[tool]
    if not source.is_dir():
        raise UsageError(f"{source}: not a directory")
    _check_empty(target)
    imported: Imported = reader.read(source, dialect)
    records: list[Applied] | None = None
    if session is not None:
        history = session.history
        if history.rows(session.conn) or history.repeatable_rows(session.conn):
            raise UsageError(
                f"cannot import the {imported.tool} history: {history.display} already has rows"
            )
        records = reader.applied(session.conn, imported, table)
    written = _write(imported, target)
    migrations = {m.filename: m for m in loader.load(target, dialect)}
    migrations.update({m.filename: m for m in loader.load_repeatable(target, dialect)})
    adopted = None
    if session is not None and records is not None:
        adopted = _adopt(session, imported, records, migrations)
    return ImportResult(imported, written, adopted, table or reader.TABLE)


def _check_empty(target: Path) -> None:
    if target.is_dir() and (loader.scan(target) or loader.scan_repeatable(target)):
        raise UsageError(
            f"{target} already has migrations; import into an empty directory "
            "(--dir DIR chooses another)"
        )


def _write(imported: Imported, target: Path) -> list[Path]:
    target.mkdir(parents=True, exist_ok=True)
    written = []
    items: list[ImportedMigration | ImportedRepeatable] = [
        *imported.migrations,
        *imported.repeatable,
    ]
    for item in items:
        path = target / item.filename
        path.write_text(item.render(imported.tool), encoding="utf-8")
        written.append(path)
    sumfile.write(target, loader.scan(target))
    return written


def _adopt(
    session: Session,
    imported: Imported,
    records: list[Applied],
    migrations: dict[str, Migration],
) -> int:
    files = {m.key: m.filename for m in imported.migrations}
    files.update({r.key: r.filename for r in imported.repeatable})
    by = f"{applied_by()} (imported from {imported.tool})"[:255]
    with session.locked():
        conn = session.conn
        conn.exec_driver_sql(session.dialect.begin_sql)
        try:
            for record in records:
                migration = migrations[files[record.key]]
                total = len(migration.up.statements)
                values: dict[str, object] = {
                    "version": migration.version,
                    "description": migration.description[:255],
                    "kind": migration.kind.value,
                    "checksum": migration.checksum if record.current else "outdated",
                    "state": State.APPLIED,
                    "statements_total": total,
                    "statements_done": total,
                    "execution_ms": record.execution_ms,
                    "applied_by": by,
                }
                if record.applied_at is not None and migration.kind is not Kind.REPEATABLE:
                    values["applied_at"] = record.applied_at
                session.history.insert(conn, **values)
        except BaseException:
            conn.exec_driver_sql("ROLLBACK")
            raise
        conn.exec_driver_sql("COMMIT")
    return len(records)
