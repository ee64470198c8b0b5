"""Take, list, restore and prune backups: an engine, a store and the history, together.

Everything here opens its own connection: a backup taken before ``migrate`` runs while
the migration's session holds the lock, and a dump tool connects on its own anyway.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from dbshift import __version__
from dbshift.backup import manifest as mf
from dbshift.backup.base import Database, Engine, Notice
from dbshift.backup.store import Store
from dbshift.connection import backend_name, connect, create_engine, mask_url, parse_url
from dbshift.dialects import Dialect, dialect_for
from dbshift.dialects.mysql import MySQLDialect
from dbshift.dialects.postgres import PostgresDialect
from dbshift.dialects.sqlite import SQLiteDialect
from dbshift.errors import ConfigError, UsageError, ValidationFailed
from dbshift.runner import table_names
from dbshift.runner.history import HistoryTable, OnlinePhase, State

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

    from dbshift.backup.prior import RowSet
    from dbshift.config import Settings

MODES = ("destructive", "always", "never")


def _postgres(builtin: bool) -> Engine:
    from dbshift.backup.postgres import PostgresEngine

    return PostgresEngine(builtin=builtin)


def _mysql(builtin: bool) -> Engine:
    from dbshift.backup.mysql import MySQLEngine

    return MySQLEngine(builtin=builtin)


def _sqlite(builtin: bool) -> Engine:
    from dbshift.backup.sqlite import SQLiteEngine

    return SQLiteEngine()  # the backup API is built in already


#: One engine per server, keyed by its Dialect class: the engines sit above the dialects,
#: which cannot name them, and a class (unlike a name) cannot be misspelt.
_ENGINES: dict[type[Dialect], Callable[[bool], Engine]] = {
    PostgresDialect: _postgres,
    MySQLDialect: _mysql,
    SQLiteDialect: _sqlite,
}


def engine_for(url: URL, *, tool: str = "auto") -> Engine:
    """The backup engine for the database at ``url``; ``tool`` is ``backup_tool``."""
    return _ENGINES[type(dialect_for(url))](tool == "builtin")


def store(settings: Settings) -> Store:
    """The local backup directory, or remote storage when ``backup_dir`` is a URL."""
    if settings.backup_url:
        from dbshift.backup.remote import RemoteStore

        return RemoteStore(settings.backup_url)
    return Store(settings.backup_dir)


@contextlib.contextmanager
def _database(settings: Settings, url: URL) -> Iterator[Database]:
    engine = create_engine(
        url, connect_timeout=settings.connect_timeout, busy_timeout=settings.lock_timeout
    )
    conn = connect(engine)
    try:
        dialect = dialect_for(url)
        history = HistoryTable(settings.history_table, settings.history_schema)

        # All of dbshift's own tables (the one list, ``table_names``): the drift snapshot
        # (a restored history is judged against its own), the online phases (restored
        # with the history they must agree with), the batch checkpoints, and the online
        # journal, which lives in the base schema rather than the history's.
        names = table_names.history_tables(history.name)
        if history.schema:
            names = tuple(f"{history.schema}.{n}" for n in names)
        journal = (table_names.ONLINE_JOURNAL_TABLE, table_names.ONLINE_JOURNAL_META_TABLE)
        yield Database(url=url, conn=conn, dialect=dialect, history_tables=names + journal)
    finally:
        with contextlib.suppress(Exception):
            conn.close()
        engine.dispose()


def _history(settings: Settings, db: Database) -> list[str]:
    """Applied versions, oldest first ([] without a history table)."""
    history = HistoryTable(settings.history_table, settings.history_schema)
    if not history.exists(db.conn):
        return []
    rows = history.rows(db.conn)
    return sorted((r.version for r in rows if r.state is State.APPLIED), key=int)


def _online_phases(settings: Settings, db: Database) -> dict[str, str]:
    """Each online migration's phase by version ({} without the tables)."""
    history = HistoryTable(settings.history_table, settings.history_schema)
    if not history.exists(db.conn):
        return {}
    return {v: r.phase.value for v, r in history.online_rows(db.conn).items()}


def _url(settings: Settings) -> URL:
    if not settings.url:
        raise ConfigError(
            "no database URL: pass --url, set DBSHIFT_URL or DATABASE_URL, "
            "or put url = ... in dbshift.toml"
        )
    return parse_url(settings.url)


# -- take ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Taken:
    manifest: mf.Manifest
    #: The backup's directory, or its URL in remote storage.
    directory: str
    seconds: float


def take(
    settings: Settings,
    *,
    tables: Sequence[str] | None,
    reason: str,
    notice: Notice,
    strict: bool = True,
    rows: Mapping[str, Sequence[RowSet]] | None = None,
) -> Taken | None:
    """Back up ``tables`` (None: the whole database) and the history tables, and of the
    ``rows`` tables only the rows those statements touch (the prior backup).

    ``strict``: a named table that does not exist is an error (``dbshift backup
    --tables``); otherwise (before a migration) it is skipped, as a table the run itself
    creates, and with nothing left to copy no backup is taken (None)."""
    url = _url(settings)
    backups = store(settings)
    backups.check_writable()
    engine = engine_for(url, tool=settings.backup_tool)
    began = time.monotonic()
    with _database(settings, url) as db:
        selected: list[str] | None = None
        if tables is not None:
            selected = []
            for name in tables:
                found = engine.resolve(db, name)
                if found is None and strict:
                    raise UsageError(f"no table {name!r} in {mask_url(url)}")
                if found is not None and found not in selected:
                    selected.append(found)
            planned = _plan_rows(engine, db, rows or {}, selected, notice)
            if not selected and not planned:
                return None
            selected += [
                found
                for name in db.history_tables
                if (found := engine.resolve(db, name)) is not None and found not in selected
            ]
        else:
            planned = {}
        applied = _history(settings, db)
        phases = _online_phases(settings, db)
        backup_id, staging = backups.new()
        try:
            saved = _save_rows(engine, db, staging, planned, selected, notice)
            dumped = engine.dump(db, staging, selected, notice)
            manifest = mf.Manifest(
                id=backup_id,
                created_at=datetime.now(UTC).isoformat(timespec="seconds"),
                dbshift_version=__version__,
                backend=engine.kind,
                server_version=engine.server_version(db),
                database=url.database or "",
                url=mask_url(url),
                scope="full" if selected is None or dumped.whole else "tables",
                reason=reason,
                history_version=applied[-1] if applied else "",
                applied_versions=tuple(applied),
                history_tables=db.history_tables,
                tool=dumped.tool,
                tables=_with_prior(dumped.tables, saved),
                files=dumped.files + tuple(f for f, _ in saved.values()),
                extra=dumped.extra,
                online_phases=phases,
            )
            final = backups.commit(staging, manifest)
        except BaseException:
            backups.discard(staging)
            raise
    if settings.backup_keep is not None or settings.backup_keep_days is not None:
        for gone in backups.prune(keep=settings.backup_keep, keep_days=settings.backup_keep_days):
            notice(f"pruned backup {gone}")
    return Taken(manifest, final, time.monotonic() - began)


@dataclass(frozen=True)
class _Planned:
    sets: tuple[RowSet, ...]
    key: tuple[str, ...]
    columns: tuple[str, ...]


def _plan_rows(
    engine: Engine,
    db: Database,
    rows: Mapping[str, Sequence[RowSet]],
    selected: list[str],
    notice: Notice,
) -> dict[str, _Planned]:
    """The tables whose touched rows can be saved; the others go into ``selected``
    whole, with a notice saying why."""
    out: dict[str, _Planned] = {}
    for written, sets in rows.items():
        found = engine.resolve(db, written)
        if found is None or found in selected:
            continue  # created by this run, or copied whole anyway
        key, columns = engine.key_and_columns(db, found)
        moved = sorted({c for s in sets for c in s.assigns} & set(key))
        if not key or moved or not set(key) <= set(columns):
            why = f"it sets its key column {moved[0]}" if moved else "it has no primary key"
            notice(f"backing up the whole table {found}: {why}, so rows cannot be put back by key")
            selected.append(found)
            continue
        out[found] = _Planned(tuple(sets), tuple(key), tuple(columns))
    return out


def _save_rows(
    engine: Engine,
    db: Database,
    staging: Path,
    planned: dict[str, _Planned],
    selected: list[str] | None,
    notice: Notice,
) -> dict[str, tuple[mf.FileEntry, mf.PriorRows]]:
    """Save each planned table's touched rows; a SELECT the server refuses (a column a
    later migration adds, say) sends that table into the dump whole instead."""
    from dbshift.backup.rows import prior_entry, selects

    out = {}
    for table, plan in planned.items():
        queries = selects(db, engine.qualified(db, table), plan.columns, plan.sets)
        try:
            entry, count = engine.save_rows(db, staging, table, queries, plan.key, plan.columns)
        except Exception as exc:  # the server's refusal, whatever the driver calls it
            reason = db.dialect.describe_error(exc)
            notice(f"backing up the whole table {table}: selecting its rows failed: {reason}")
            if selected is not None:
                selected.insert(0, table)
            continue
        prior = prior_entry(table, entry.path, count, plan.key, plan.columns, plan.sets, queries)
        out[table] = (entry, prior)
    return out


def _with_prior(
    tables: tuple[mf.TableEntry, ...], saved: dict[str, tuple[mf.FileEntry, mf.PriorRows]]
) -> tuple[mf.TableEntry, ...]:
    """The dump's tables, and the saved rows: on a table the dump holds whole too (SQLite
    copies the whole file), else as a table of its own holding only those rows."""
    out = [replace(t, prior=saved[t.name][1]) if t.name in saved else t for t in tables]
    have = {t.name for t in tables}
    out += [
        mf.TableEntry(name, prior.rows, whole=False, prior=prior)
        for name, (_, prior) in saved.items()
        if name not in have
    ]
    return tuple(out)


# -- restore ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Restored:
    manifest: mf.Manifest
    tables: list[str]
    target: str
    mismatched: dict[str, tuple[int, int]]
    seconds: float
    #: Rows put back by key from the prior backup.
    upserted: int = 0


def restore(
    settings: Settings,
    backup_id: str,
    *,
    tables: Sequence[str] | None,
    to: str | None,
    force: bool,
    notice: Notice,
    rows_only: bool = False,
) -> Restored:
    """Verify, check the target's history, restore, count the rows back.

    A table the backup holds only some rows of (the prior backup) gets those rows back
    by upsert on its key; ``rows_only`` does that for every chosen table that has saved
    rows, even where the backup also holds it whole, and restores nothing else."""
    began = time.monotonic()
    backups = store(settings)
    entry = backups.find(backup_id)
    if entry.manifest is None:
        raise ValidationFailed(entry.problem or f"backup {entry.id}: unreadable")
    manifest = entry.manifest
    url = parse_url(to) if to else _url(settings)
    kind = backend_name(url)
    if kind != manifest.backend:
        raise UsageError(
            f"backup {manifest.id} is a {manifest.backend} backup; it cannot be restored onto "
            f"the {kind} database {mask_url(url)}"
        )
    chosen = _with_online_phases(settings, manifest, _chosen(manifest, tables))
    by_rows = [
        t
        for t in manifest.tables
        if t.name in chosen and t.prior is not None and (rows_only or not t.whole)
    ]
    if rows_only and not by_rows:
        raise UsageError(f"backup {manifest.id} holds no saved rows of the chosen table(s)")
    whole = [] if rows_only else [t.name for t in manifest.tables if t.name in chosen and t.whole]
    with backups.local(entry) as directory:
        mf.verify(directory, manifest)  # before anything touches the database
        engine = engine_for(url, tool=settings.backup_tool)
        with _database(settings, url) as db:
            dialect = db.dialect
            history = HistoryTable(settings.history_table, settings.history_schema)
            key = dialect.lock_key(history.name, history.schema)
            dialect.acquire_lock(db.conn, key, settings.lock_timeout)
            try:
                _refuse_moved_history(settings, db, engine, manifest, chosen, force=force)
                moved = (
                    _online_moved(settings, db, manifest)
                    if _restores_history(settings, chosen)
                    else {}
                )
                if moved and not force:
                    raise ValidationFailed(_online_refusal(manifest, moved))
                if whole:
                    engine.restore(
                        db, directory, manifest, whole if tables is not None else None, notice
                    )
                for table in by_rows:
                    assert table.prior is not None
                    if engine.resolve(db, table.name) is None:
                        raise ValidationFailed(
                            f"cannot put back the saved rows of {table.name}: the table does not "
                            "exist (restore a backup that holds it whole)"
                        )
                    engine.load_rows(db, directory, table.name, table.prior)
                if moved:
                    journal_back = table_names.ONLINE_JOURNAL_TABLE in whole
                    _reconcile_online(settings, db, moved, notice, journal_back=journal_back)
                live = {t: engine.resolve(db, t) for t in whole}
                counts = engine.row_counts(db, [t for t in whole if live[t] is not None])
            finally:
                with contextlib.suppress(Exception):
                    dialect.release_lock(db.conn, key)

    expected = {t.name: t.rows for t in manifest.tables}
    mismatched = {
        t: (expected[t], counts.get(t, -1)) for t in whole if counts.get(t, -1) != expected[t]
    }
    restored = whole + [t.name for t in by_rows if t.name not in whole]
    return Restored(
        manifest,
        restored,
        mask_url(url),
        mismatched,
        time.monotonic() - began,
        sum(t.prior.rows for t in by_rows if t.prior is not None),
    )


def _chosen(manifest: mf.Manifest, tables: Sequence[str] | None) -> list[str]:
    if tables is None:
        return [t.name for t in manifest.tables]
    out = []
    for name in tables:
        entry = manifest.table(name)
        if entry is None:
            have = ", ".join(t.name for t in manifest.tables) or "none"
            raise UsageError(f"backup {manifest.id} has no table {name!r} (it has: {have})")
        out.append(entry.name)
    return out


def _with_online_phases(settings: Settings, manifest: mf.Manifest, chosen: list[str]) -> list[str]:
    """``chosen``, and the backup's ``<history>_online`` wherever the history table is
    chosen: a history and the online phases are restored together or not at all."""
    online = manifest.table(f"{settings.history_table}_online")
    if online is None or online.name in chosen or not _restores_history(settings, chosen):
        return chosen
    return [*chosen, online.name]


def _restores_history(settings: Settings, chosen: list[str]) -> bool:
    return any(t.split(".")[-1] == settings.history_table for t in chosen)


def _online_moved(settings: Settings, db: Database, manifest: mf.Manifest) -> dict[str, str]:
    """Online migrations whose phase in the database is not the backup's, as
    ``{version: "<name> (<phase> since the backup)"}``. A backup from before phases were
    recorded knows only its applied versions: completed ones there are not moved."""
    history = HistoryTable(settings.history_table, settings.history_schema)
    if not history.exists(db.conn):
        return {}
    then = manifest.online_phases
    if then is None:
        then = {v: OnlinePhase.COMPLETED.value for v in manifest.applied_versions}
    return {
        v: f"{r.name} ({r.phase.value.replace('_', ' ')} since the backup)"
        for v, r in sorted(history.online_rows(db.conn).items(), key=lambda i: int(i[0]))
        if then.get(v) != r.phase.value
    }


def _online_refusal(manifest: mf.Manifest, moved: dict[str, str]) -> str:
    at = manifest.history_version or "no migrations"
    return (
        f"refusing to restore backup {manifest.id} (taken at version {at}): online "
        f"migration(s) {', '.join(moved.values())}; the restored history would not know "
        "it, while what online start built stays in the database; complete or roll it back "
        "first (dbshift online complete/rollback), or pass --force to restore anyway"
    )


def _reconcile_online(
    settings: Settings,
    db: Database,
    moved: dict[str, str],
    notice: Notice,
    *,
    journal_back: bool,
) -> None:
    """After a forced restore of the history: no phase row may contradict it. Where the
    backup held ``<history>_online`` it was restored with the history; a backup from
    before it leaves the live rows, so a phase "completed" of a version the restored
    history has not applied is deleted (the migration is pending again).

    ``journal_back``: the online journal was restored whole with the rest, so it no longer
    holds what online start did after the backup, and the notice must not send the user
    to ``online status`` for it."""
    history = HistoryTable(settings.history_table, settings.history_schema)
    applied = set(_history(settings, db))
    rows = history.online_rows(db.conn)
    for version in moved:
        row = rows.get(version)
        if row is not None and row.phase is OnlinePhase.COMPLETED and version not in applied:
            db.conn.execute(history.online.delete().where(history.online.c.version == version))
            db.conn.commit()
            row = None
        now = row.phase.value.replace("_", " ") if row is not None else "not started"
        if journal_back:
            left = (
                "the online journal came back from the backup too, so dbshift online status "
                "no longer shows it: what online start built that the restore did not replace "
                "(its version schema, triggers and new columns on tables outside the backup) "
                "is no longer tracked and must be dropped by hand"
            )
        else:
            left = "what online start built may remain (see dbshift online status)"
        notice(
            f"online migration {moved[version]}: its phase is now {now}, as the restored history says; {left}"
        )


def _refuse_moved_history(
    settings: Settings,
    db: Database,
    engine: Engine,
    manifest: mf.Manifest,
    chosen: list[str],
    *,
    force: bool,
) -> None:
    """A database migrated past the backup would lose those migrations' work: say what
    would be overwritten, and go on only with --force."""
    applied = _history(settings, db)
    since = [v for v in applied if v not in set(manifest.applied_versions)]
    if not since or force:
        return
    existing = [t for t in chosen if engine.resolve(db, t) is not None]
    counts = engine.row_counts(db, existing)
    replaced = ", ".join(f"{t} ({counts[t]} rows)" for t in existing) or "none"
    at = manifest.history_version or "no migrations"
    raise ValidationFailed(
        f"refusing to restore backup {manifest.id} (taken at version {at}): the database has "
        f"applied {len(since)} migration(s) since ({', '.join(since)}); the restore would "
        f"overwrite table(s) {replaced}"
        + (" and the history" if _has_history(manifest, chosen) else "")
        + "; pass --force to restore anyway"
    )


def _has_history(manifest: mf.Manifest, chosen: list[str]) -> bool:
    return any(
        t.split(".")[-1] == h.split(".")[-1] for t in chosen for h in manifest.history_tables
    )
