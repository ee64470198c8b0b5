"""Expected schema versus live schema, as a list of named, classified changes."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from dbshift.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy.engine import Connection

    from dbshift.model import Schema
    from dbshift.ops import Operation
    from dbshift.runner.session import Session

ADDED, CHANGED, DROPPED = "added", "changed", "dropped"
#: What an online migration in flight adds (hidden columns, triggers, functions): the
#: online engine's, never drift (see dbshift.online).
ONLINE_HELPER = "_dbshift_"


@dataclass(frozen=True)
class Change:
    """One object that differs: ``change`` is added, changed or dropped (by hand)."""

    change: str
    object: str
    details: tuple[str, ...]


@dataclass(frozen=True)
class DriftReport:
    #: Where the expected schema came from, for the report's first line.
    expected_from: str
    #: The newest applied version (None: nothing applied).
    version: str | None
    changes: tuple[Change, ...]
    #: Operations that turn the expected schema into the live one.
    ops: tuple[Operation, ...]
    expected: Schema
    live: Schema

    @property
    def drifted(self) -> bool:
        return bool(self.ops)


def detect(session: Session, *, replay: bool = False) -> DriftReport:
    """Compare the live database of ``session`` with what its applied history produced.

    The snapshot is used when it was taken at the newest applied version (nothing has
    been migrated since without one); otherwise, or with ``replay``, the applied
    migrations are replayed on a scratch database.
    """
    from concurrent.futures import ThreadPoolExecutor

    import dbshift.diff  # noqa: F401 (here, before the thread imports the inspector)

    conn = session.conn
    # The live schema is read on a connection of its own (``_live``), so it is read from
    # the start, in a thread, while this one reads the history and the snapshot and
    # decodes it: the inspection mostly waits on the server (the driver releases the GIL
    # meanwhile), and run one after the other the two were most of drift's time. Its
    # result (or error) is taken where it used to be read, so errors come in the same
    # order; an error before that waits for the inspection to end, then wins.
    with ThreadPoolExecutor(max_workers=1) as pool:
        live = pool.submit(_live, session)
        # A replay builds tables that name no character set in its scratch database's
        # default: the live database's, as they were built there (MySQL/MariaDB).
        expected, source, version = _expected(
            session, conn, replay=replay, collation=lambda: live.result().defaults.collation
        )
        return _report(session, expected, source, version, live.result())


def _expected(
    session: Session, conn: Connection, *, replay: bool, collation: Callable[[], str | None]
) -> tuple[Schema, str, str | None]:
    """The schema the applied history produced, where it came from, and its version."""
    from dbshift.runner.history import State
    from dbshift.runner.snapshot import SnapshotTable

    rows = session.history.rows(conn)
    unfinished = [r for r in rows if r.state is not State.APPLIED]
    if unfinished:
        row = unfinished[0]
        raise UsageError(
            f"migration {row.version} ({row.description}) stopped midway: finish it with "
            "'dbshift migrate' or 'dbshift repair' before looking for drift"
        )
    version = rows[-1].version if rows else None
    expected: Schema | None = None
    source = ""
    if not replay:
        snapshot = SnapshotTable(session.history.name, session.history.schema).latest(conn)
        if snapshot is not None and snapshot.version == version:
            expected = snapshot.schema()
            taken = snapshot.taken_at.strftime("%Y-%m-%d %H:%M:%S")
            source = f"snapshot taken {taken} UTC by dbshift {snapshot.dbshift_version}"
    if expected is None:
        expected = _replayed(session, version, collation)
        source = f"replay of the migrations up to {version}" if version else "an empty database"
    return expected, source, version


def _report(
    session: Session, expected: Schema, source: str, version: str | None, live: Schema
) -> DriftReport:
    from dbshift.diff import DiffOptions, diff

    ops = [
        op
        for op in diff(
            expected,
            live,
            DiffOptions(inline_foreign_keys=session.dialect.foreign_keys_only_in_create_table),
        )
        if ONLINE_HELPER not in op.describe()
    ]
    return DriftReport(
        expected_from=source,
        version=version,
        changes=tuple(classify(ops)),
        ops=tuple(ops),
        expected=expected,
        live=live,
    )


def _live(session: Session) -> Schema:
    from dbshift.runner.sources import inspect_url

    return inspect_url(session.settings.url or "", session.settings)


def _replayed(session: Session, version: str | None, collation: Callable[[], str | None]) -> Schema:
    """The schema the migrations up to ``version`` build on an empty scratch database."""
    from dbshift.model import Schema as Empty
    from dbshift.runner.session import QuietReporter
    from dbshift.runner.session import Session as ScratchSession
    from dbshift.runner.sources import inspect_url, scratch_database

    if version is None:
        return Empty()
    settings = session.settings
    with scratch_database(settings, session.dialect, collation=collation()) as url:
        scratch = replace(
            settings, url=url.render_as_string(hide_password=False), drift_snapshots=False
        )
        with ScratchSession(scratch, QuietReporter()) as replaying:
            replaying.migrate(to=version)
        return inspect_url(scratch.url or "", scratch)


def classify(ops: list[Operation]) -> list[Change]:
    """Group operations by the object they touch; a drop and a create of the same object
    (a view or routine whose definition changed) is one change."""
    order: list[str] = []
    kinds: dict[str, set[str]] = {}
    details: dict[str, list[str]] = {}
    for op in ops:
        described = op.describe()
        rest = described.partition(" ")[2]
        if op.kind.startswith(("create_", "add_")) and op.kind != "add_enum_value":
            change, name = ADDED, rest
        elif op.kind.startswith("drop_"):
            change, name = DROPPED, rest
        else:
            change, name = CHANGED, _changed_object(op, described)
        if name not in kinds:
            order.append(name)
            kinds[name], details[name] = set(), []
        kinds[name].add(change)
        details[name].append(described)
    out = []
    recreated = _recreated(ops)
    for name in order:
        if name in recreated:
            continue
        found = kinds[name]
        change = found.pop() if len(found) == 1 else CHANGED
        out.append(Change(change=change, object=name, details=tuple(details[name])))
    return out


def _recreated(ops: list[Operation]) -> set[str]:
    """Objects dropped and created again exactly as they were: a view or trigger the
    differ rebuilds because something it depends on changed, not drift of its own."""
    from dbshift.errors import Irreversible

    drops: dict[str, Operation] = {}
    creates: dict[str, list[Operation]] = {}
    for op in ops:
        name = op.describe().partition(" ")[2]
        if op.kind.startswith("drop_"):
            drops[name] = op
        elif op.kind.startswith("create_"):
            creates.setdefault(name, []).append(op)
    out = set()
    for name, drop in drops.items():
        try:
            undone = drop.reverse()
        except Irreversible:
            continue
        if creates.get(name) == [undone]:
            out.add(name)
    return out


def _changed_object(op: Operation, described: str) -> str:
    """``column users.email`` for an altered column, else the description's object."""
    if op.kind == "alter_column":
        return described.removeprefix("alter ").split(" (", 1)[0]
    if op.kind == "add_enum_value":
        return "enum " + described.rsplit(" enum ", 1)[-1]
    return described


def quick_check(session: Session) -> int | None:
    """How many objects drifted, when a snapshot at the newest applied version makes that
    one inspection; None when only a replay could tell (``status`` does not replay)."""
    from dbshift.runner.snapshot import SnapshotTable

    rows = session.history.rows(session.conn)
    if not rows or not session.settings.drift_snapshots:
        return None
    snapshot = SnapshotTable(session.history.name, session.history.schema).latest(session.conn)
    if snapshot is None or snapshot.version != rows[-1].version:
        return None
    return len(detect(session).changes)


def refresh_snapshot(session: Session) -> None:
    """A new snapshot after a change dbshift made outside ``migrate`` (``online complete``
    and ``rollback``), so that change is not reported as drift; nothing without a history."""
    if not session.settings.drift_snapshots or not session.history.exists(session.conn):
        return
    with session.locked():
        session.take_snapshot()
