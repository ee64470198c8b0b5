"""``dbshift rebase``: give pending migrations new versions after the newest applied (or
merged) one, rewrite ``dbshift.sum``, and prove the new order applies on a scratch database.

Two branches that each added a migration merge cleanly once ``dbshift.sum`` is rehashed,
but the older-numbered one now sorts before migrations a database has already applied
(refused unless ``out_of_order``). Renumbering it is the fix Alembic and Django leave to a
merge migration; here the file simply moves to the end, its name and content unchanged but
for the version. Files that depend on a moved version (``-- dbshift:depends-on``) are
pointed at its new version; a moved file's data fixture (``tests/migrations/<v>.sql|.py``)
moves with it. If the new order does not apply, every rename is undone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from dbshift.errors import DbshiftError, MigrationFailed, UsageError
from dbshift.migrations import loader, sumfile
from dbshift.runner import sources
from dbshift.runner.session import QuietReporter, Session

if TYPE_CHECKING:
    from dbshift.config import Settings
    from dbshift.dialects import Dialect
    from dbshift.migrations.model import Migration


@dataclass(frozen=True)
class Move:
    old: Path
    new: Path
    old_version: str
    new_version: str


def plan(
    session: Session, *, after: str | None = None, versions: tuple[str, ...] = ()
) -> list[Move]:
    """The renames: ``versions`` (default: the pending migrations that sort before the
    anchor, which is ``after`` or else the newest applied version) go after the anchor, in
    their present order."""
    migrations = session.migrations()
    analysis = session.analysis(migrations)
    known = {m.number: m for m in migrations}
    if after is not None and (not after.isdigit() or int(after) not in known):
        raise UsageError(f"--after {after}: no migration has that version")
    newest = analysis.current.number if analysis.current else -1
    anchor = int(after) if after is not None else newest
    applied = {row.number for row in analysis.applied}
    if versions:
        movers = []
        for v in versions:
            if not v.isdigit() or int(v) not in known:
                raise UsageError(f"rebase {v}: no migration has that version")
            if int(v) in applied:
                raise UsageError(
                    f"rebase {v}: already applied to this database; only pending migrations move"
                )
            movers.append(known[int(v)])
        movers.sort(key=lambda m: m.number)
    else:
        pending = {m.number for m in analysis.pending}
        movers = [m for m in migrations if m.number in pending and m.number < anchor]
    if not movers:
        return []
    movers = _with_dependants(movers, [m for m in analysis.pending if m not in movers])
    width = max(len(m.version) for m in migrations)
    top = max(m.number for m in migrations)
    moves = []
    for offset, migration in enumerate(movers, start=1):
        version = str(top + offset).zfill(width)
        suffix = migration.path.name.split("_", 1)[1]
        moves.append(
            Move(
                migration.path,
                migration.path.with_name(f"{version}_{suffix}"),
                migration.version,
                version,
            )
        )
    return moves


def apply(session: Session, moves: list[Move], *, check: bool = True) -> None:
    """Rename, repoint depends-on headers, move fixtures, rehash; then replay every
    migration on a scratch database (``check``), undoing it all if that fails."""
    settings = session.settings
    directory = settings.migrations_dir
    undo: list[tuple[Path, bytes | None, Path | None]] = []  # (path, old bytes, renamed from)
    try:
        for move in moves:
            move.old.rename(move.new)
            undo.append((move.new, None, move.old))
            for fixture in _fixtures(settings, move.old_version):
                target = fixture.with_name(move.new_version + fixture.suffix)
                fixture.rename(target)
                undo.append((target, None, fixture))
        renamed = {int(m.old_version): m.new_version for m in moves}
        moved_paths = {m.new for m in moves}
        analysis = session.analysis(loader.load(directory, session.dialect))
        pending = {m.path for m in analysis.pending} | moved_paths
        for f in loader.scan(directory):
            if f.path not in pending or f.path.suffix != ".sql":
                continue
            text = f.data.decode("utf-8")
            new = _repoint(text, renamed)
            if new != text:
                f.path.write_text(new, encoding="utf-8")
                undo.append((f.path, f.data, None))
        sum_path = directory / loader.SUM_FILE
        undo.append((sum_path, sum_path.read_bytes() if sum_path.exists() else b"", None))
        sumfile.write(directory, loader.scan(directory))
        if check:
            replay(settings, session.dialect)
    except BaseException:
        for path, data, origin in reversed(undo):
            if origin is not None:
                path.rename(origin)
            elif data is not None:
                path.write_bytes(data)
        raise


def _with_dependants(movers: list[Migration], others: list[Migration]) -> list[Migration]:
    """Pending migrations that depend (transitively) on a moving one move too, after it."""
    moving = {m.number for m in movers}
    out = list(movers)
    changed = True
    while changed:
        changed = False
        for migration in others:
            if migration.number in moving:
                continue
            needs = {int(v) for v in loader.resolve(migration).headers.depends_on}
            if needs & moving:
                out.append(migration)
                moving.add(migration.number)
                changed = True
    return out


_DEPENDS = re.compile(r"^(--\s*dbshift:depends-on\s+)(.*)$", re.MULTILINE)


def _repoint(text: str, renamed: dict[int, str]) -> str:
    def sub(match: re.Match[str]) -> str:
        versions = match.group(2).replace(",", " ").split()
        new = [renamed.get(int(v), v) if v.isdigit() else v for v in versions]
        return match.group(1) + " ".join(new)

    return _DEPENDS.sub(sub, text)


def _fixtures(settings: Settings, version: str) -> list[Path]:
    directory = settings.test.fixtures
    if not directory.is_dir():
        return []
    return [
        p
        for p in directory.iterdir()
        if p.suffix in (".sql", ".py") and p.stem.isdigit() and int(p.stem) == int(version)
    ]


def replay(settings: Settings, dialect: Dialect) -> None:
    """Every migration, in version order, on a fresh scratch database."""
    with sources.scratch_database(settings, dialect) as url:
        scratch = replace(
            settings, url=url.render_as_string(hide_password=False), history_schema=None
        )
        try:
            with Session(scratch, QuietReporter()) as session:
                session.migrate()
        except DbshiftError as exc:
            raise MigrationFailed(
                f"the renumbered migrations do not apply in their new order on a scratch "
                f"database: {exc.message}; nothing was renamed"
            ) from None
