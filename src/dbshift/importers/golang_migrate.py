"""golang-migrate: ``<version>_<name>.up.sql`` / ``.down.sql``; history ``schema_migrations``.

golang-migrate's table holds one row: the current version and a ``dirty`` flag. Every
file at or below that version was applied. A dirty version is refused: golang-migrate
itself does not know how far that migration got (``migrate force`` is the tool's answer).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from dbshift.errors import MigrationFileError, UsageError, ValidationFailed
from dbshift.importers.model import (
    Applied,
    Imported,
    ImportedMigration,
    escape_placeholders,
    read_text,
)
from dbshift.importers.tables import read_table

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from dbshift.dialects import Dialect

TOOL = "golang-migrate"
TABLE = "schema_migrations"
_FILE = re.compile(r"^(?P<version>\d+)_(?P<name>.+)\.(?P<direction>up|down)\.sql$")


def read(source: Path, dialect: Dialect) -> Imported:
    parts: dict[int, dict[str, Path]] = {}
    names: dict[int, str] = {}
    for path in sorted(source.iterdir()):
        match = _FILE.match(path.name)
        if match is None or not path.is_file():
            continue
        version = int(match.group("version"))
        name = match.group("name")
        if version in names and names[version] != name:
            raise MigrationFileError(str(path), f"version {version} is used by two names")
        names[version] = name
        parts.setdefault(version, {})[match.group("direction")] = path
    if not parts:
        raise UsageError(f"{source}: no golang-migrate files (<version>_<name>.up.sql)")
    migrations = []
    for version in sorted(parts):
        files = parts[version]
        if "up" not in files:
            raise MigrationFileError(str(files["down"]), "has no .up.sql partner")
        down = files.get("down")
        migrations.append(
            ImportedMigration(
                key=str(version),
                version=version,
                description=names[version].replace("_", " "),
                up=escape_placeholders(read_text(files["up"])),
                down=escape_placeholders(read_text(down)) if down else None,
                sources=tuple(p.name for p in (files["up"], down) if p is not None),
            )
        )
    return Imported(tool=TOOL, migrations=migrations)


def applied(conn: Connection, imported: Imported, table: str | None) -> list[Applied] | None:
    rows = read_table(conn, table or TABLE, ["version", "dirty"])
    if rows is None:
        return None
    if not rows:
        return []
    version, dirty = int(rows[0][0]), bool(rows[0][1])
    if dirty:
        raise ValidationFailed(
            f"{table or TABLE}: golang-migrate left version {version} dirty (it failed midway); "
            f"finish or undo it by hand and run 'migrate force {version}' (or the previous "
            "version) before importing"
        )
    return [Applied(key=m.key) for m in imported.migrations if m.version <= version]
