"""Backups in remote storage: ``backup_dir = "s3://bucket/prefix"`` or any fsspec URL.

The dump tools write local files, so a backup is staged in a local temporary directory
and uploaded when complete: the data files first, ``manifest.json`` last. A backup
without a manifest is incomplete and is not listed (the local store's ``.partial``
rename, which object stores do not have). A restore or ``backups verify`` downloads the
backup into a temporary directory and checks every file's sha256 there, before anything
touches a database.

fsspec (and s3fs for S3) is an optional extra: ``pip install 'dbshift[s3]'``.
"""

from __future__ import annotations

import contextlib
import importlib
import posixpath
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dbshift.backup import manifest as mf
from dbshift.backup.store import Entry, Store, new_id
from dbshift.errors import UsageError, ValidationFailed


def _filesystem(url: str) -> tuple[Any, str]:
    try:
        fsspec = importlib.import_module("fsspec")  # optional: the s3 extra
    except ImportError:
        raise UsageError(
            f"backup_dir {url!r} is a URL: storing backups there needs fsspec; "
            "install the extra: pip install 'dbshift[s3]'"
        ) from None
    try:
        fs, root = fsspec.core.url_to_fs(url)
    except (ImportError, ValueError) as exc:
        raise UsageError(f"backup_dir {url!r}: {exc}") from None
    return fs, str(root).rstrip("/")


class RemoteStore(Store):
    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")
        self.fs, self.path = _filesystem(url)
        super().__init__(Path(self.path))

    def _at(self, *parts: str) -> str:
        return posixpath.join(self.path, *parts)

    def check_writable(self) -> None:
        probe = self._at(f".probe-{new_id()}")
        try:
            self.fs.makedirs(self.path, exist_ok=True)
            self.fs.pipe_file(probe, b"")
            self.fs.rm_file(probe)
        except Exception as exc:  # each filesystem raises its own kinds
            raise UsageError(
                f"backup_dir {self.url} is not writable: {exc} "
                "(set backup_dir in the config, or pass --no-backup to skip the backup)"
            ) from None

    def new(self) -> tuple[str, Path]:
        self.check_writable()
        backup_id = new_id()
        return backup_id, Path(tempfile.mkdtemp(prefix=f"dbshift-{backup_id}-"))

    def commit(self, staging: Path, manifest: mf.Manifest) -> str:
        manifest.write(staging)
        target = self._at(manifest.id)
        files = [p for p in sorted(staging.rglob("*")) if p.is_file() and p.name != mf.NAME]
        for path in [*files, staging / mf.NAME]:  # the manifest last: the backup is complete
            remote = self._at(manifest.id, *path.relative_to(staging).parts)
            self.fs.makedirs(posixpath.dirname(remote), exist_ok=True)  # no-op on S3
            self.fs.put_file(str(path), remote)
        shutil.rmtree(staging, ignore_errors=True)
        return f"{self.url}/{manifest.id}" if "://" in self.url else target

    def entries(self) -> list[Entry]:
        if not self.fs.exists(self.path):
            return []
        out = []
        for child in sorted(self.fs.ls(self.path, detail=False)):
            name = posixpath.basename(str(child).rstrip("/"))
            if name.startswith(".") or not self.fs.isdir(child):
                continue
            manifest = self._at(name, mf.NAME)
            if not self.fs.exists(manifest):
                continue  # still uploading, or an upload that died
            where = f"{self.url}/{name}"
            try:
                found = mf.parse(self.fs.cat_file(manifest), f"{where}/{mf.NAME}")
                out.append(Entry(Path(self._at(name)), found, location=where))
            except ValidationFailed as exc:
                out.append(Entry(Path(self._at(name)), None, exc.message, location=where))
        return out

    @contextlib.contextmanager
    def local(self, entry: Entry) -> Iterator[Path]:
        assert entry.manifest is not None
        with tempfile.TemporaryDirectory(prefix=f"dbshift-{entry.id}-") as tmp:
            for item in entry.manifest.files:
                source = self._at(entry.id, item.path)
                target = Path(tmp, *item.path.split("/"))
                target.parent.mkdir(parents=True, exist_ok=True)
                if self.fs.exists(source):  # a missing one is reported by the checksums
                    self.fs.get_file(source, str(target))
            yield Path(tmp)

    def _remove(self, entry: Entry) -> None:
        self.fs.rm(self._at(entry.id), recursive=True)

    def _leftovers(self) -> list[str]:
        return []  # object stores give no reliable age for a prefix; see docs/backups.md
