"""The backup directory: one sub-directory per backup, named by its id.

A backup is written into ``<id>.partial`` and renamed to ``<id>`` only once its manifest
is complete, so an interrupted backup never looks like a usable one (``prune`` removes
the leftovers). Ids sort by time: ``20261206-140512-3fa2``.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from dbshift.backup import manifest as mf
from dbshift.errors import UsageError, ValidationFailed

PARTIAL = ".partial"


@dataclass(frozen=True)
class Entry:
    directory: Path
    manifest: mf.Manifest | None
    #: Why the manifest could not be read (a damaged backup is listed, not hidden).
    problem: str | None = None
    #: Where it is, for people: the directory, or the URL of a backup in remote storage.
    location: str = ""

    @property
    def id(self) -> str:
        return self.directory.name


class Store:
    def __init__(self, root: Path) -> None:
        self.root = root

    def check_writable(self) -> None:
        """Fail before a migration starts, not halfway through its backup."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            probe = self.root / f".probe-{os.getpid()}"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            raise UsageError(
                f"backup directory {self.root} is not writable: {exc.strerror or exc} "
                "(set backup_dir in the config, or pass --no-backup to skip the backup)"
            ) from None

    def new(self) -> tuple[str, Path]:
        """A fresh id and its staging directory."""
        self.check_writable()
        backup_id = new_id()
        staging = self.root / (backup_id + PARTIAL)
        staging.mkdir()
        return backup_id, staging

    def commit(self, staging: Path, manifest: mf.Manifest) -> str:
        """Make the staged backup visible; where it is now."""
        manifest.write(staging)
        final = self.root / manifest.id
        staging.rename(final)
        return str(final)

    def discard(self, staging: Path) -> None:
        shutil.rmtree(staging, ignore_errors=True)

    @contextlib.contextmanager
    def local(self, entry: Entry) -> Iterator[Path]:
        """The backup as a local directory, for the checksums and the restore tools."""
        yield entry.directory

    def verify(self, entry: Entry) -> None:
        assert entry.manifest is not None
        with self.local(entry) as directory:
            mf.verify(directory, entry.manifest)

    def _remove(self, entry: Entry) -> None:
        shutil.rmtree(entry.directory)

    def entries(self) -> list[Entry]:
        if not self.root.is_dir():
            return []
        out = []
        for child in sorted(self.root.iterdir()):
            if not child.is_dir() or child.name.endswith(PARTIAL) or child.name.startswith("."):
                continue
            try:
                out.append(Entry(child, mf.read(child), location=str(child)))
            except ValidationFailed as exc:
                out.append(Entry(child, None, exc.message, location=str(child)))
        return out

    def find(self, backup_id: str) -> Entry:
        """By id, unique id prefix, or ``latest``."""
        entries = self.entries()
        if backup_id == "latest":
            if not entries:
                raise UsageError(f"no backups in {self.root}")
            return entries[-1]
        matches = [e for e in entries if e.id == backup_id] or [
            e for e in entries if e.id.startswith(backup_id)
        ]
        if not matches:
            raise UsageError(f"no backup {backup_id!r} in {self.root} (see 'dbshift backups')")
        if len(matches) > 1:
            ids = ", ".join(e.id for e in matches[:3])
            raise UsageError(f"backup id {backup_id!r} is ambiguous: {ids}")
        return matches[0]

    def prune(self, *, keep: int | None, keep_days: float | None) -> list[str]:
        """Remove backups kept by neither rule (keep the newest ``keep``; keep those
        younger than ``keep_days``), and staging leftovers of interrupted backups. With
        no rule nothing but leftovers goes."""
        removed = self._leftovers()
        if keep is None and keep_days is None:
            return removed
        entries = self.entries()
        kept: set[str] = set()
        if keep is not None:
            kept.update(e.id for e in entries[-keep:] if keep > 0)
        if keep_days is not None:
            cutoff = datetime.now(UTC) - timedelta(days=keep_days)
            for e in entries:
                if (
                    e.manifest is not None
                    and datetime.fromisoformat(e.manifest.created_at) >= cutoff
                ):
                    kept.add(e.id)
        for e in entries:
            if e.id not in kept:
                self._remove(e)
                removed.append(e.id)
        return removed

    def _leftovers(self) -> list[str]:
        removed = []
        if self.root.is_dir():
            for child in self.root.iterdir():
                # An hour's grace: a backup may be running in another process right now.
                if child.name.endswith(PARTIAL) and time.time() - child.stat().st_mtime > 3600:
                    shutil.rmtree(child)
                    removed.append(child.name)
        return removed


def new_id() -> str:
    now = datetime.now(UTC)
    # The milliseconds (3 hex digits) before one random digit: backups taken within
    # one second still sort by time, which prune and 'latest' rely on.
    millis = now.microsecond // 1000
    return f"{now:%Y%m%d-%H%M%S}-{millis:03x}{secrets.token_hex(1)[0]}"
