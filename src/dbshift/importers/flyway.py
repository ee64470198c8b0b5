"""Flyway: ``V<version>__<desc>.sql``, undo ``U<version>__<desc>.sql``, repeatable
``R__<desc>.sql`` (searched recursively, as Flyway searches its locations); history
``flyway_schema_history``.

Flyway versions are dotted (``1.1``, ``2_1``) and dbshift's are integers: when every
version is a plain integer it is kept, otherwise the files are numbered 1, 2, 3 … in
Flyway's order and the mapping is printed. ``${name}`` placeholders mean the same in both
tools and stay as written. A ``V1__x.sql.conf`` with ``executeInTransaction=false`` becomes
``-- dbshift:no-transaction``.

History: successful versioned rows (minus later undo rows) are applied; a ``BASELINE`` row
counts every version at or below it as applied; a failed row (MySQL keeps those) is
refused, as Flyway itself refuses to migrate past it. A repeatable counts as applied only
when Flyway's checksum of its last run equals the file's (Flyway's CRC32 over the lines),
so an edited repeatable is due again after the import.
"""

from __future__ import annotations

import re
import zlib
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from dbshift.errors import MigrationFileError, UsageError, ValidationFailed
from dbshift.importers.model import (
    Applied,
    Imported,
    ImportedMigration,
    ImportedRepeatable,
    read_text,
    slug,
)
from dbshift.importers.tables import read_table

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from dbshift.dialects import Dialect

TOOL = "Flyway"
TABLE = "flyway_schema_history"
_VERSIONED = re.compile(r"^(?P<prefix>[VU])(?P<version>\d+(?:[._]\d+)*)__(?P<desc>.+)\.sql$")
_REPEATABLE = re.compile(r"^R__(?P<desc>.+)\.sql$")
_NO_TX = re.compile(r"^\s*executeInTransaction\s*=\s*false\s*$", re.IGNORECASE | re.MULTILINE)


def version_key(text: str) -> tuple[int, ...]:
    """``1.01`` and ``1_1`` are the same Flyway version; trailing zeros do not count."""
    parts = [int(p) for p in re.split(r"[._]", text)]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def _key(parts: tuple[int, ...]) -> str:
    return ".".join(str(p) for p in parts)


def checksum(text: str) -> int:
    """Flyway's checksum: CRC32 over each line's UTF-8 bytes, terminators excluded, signed."""
    crc = 0
    # Java's readLine() splits on \n, \r and \r\n only (str.splitlines() on more); empty
    # lines add no bytes, so where a trailing one falls does not matter.
    for line in re.split(r"\r\n|\r|\n", text):
        crc = zlib.crc32(line.encode(), crc)
    return crc - (1 << 32) if crc >= 1 << 31 else crc


def read(source: Path, dialect: Dialect) -> Imported:
    ups: dict[tuple[int, ...], Path] = {}
    undos: dict[tuple[int, ...], Path] = {}
    repeatable = []
    for path in sorted(source.rglob("*.sql")):
        match = _VERSIONED.match(path.name)
        if match is not None:
            parts = version_key(match.group("version"))
            target = ups if match.group("prefix") == "V" else undos
            if parts in target:
                raise MigrationFileError(
                    str(path), f"version {_key(parts)} also used by {target[parts].name}"
                )
            target[parts] = path
            continue
        rmatch = _REPEATABLE.match(path.name)
        if rmatch is not None:
            repeatable.append(
                ImportedRepeatable(
                    name=slug(rmatch.group("desc")), body=read_text(path), source=path.name
                )
            )
    for parts, path in undos.items():
        if parts not in ups:
            raise MigrationFileError(
                str(path), f"undo of version {_key(parts)}, which has no V file"
            )
    if not ups and not repeatable:
        raise UsageError(f"{source}: no Flyway files (V<version>__<description>.sql)")
    order = sorted(ups)
    renumber = any(len(p) > 1 for p in order)
    migrations = []
    for number, parts in enumerate(order, start=1):
        path = ups[parts]
        match = _VERSIONED.match(path.name)
        assert match is not None
        undo = undos.get(parts)
        conf = path.with_name(path.name + ".conf")
        migrations.append(
            ImportedMigration(
                key=_key(parts),
                version=number if renumber else parts[0],
                description=match.group("desc").replace("_", " "),
                up=read_text(path),
                down=read_text(undo) if undo else None,
                transactional=not (conf.is_file() and _NO_TX.search(read_text(conf))),
                sources=tuple(p.name for p in (path, undo) if p is not None),
            )
        )
    return Imported(tool=TOOL, migrations=migrations, repeatable=repeatable, renumbered=renumber)


def _when(value: object) -> datetime | None:
    """``installed_on`` as a datetime (SQLite hands back text); dropped when unreadable."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    try:
        return datetime.fromisoformat(str(value)).replace(tzinfo=None)
    except ValueError:
        return None


def applied(conn: Connection, imported: Imported, table: str | None) -> list[Applied] | None:
    name = table or TABLE
    columns = ["installed_rank", "version", "type", "script", "checksum"]
    rows = read_table(conn, name, [*columns, "installed_on", "execution_time", "success"])
    if rows is None:
        return None
    done: dict[str, Applied] = {}
    baseline: tuple[int, ...] | None = None
    repeat_checksums: dict[str, int | None] = {}
    for row in sorted(rows, key=lambda r: r[0]):
        _, version, kind, script, crc, installed_on, ms, success = row
        kind = str(kind).upper()
        if not success:
            raise ValidationFailed(
                f"{name}: Flyway recorded {script} as failed; fix it with 'flyway repair' "
                "before importing"
            )
        if version is None:  # a repeatable migration's run
            repeat_checksums[Path(str(script)).name] = crc
            continue
        key = _key(version_key(str(version)))
        if kind == "BASELINE":
            baseline = version_key(str(version))
        elif kind.startswith("UNDO") or kind == "DELETE":
            done.pop(key, None)
        else:
            done[key] = Applied(key=key, applied_at=_when(installed_on), execution_ms=int(ms or 0))
    out = []
    for migration in imported.migrations:
        if migration.key in done:
            out.append(done[migration.key])
        elif baseline is not None and version_key(migration.key) <= baseline:
            out.append(Applied(key=migration.key))
    for item in imported.repeatable:
        if item.source in repeat_checksums:
            current = repeat_checksums[item.source] == checksum(item.body)
            out.append(Applied(key=item.key, current=current))
    return out
