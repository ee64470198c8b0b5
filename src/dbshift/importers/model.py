"""What a reader produces: migrations in dbshift's terms, still keyed by the tool's ids."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from dbshift.errors import MigrationFileError, UsageError

_UNSAFE = re.compile(r"[^A-Za-z0-9]+")
_PLACEHOLDER = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def slug(text: str, *, fallback: str = "migration") -> str:
    """A file-name-safe description: ``Create users table`` -> ``create_users_table``."""
    out = _UNSAFE.sub("_", text).strip("_").lower()[:60].strip("_")
    return out or fallback


def read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MigrationFileError(str(path), f"not UTF-8 text (byte {exc.start})") from None


def escape_placeholders(sql: str) -> str:
    """``${x}`` means nothing to golang-migrate, dbmate or Alembic: keep it literal here."""
    return _PLACEHOLDER.sub(lambda m: "$${" + m.group(1) + "}", sql)


@dataclass(frozen=True)
class ImportedMigration:
    key: str  # the tool's own id: a version ("1.1", "20240101120000") or an Alembic revision
    version: int  # dbshift's version number
    description: str
    up: str
    down: str | None
    transactional: bool = True
    sources: tuple[str, ...] = ()
    #: Alembic: the keys this revision follows (merge revisions have several).
    parents: tuple[str, ...] = ()

    @property
    def filename(self) -> str:
        return f"{self.version}_{slug(self.description)}.sql"

    def render(self, tool: str) -> str:
        head = [f"-- imported by dbshift from {tool}: {', '.join(self.sources)}"]
        if not self.transactional:
            head.append("-- dbshift:no-transaction")
        parts = ["\n".join(head), "-- dbshift:up", self.up.strip("\n")]
        if self.down is not None:
            parts += ["", "-- dbshift:down", self.down.strip("\n")]
        return "\n".join(parts) + "\n"


@dataclass(frozen=True)
class ImportedRepeatable:
    name: str  # the ``<name>`` of ``R__<name>.sql``
    body: str
    source: str

    @property
    def filename(self) -> str:
        return f"R__{self.name}.sql"

    @property
    def key(self) -> str:
        return self.filename

    def render(self, tool: str) -> str:
        return f"-- imported by dbshift from {tool}: {self.source}\n-- dbshift:up\n{self.body.strip()}\n"


@dataclass(frozen=True)
class Imported:
    tool: str
    migrations: list[ImportedMigration]
    repeatable: list[ImportedRepeatable] = field(default_factory=list)
    #: True when versions were renumbered (dotted Flyway versions, Alembic revisions).
    renumbered: bool = False


@dataclass(frozen=True)
class Applied:
    """One migration the old tool applied, by its key."""

    key: str
    applied_at: datetime | None = None
    execution_ms: int = 0
    #: False for a repeatable whose recorded run is not of the current file: due again.
    current: bool = True


def one_file_per_version(
    source: Path,
    tool: str,
    pattern: re.Pattern[str],
    sections: Callable[[Path], tuple[str, str | None, bool]],
    *,
    key: Callable[[re.Match[str]], str],
    refuse: Callable[[Path, re.Match[str]], None] = lambda path, match: None,
) -> Imported:
    """The tools that keep a migration's up and down in one file named
    ``<version>_<name>.<ext>`` (dbmate, goose): their files in version order, each read by
    the tool's ``sections`` (up, down or None, transactional), a version used twice
    refused by file. ``refuse`` raises for a file the tool has but dbshift cannot take."""
    migrations = []
    seen: dict[int, Path] = {}
    for path in sorted(source.iterdir()):
        match = pattern.match(path.name)
        if match is None or not path.is_file():
            continue
        refuse(path, match)
        version = int(match.group("version"))
        if version in seen:
            raise MigrationFileError(
                str(path), f"version {version} also used by {seen[version].name}"
            )
        seen[version] = path
        up, down, transactional = sections(path)
        migrations.append(
            ImportedMigration(
                key=key(match),
                version=version,
                description=(match.group("name") or "migration").replace("_", " "),
                up=escape_placeholders(up),
                down=escape_placeholders(down) if down is not None else None,
                transactional=transactional,
                sources=(path.name,),
            )
        )
    if not migrations:
        raise UsageError(f"{source}: no {tool} files (<version>_<name>.sql)")
    migrations.sort(key=lambda m: m.version)
    return Imported(tool=tool, migrations=migrations)
