"""The backup directory: one sub-directory per backup, named by its id.

A backup is written into ``<id>.partial`` and renamed to ``<id>`` only once its manifest
is complete, so an interrupted backup never looks like a usable one (``prune`` removes
the leftovers). Ids sort by time: ``20261206-140512-3fa2``.
"""

from __future__ import annotations

import os
import secrets
import shutil
import time
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
        now = datetime.now(UTC)
        # The milliseconds (3 hex digits) before one random digit: backups taken within
        # one second still sort by time, which prune and 'latest' rely on.
        millis = now.microsecond // 1000
        backup_id = f"{now:%Y%m%d-%H%M%S}-{millis:03x}{secrets.token_hex(1)[0]}"
        staging = self.root / (backup_id + PARTIAL)
        staging.mkdir()
        return backup_id, staging

    def commit(self, staging: Path, manifest: mf.Manifest) -> Path:
        manifest.write(staging)
        final = self.root / manifest.id
        staging.rename(final)
        return final

    def entries(self) -> list[Entry]:
        if not self.root.is_dir():
            return []
        out = []
        for child in sorted(self.root.iterdir()):
            if not child.is_dir() or child.name.endswith(PARTIAL) or child.name.startswith("."):
                continue
            try:
                out.append(Entry(child, mf.read(child)))
            except ValidationFailed as exc:
                out.append(Entry(child, None, exc.message))
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
        removed = []
        if self.root.is_dir():
            for child in self.root.iterdir():
                # An hour's grace: a backup may be running in another process right now.
                if child.name.endswith(PARTIAL) and time.time() - child.stat().st_mtime > 3600:
                    shutil.rmtree(child)
                    removed.append(child.name)
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
                shutil.rmtree(e.directory)
                removed.append(e.id)
        return removed
