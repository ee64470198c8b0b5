"""The manifest: what a backup holds, and the checksums that prove it is intact.

The manifest carries a sha256 of its own canonical JSON, so an edited or truncated
manifest is refused before anything is restored, as a changed data file is by the
per-file checksums it lists. (It does not stop someone who rewrites both on purpose; it
stops restoring from a backup that was damaged or edited by mistake.)
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from dbshift.errors import ValidationFailed

FORMAT = 1
NAME = "manifest.json"


@dataclass(frozen=True)
class PriorRows:
    """The rows of a table that a data migration was about to change (the prior backup):
    the rows ``selects`` returned (the statements' conditions, ``where``), saved in
    ``file`` and put back by upsert on ``key``."""

    file: str
    rows: int
    key: tuple[str, ...]
    columns: tuple[str, ...]
    where: tuple[str, ...]
    selects: tuple[str, ...]


@dataclass(frozen=True)
class TableEntry:
    #: Schema-qualified on PostgreSQL (``public.users``), the bare name elsewhere.
    name: str
    rows: int
    #: PostgreSQL: its indexes and owned sequences, so ``restore --tables`` can pick them
    #: out of the dump's table of contents (which names them, not their table).
    objects: tuple[str, ...] = ()
    #: False: only ``prior``'s rows are in the backup, not the whole table.
    whole: bool = True
    prior: PriorRows | None = None


@dataclass(frozen=True)
class FileEntry:
    path: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    id: str
    created_at: str
    dbshift_version: str
    backend: str
    server_version: str
    database: str
    url: str  # password masked
    #: ``full`` (the whole database) or ``tables`` (only ``tables``, plus the history).
    scope: str
    reason: str
    #: The newest applied migration when the backup was taken ("" for none).
    history_version: str
    applied_versions: tuple[str, ...]
    history_tables: tuple[str, ...]
    tool: str
    tables: tuple[TableEntry, ...]
    files: tuple[FileEntry, ...]
    format: int = FORMAT
    extra: dict[str, Any] = field(default_factory=dict)
    #: Each online migration's phase (``<history>_online``) when the backup was taken, by
    #: version; None in a backup taken before dbshift recorded them.
    online_phases: dict[str, str] | None = None

    @property
    def size(self) -> int:
        return sum(f.size for f in self.files)

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)

    def table(self, name: str) -> TableEntry | None:
        for t in self.tables:
            if t.name == name or t.name.split(".")[-1] == name:
                return t
        return None

    def to_dict(self) -> dict[str, Any]:
        body = asdict(self)
        body["size"] = self.size
        body["checksum"] = _checksum(body)
        return body

    def write(self, directory: Path) -> None:
        text = json.dumps(self.to_dict(), indent=2, sort_keys=True)
        (directory / NAME).write_text(text + "\n", encoding="utf-8")


def _checksum(body: dict[str, Any]) -> str:
    clean = {k: v for k, v in body.items() if k != "checksum"}
    text = json.dumps(clean, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def read(directory: Path) -> Manifest:
    """The manifest of the backup in ``directory``; any damage is one ValidationFailed."""
    path = directory / NAME
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ValidationFailed(f"{path}: missing: not a dbshift backup") from None
    except OSError as exc:
        raise ValidationFailed(f"{path}: unreadable manifest: {exc}") from None
    return parse(raw, str(path))


def parse(raw: bytes, path: str) -> Manifest:
    """A manifest from its bytes (read from anywhere); ``path`` names it in errors."""
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationFailed(f"{path}: unreadable manifest: {exc}") from None
    if not isinstance(body, dict):
        raise ValidationFailed(f"{path}: manifest is not a JSON object")
    if body.get("checksum") != _checksum(body):
        raise ValidationFailed(
            f"{path}: manifest checksum mismatch: the manifest was edited or damaged; "
            "refusing to use this backup"
        )
    if body.get("format") != FORMAT:
        raise ValidationFailed(f"{path}: manifest format {body.get('format')!r} is not {FORMAT}")
    try:
        body.pop("checksum")
        body.pop("size", None)
        body["tables"] = tuple(_table(t) for t in body["tables"])
        body["files"] = tuple(FileEntry(**f) for f in body["files"])
        body["applied_versions"] = tuple(body["applied_versions"])
        body["history_tables"] = tuple(body["history_tables"])
        if body.get("online_phases") is not None:
            body["online_phases"] = {str(k): str(v) for k, v in body["online_phases"].items()}
        return Manifest(**body)
    except (KeyError, TypeError, ValueError) as exc:
        raise ValidationFailed(f"{path}: malformed manifest: {exc}") from None


def _table(body: dict[str, Any]) -> TableEntry:
    prior = body.get("prior")
    return TableEntry(
        body["name"],
        int(body["rows"]),
        tuple(body.get("objects", ())),
        whole=bool(body.get("whole", True)),
        prior=None
        if prior is None
        else PriorRows(
            file=prior["file"],
            rows=int(prior["rows"]),
            key=tuple(prior["key"]),
            columns=tuple(prior["columns"]),
            where=tuple(prior["where"]),
            selects=tuple(prior["selects"]),
        ),
    )


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def file_entry(directory: Path, path: Path) -> FileEntry:
    return FileEntry(
        path=str(path.relative_to(directory)), size=path.stat().st_size, sha256=sha256_file(path)
    )


def verify(directory: Path, manifest: Manifest) -> None:
    """Every file present, of the recorded size and checksum; else ValidationFailed
    naming the first bad file. Runs before a restore touches the database."""
    for entry in manifest.files:
        path = directory / entry.path
        if not path.is_file():
            raise ValidationFailed(f"{path}: missing from backup {manifest.id}")
        if path.stat().st_size != entry.size:
            raise ValidationFailed(
                f"{path}: corrupted: {path.stat().st_size} bytes, the manifest says {entry.size}; "
                "nothing was restored"
            )
        if sha256_file(path) != entry.sha256:
            raise ValidationFailed(
                f"{path}: corrupted: sha256 does not match the manifest; nothing was restored"
            )
