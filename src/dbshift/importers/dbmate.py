"""dbmate: ``<version>_<name>.sql`` with ``-- migrate:up`` / ``-- migrate:down``;
history ``schema_migrations`` (one row per applied version).

``-- migrate:up transaction:false`` becomes ``-- dbshift:no-transaction``. The directive
lines are replaced in place, so statements keep their line numbers plus the one header line.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from dbshift.errors import MigrationFileError
from dbshift.importers.model import (
    Applied,
    Imported,
    one_file_per_version,
    read_text,
)
from dbshift.importers.tables import read_table

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from dbshift.dialects import Dialect

TOOL = "dbmate"
TABLE = "schema_migrations"
_FILE = re.compile(r"^(?P<version>\d+)(?:_(?P<name>.*))?\.sql$")
_DIRECTIVE = re.compile(r"^--\s*migrate:(?P<what>up|down)\b(?P<options>.*)$")


def read(source: Path, dialect: Dialect) -> Imported:
    return one_file_per_version(
        source, TOOL, _FILE, _sections, key=lambda match: match.group("version")
    )


def _sections(path: Path) -> tuple[str, str | None, bool]:
    sections: dict[str, list[str]] = {}
    current: str | None = None
    transactional = True
    for number, line in enumerate(read_text(path).splitlines(), start=1):
        match = _DIRECTIVE.match(line.strip())
        if match is None:
            if current is not None:
                sections[current].append(line)
            continue
        current = match.group("what")
        if current in sections:
            raise MigrationFileError(str(path), f"second '-- migrate:{current}' line", line=number)
        sections[current] = []
        if "transaction:false" in match.group("options").replace(" ", ""):
            transactional = False
    if "up" not in sections:
        raise MigrationFileError(str(path), "no '-- migrate:up' line")
    down = "\n".join(sections["down"]) if "down" in sections else None
    if down is not None and not down.strip():
        down = None
    return "\n".join(sections["up"]), down, transactional


def applied(conn: Connection, imported: Imported, table: str | None) -> list[Applied] | None:
    rows = read_table(conn, table or TABLE, ["version"])
    if rows is None:
        return None
    done = {int(str(row[0])) for row in rows}
    return [Applied(key=m.key) for m in imported.migrations if m.version in done]
