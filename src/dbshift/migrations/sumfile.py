"""``dbshift.sum``: the directory's integrity file, modelled on Atlas's ``atlas.sum``.

Line 1 is ``h1:`` and a hash over all the lines below it; each further line is
``<file> h1:<hash>``, where the hash is a running SHA-256 fed every earlier file name and
content. Two branches that each add a migration change line 1 and append different lines,
so git reports a conflict instead of merging two histories silently; and editing or
inserting an older file changes every later line, so ``validate`` names what moved.
Repeatable migrations (``R__<name>.sql``) follow the versioned files, in name order: an
edit to one is intended (that is how it is re-applied) but must still pass review.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from pathlib import Path

from dbshift.migrations.checksum import normalise
from dbshift.migrations.loader import SUM_FILE, MigrationFile, scan_repeatable
from dbshift.migrations.model import Kind

_CONFLICT_MARKERS = ("<<<<<<<", "=======", ">>>>>>>")
#: How a mismatch message ends; callers with a fuller explanation drop it.
HASH_HINT = "; if the change is intended, run 'dbshift hash'"


def _b64(digest: bytes) -> str:
    return "h1:" + base64.b64encode(digest).decode()


def compute(files: list[MigrationFile]) -> str:
    """The sum file's text for these files (in version order)."""
    running = hashlib.sha256()
    lines = []
    for f in files:
        running.update(f.path.name.encode())
        running.update(normalise(f.data))
        lines.append(f"{f.path.name} {_b64(running.copy().digest())}")
    body = "".join(line + "\n" for line in lines)
    return f"{_b64(hashlib.sha256(body.encode()).digest())}\n{body}"


def _with_repeatable(directory: Path, files: list[MigrationFile]) -> list[MigrationFile]:
    """Callers pass the versioned files (``loader.scan``); the repeatable ones join here."""
    if any(f.kind is Kind.REPEATABLE for f in files):
        return files
    return [*files, *scan_repeatable(directory)]


def write(directory: Path, files: list[MigrationFile]) -> Path:
    path = directory / SUM_FILE
    path.write_text(compute(_with_repeatable(directory, files)), encoding="utf-8")
    return path


@dataclass(frozen=True)
class SumProblem:
    """Why the sum file does not vouch for the directory."""

    message: str
    #: The first file whose line differs: the edited one (later lines differ through the
    #: chain alone). None when no line of an existing file differs.
    edited: str | None = None
    #: Files on disk the sum does not list, and files it lists that are gone.
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    #: Missing sum file or git conflict markers: nothing re-hashing may paper over.
    fatal: bool = False

    @property
    def files(self) -> tuple[str, ...]:
        """Every file the mismatch is about (what must be unapplied to re-hash safely)."""
        return ((self.edited,) if self.edited else ()) + self.added + self.removed


def check(directory: Path, files: list[MigrationFile]) -> SumProblem | None:
    """Compare the stored sum file with the files; None when they agree."""
    path = directory / SUM_FILE
    if not path.is_file():
        if not _with_repeatable(directory, files):
            # A new project: nothing to protect yet, and the first file written by
            # 'dbshift new' or 'generate' writes the sum with it.
            return None
        return SumProblem(f"{path} is missing: run 'dbshift hash' to create it", fatal=True)
    stored = path.read_text(encoding="utf-8")
    if any(line.startswith(_CONFLICT_MARKERS) for line in stored.splitlines()):
        return SumProblem(
            f"{path} has git conflict markers: two branches added migrations; give yours a "
            "new version ('dbshift new'), then run 'dbshift hash'",
            fatal=True,
        )
    expected = compute(_with_repeatable(directory, files))
    if stored == expected:
        return None
    stored_lines = dict(_entries(stored))
    expected_lines = dict(_entries(expected))
    # Hashes are chained: one edited file changes its own line and every later one, so
    # the first differing line is the file to look at.
    changed = [
        n for n in expected_lines if n in stored_lines and stored_lines[n] != expected_lines[n]
    ]
    added = tuple(n for n in expected_lines if n not in stored_lines)
    removed = tuple(n for n in stored_lines if n not in expected_lines)
    parts = []
    edited = changed[0] if changed else None
    if edited and not added and not removed:
        parts.append(f"{edited} was edited since the last 'dbshift hash'")
    if added:
        parts.append("not in the sum: " + ", ".join(added))
    if removed:
        parts.append("missing on disk: " + ", ".join(removed))
    if not parts:
        parts.append("the header hash is wrong")
    return SumProblem(
        f"{path} does not match the migration files ({'; '.join(parts)}){HASH_HINT}",
        edited=edited,
        added=added,
        removed=removed,
        fatal=not parts or parts == ["the header hash is wrong"],
    )


def _entries(text: str) -> list[tuple[str, str]]:
    out = []
    for line in text.splitlines()[1:]:
        name, _, digest = line.rpartition(" ")
        if name:
            out.append((name, digest))
    return out
