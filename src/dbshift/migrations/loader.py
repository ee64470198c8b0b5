"""Reading a migrations directory: names, versions, duplicates, content.

Three kinds of file: versioned (``<digits>_<description>.sql|.py``), applied once in
order; online (``<digits>_<description>.toml``, see docs/online.md), versioned like them:
checksummed, in ``dbshift.sum``, in the history, run through the online engine; and
repeatable (``R__<name>.sql``, Flyway's naming), applied after the versioned ones
whenever their checksum changes: views, functions and procedures kept as their whole
current definition.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from dbshift.errors import MigrationFileError, UsageError
from dbshift.migrations.checksum import file_checksum
from dbshift.migrations.model import Kind, Migration, Section

if TYPE_CHECKING:
    from dbshift.dialects import Dialect

SUM_FILE = "dbshift.sum"
_NAME = re.compile(r"^(?P<version>\d+)_(?P<slug>[^/\\]+)\.(?P<ext>sql|py|toml)$")
_REPEATABLE = re.compile(r"^R__(?P<slug>[^/\\]+)\.(?P<ext>sql|py)$")
#: Flyway's versioned, undo and baseline file names (V1__init.sql, V1.2__x.sql, U1__x.sql).
_FLYWAY = re.compile(r"^[VUB]\d+(?:[._]\d+)*__.+\.sql$")
#: golang-migrate's pairs: 000001_init.up.sql beside 000001_init.down.sql.
_GOLANG_MIGRATE = re.compile(r"^(?P<stem>\d+_.+)\.(?P<way>up|down)\.sql$")


def _foreign_layout(path: Path) -> str | None:
    """The importer for a file laid out for another tool, or None: a user arriving with a
    Flyway or golang-migrate directory is told what converts it, not that a name is
    malformed or a version duplicated."""
    if _FLYWAY.match(path.name):
        return "flyway"
    match = _GOLANG_MIGRATE.match(path.name)
    if match is not None:
        other = "down" if match.group("way") == "up" else "up"
        if (path.parent / f"{match.group('stem')}.{other}.sql").exists():
            return "golang-migrate"
    return None


_IGNORED = {SUM_FILE, "__init__.py"}
_KINDS = {"sql": Kind.SQL, "py": Kind.PYTHON, "toml": Kind.ONLINE}
#: The history table's version column is 64 characters; ``R__`` takes three.
_MAX_REPEATABLE_NAME = 61


@dataclass(frozen=True)
class MigrationFile:
    """A migration file as bytes on disk, before its content is parsed."""

    version: str
    description: str
    kind: Kind
    path: Path
    data: bytes

    @property
    def number(self) -> int:
        return int(self.version)

    @property
    def checksum(self) -> str:
        return file_checksum(self.data)


def scan(directory: Path) -> list[MigrationFile]:
    """All migration files, ordered by version; malformed names and duplicates are errors."""
    if not directory.is_dir():
        raise UsageError(
            f"migrations directory {directory} does not exist", hint="run 'dbshift init' first"
        )
    files: list[MigrationFile] = []
    seen: dict[int, Path] = {}
    for path in sorted(directory.iterdir()):
        name = path.name
        if name in _IGNORED or name.startswith((".", "_")) or not path.is_file():
            continue
        if path.suffix not in (".sql", ".py", ".toml") or _REPEATABLE.match(name):
            continue
        if path.suffix == ".toml" and not name[:1].isdigit():
            continue  # other TOML (before online files were migrations, all were ignored)
        tool = _foreign_layout(path)
        if tool is not None:
            raise MigrationFileError(
                str(path),
                f"a {tool} migration file: convert the directory with "
                f"'dbshift import {tool} {directory}'",
            )
        match = _NAME.match(name)
        if match is None:
            raise MigrationFileError(
                str(path),
                "malformed file name: expected <digits>_<description>.sql, .py or .toml "
                "(or R__<name>.sql for a repeatable migration)",
            )
        number = int(match.group("version"))
        if number in seen:
            raise MigrationFileError(
                str(path), f"duplicate version {number}: also used by {seen[number].name}"
            )
        seen[number] = path
        files.append(
            MigrationFile(
                version=match.group("version"),
                description=match.group("slug").replace("_", " ").strip(),
                kind=_KINDS[match.group("ext")],
                path=path,
                data=path.read_bytes(),
            )
        )
    files.sort(key=lambda f: f.number)
    return files


def scan_repeatable(directory: Path) -> list[MigrationFile]:
    """The repeatable migrations (``R__<name>.sql``), ordered by name as Flyway orders them."""
    if not directory.is_dir():
        return []
    files = []
    for path in sorted(directory.iterdir(), key=lambda p: p.name):
        match = _REPEATABLE.match(path.name)
        if match is None or not path.is_file():
            continue
        if match.group("ext") != "sql":
            raise MigrationFileError(str(path), "repeatable migrations are .sql files")
        slug = match.group("slug")
        if len(slug) > _MAX_REPEATABLE_NAME:
            raise MigrationFileError(
                str(path),
                f"repeatable migration name longer than {_MAX_REPEATABLE_NAME} characters",
            )
        files.append(
            MigrationFile(
                version=f"R__{slug}",
                description=slug.replace("_", " ").strip(),
                kind=Kind.REPEATABLE,
                path=path,
                data=path.read_bytes(),
            )
        )
    return files


def load(
    directory: Path, dialect: Dialect, placeholders: Mapping[str, str] | None = None
) -> list[Migration]:
    """Scan and parse: SQL files are split now; Python files are imported only when run.

    ``placeholders``: the values for ``${name}`` (None leaves the text as written)."""
    return [parse(f, dialect, placeholders) for f in scan(directory)]


def load_repeatable(
    directory: Path, dialect: Dialect, placeholders: Mapping[str, str] | None = None
) -> list[Migration]:
    """The repeatable migrations, parsed like versioned SQL files."""
    return [parse(f, dialect, placeholders) for f in scan_repeatable(directory)]


def parse(
    file: MigrationFile, dialect: Dialect, placeholders: Mapping[str, str] | None = None
) -> Migration:
    migration = Migration(
        version=file.version,
        description=file.description,
        kind=file.kind,
        path=file.path,
        checksum=file.checksum,
    )
    if file.kind is Kind.PYTHON:
        return migration
    if file.kind is Kind.ONLINE:
        # Read by the online engine when it runs (``dbshift.online.whole``); no statements
        # of its own, and never one transaction (CREATE INDEX CONCURRENTLY, MySQL DDL).
        return dataclasses.replace(migration, transactional=False)
    from dbshift.migrations.sqlfile import parse_sql_migration

    try:
        text = file.data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if not dialect.raw_bytes_in_literals:
            raise MigrationFileError(str(file.path), f"not UTF-8 text (byte {exc.start})") from None
        # A dump's raw BLOB/geometry values: kept, and sent back as these bytes.
        text = file.data.decode("utf-8-sig", "surrogateescape")
    parsed = parse_sql_migration(file.path, text, dialect, placeholders)
    return dataclasses.replace(
        migration,
        up=parsed.up,
        down=parsed.down,
        transactional=parsed.transactional,
        lock_timeout=parsed.lock_timeout,
        headers=parsed.headers,
    )


def resolve(migration: Migration) -> Migration:
    """Import a Python migration to learn whether it has a down and needs a transaction."""
    if migration.kind is not Kind.PYTHON:
        return migration
    from dbshift.migrations.pyfile import load_python_migration

    module = load_python_migration(migration.path)
    return dataclasses.replace(
        migration,
        transactional=module.transactional,
        down=Section(present=module.down is not None),
        headers=module.headers,
    )
