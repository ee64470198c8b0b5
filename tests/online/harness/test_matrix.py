"""The online harness: every operation of the file format x backend x {complete, rollback},
driven through the public CLI while application writers run through both versions.

For each cell:
- the old version's writers run while ``online start`` expands and backfills; the new
  version's join once it is live; for complete the old ones leave first (every old instance
  is gone before the contract) and the new ones write through it; for rollback the new ones
  leave first and the old ones write through it;
- no writer sees an error, and every row holds exactly what its last writer wrote, carried
  to the final shape (``Operation.up``/``down``): no lost write, no row lost or left over;
- the server's own catalog (``judge``): after rollback it equals the catalog captured before
  start, exactly; after complete it equals a scratch database where the desired shape was
  created with plain DDL (the version schema/database that complete leaves for the new
  instances aside, as documented).

``cells.UNSUPPORTED`` declares what a backend does not support; those cells assert the
refusal. ``XFAIL`` lists what the harness found broken in the engine, each with its symptom.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Database, Project, scratch_database
from tests.online.harness import judge
from tests.online.harness.cells import (
    BACKENDS,
    FINISHES,
    MOVED_TO_END,
    NO_LOAD,
    OPERATIONS,
    ROWS,
    TABLE,
    UNSUPPORTED,
    Operation,
    Row,
    initial_row,
)
from tests.online.harness.connect import mysql_connect, pg_connect
from tests.online.harness.drive import cli, execute, query, refused
from tests.online.harness.load import Writer, deal, expected_rows

NAME = "20261206_change"
#: The cells that found a bug in the online engine: (operation, backend, finish) -> symptom.
#: "run": the CLI fails, so both tests of the cell fail; "catalog": only its catalog.
XFAIL: dict[tuple[str, str, str], tuple[str, str]] = {}


def _cells(part: str) -> Iterator[Any]:
    for key in OPERATIONS:
        for backend in BACKENDS:
            for finish in FINISHES:
                marks: list[Any] = [pytest.mark.slow]
                if backend == "postgresql":
                    marks.append(pytest.mark.postgres)
                if backend == "mysql":
                    marks.append(pytest.mark.mysql)
                broken = XFAIL.get((key, backend, finish))
                if broken and broken[0] in ("run", part):
                    marks.append(pytest.mark.xfail(strict=True, reason=broken[1]))
                yield pytest.param(
                    key, backend, finish, id=f"{key}-{backend}-{finish}", marks=marks
                )


def _database(db: Database) -> str:
    from sqlalchemy.engine import make_url

    return str(make_url(db.url).database)


_REFERENCE: dict[tuple[str, str], judge.Snapshot] = {}


def reference(backend: str, operation: Operation, tmp_path: Path) -> judge.Snapshot:
    """The catalog of a database where the desired shape was created directly."""
    key = (backend, operation.key)
    if key not in _REFERENCE:
        (tmp_path / "reference").mkdir(parents=True)
        with scratch_database(backend, tmp_path / "reference") as ref:
            execute(backend, ref.url, [*operation.setup(backend), *operation.ddl(backend)])
            _REFERENCE[key] = judge.snapshot(backend, ref.url)
    return _REFERENCE[key]


def writers(
    backend: str, db: Database, operation: Operation, version: str
) -> tuple[list[Writer], list[Writer]]:
    """Two writers per version, each owning a quarter of the initial rows."""
    hands = deal(list(range(1, ROWS + 1)), 4)

    def make(i: int, which: str) -> Writer:
        if backend == "postgresql":
            path = f"{version},public" if which == "new" else "public"

            def connect() -> Any:
                return pg_connect(db.url, path)
        else:
            database = version if which == "new" else None

            def connect() -> Any:
                return mysql_connect(db.url, database)

        return Writer(
            f"{which}{i}",
            which,
            connect,
            operation.new_table if which == "new" else TABLE,
            operation.new_values if which == "new" else operation.old_values,
            hands[i],
            returning=backend == "postgresql",
            offset=i * 10_000_000,
        )

    return [make(0, "old"), make(1, "old")], [make(2, "new"), make(3, "new")]


def read(backend: str, url: str, sql: str, columns: list[str]) -> dict[int, Row]:
    return {int(r[0]): dict(zip(columns, r[1:], strict=True)) for r in query(backend, url, sql)}


def assert_catalog(actual: judge.Snapshot, wanted: judge.Snapshot) -> None:
    for key in wanted:
        if key == "tables":
            assert sorted(actual["tables"]) == sorted(wanted["tables"]), "tables"
            for table, described in wanted["tables"].items():
                for part in described:
                    got = actual["tables"][table][part]
                    assert got == described[part], (table, part, got, described[part])
        else:
            assert actual[key] == wanted[key], (key, actual[key], wanted[key])


def completed_reference(
    backend: str, operation: Operation, tmp_path: Path, version: str
) -> judge.Snapshot:
    """The reference, plus what complete leaves on purpose: the new version's schema (PG)
    or database (MySQL) stays for the instances still pointed at it (docs/online.md), and
    a column PostgreSQL cannot keep in place moves to the end, as documented."""
    wanted = json.loads(json.dumps(reference(backend, operation, tmp_path), default=str))
    if backend == "postgresql":
        wanted["schemas"] = sorted([*wanted["schemas"], version])
        moved = MOVED_TO_END.get((operation.key, backend), ())
        for table in wanted["tables"].values():
            cols = table["columns"]
            table["columns"] = [c for c in cols if c[0] not in moved] + [
                c for c in cols if c[0] in moved
            ]
    elif backend == "mysql":
        wanted["version_databases"] = [f"_{NAME}"]
    return wanted


def normalised(snap: judge.Snapshot) -> judge.Snapshot:
    """Tuples and lists alike (the reference went through JSON)."""
    loaded: judge.Snapshot = json.loads(json.dumps(snap, default=str))
    return loaded


@dataclass
class Outcome:
    """One cell, run once and judged by two tests (its data and its catalog), so a bug in
    one does not hide the other: ``error`` is what stopped the run (re-raised by both)."""

    error: BaseException | None = None
    data: list[Callable[[], None]] = field(default_factory=list)
    catalog: list[Callable[[], None]] = field(default_factory=list)


_OUTCOMES: dict[tuple[str, str, str], Outcome] = {}


def outcome(key: str, backend: str, finish: str, factory: pytest.TempPathFactory) -> Outcome:
    cell = (key, backend, finish)
    if cell not in _OUTCOMES:
        tmp_path = factory.mktemp(f"{key}-{backend}-{finish}")
        result = Outcome()
        try:
            (tmp_path / "db").mkdir()
            with scratch_database(backend, tmp_path / "db") as db:
                try:
                    _run(result, OPERATIONS[key], db, tmp_path, finish)
                finally:
                    if backend == "mysql":  # the version database complete leaves behind
                        with mysql_connect(db.url) as conn:
                            conn.cursor().execute(
                                f"DROP DATABASE IF EXISTS `{_database(db)}_{NAME}`"
                            )
        except Exception as exc:
            result.error = exc
        _OUTCOMES[cell] = result
    return _OUTCOMES[cell]


def _judge(result: Outcome, part: str, check: Callable[[], None]) -> None:
    getattr(result, part).append(check)


def _run(result: Outcome, op: Operation, db: Database, tmp_path: Path, finish: str) -> None:
    backend = db.backend
    execute(backend, db.url, op.setup(backend))
    before = normalised(judge.snapshot(backend, db.url))
    initial = {i: initial_row(i) for i in range(1, ROWS + 1)}
    (tmp_path / f"{NAME}.toml").write_text(op.file(backend), encoding="utf-8")
    project = Project(tmp_path, db.url)
    unsupported = UNSUPPORTED.get((op.key, backend, finish))
    if unsupported and backend not in NO_LOAD:
        line = refused(project, "start", f"{NAME}.toml")
        rows = _read(backend, db.url, f"SELECT id, code, note, qty FROM {TABLE}")
        after = normalised(judge.snapshot(backend, db.url))
        _judge(result, "data", lambda: _same_rows(rows, initial))
        _judge(result, "data", lambda: _no_traceback(line))
        _judge(result, "catalog", lambda: assert_catalog(after, before))
        return
    if backend in NO_LOAD:
        _run_without_load(result, op, db, project, tmp_path, initial, rollback=bool(unsupported))
        return

    old = writers(backend, db, op, "")[0]
    new: list[Writer] = []
    running = list(old)
    try:
        for w in old:
            w.start()
        time.sleep(0.3)
        entry = cli(project, "start", f"{NAME}.toml", "--batch-size", "100", "--target-ms", "10")
        assert entry["phase"] == "active", entry
        version = entry["version_schema"]
        new = writers(backend, db, op, version)[1]
        running += new
        for w in new:
            w.start()
        time.sleep(1.0)
        if finish == "complete":
            for w in old:  # every old instance is gone before the contract
                w.finish()
            done = cli(project, "complete", NAME)
            time.sleep(0.3)
            for w in new:
                w.finish()
        else:
            for w in new:  # the new deployment is withdrawn before its version goes
                w.finish()
            done = cli(project, "rollback", NAME)
            time.sleep(0.3)
            for w in old:
                w.finish()
    finally:
        for w in running:
            w.stop.set()
        for w in running:
            if w.thread is not None:
                w.thread.join(timeout=60)
    assert done["phase"] == ("completed" if finish == "complete" else "rolled_back"), done

    everyone = old + new
    if finish == "complete":
        wanted = expected_rows(initial, everyone, old=op.up, new=op.new_completed)
        columns = list(next(iter(wanted.values())))
        sql = op.read_completed or f"SELECT id, {', '.join(columns)} FROM {op.new_table}"
        expected_catalog = completed_reference(backend, op, tmp_path, version)
    else:
        wanted = expected_rows(initial, everyone, old=lambda r, b: dict(r), new=op.down)
        columns = list(next(iter(wanted.values())))
        sql = f"SELECT id, {', '.join(columns)} FROM {TABLE}"
        expected_catalog = before
    actual = read(backend, db.url, sql, columns)
    after = normalised(judge.snapshot(backend, db.url))
    _judge(result, "data", lambda: _writers_ok(everyone, backend))
    _judge(result, "data", lambda: _same_rows(actual, wanted))
    _judge(result, "catalog", lambda: assert_catalog(after, expected_catalog))


#: Backends whose engine must never make an application write a deadlock victim: the
#: MySQL engine's copy takes its locks in the order the dual-write triggers do (issue 17).
NO_DEADLOCKS = ("mysql",)


def _writers_ok(everyone: list[Writer], backend: str) -> None:
    errors = {w.name: w.errors for w in everyone if w.errors}
    assert not errors, errors
    if backend in NO_DEADLOCKS:
        victims = {w.name: w.deadlocks for w in everyone if w.deadlocks}
        assert not victims, f"application writes chosen as deadlock victims: {victims}"
    assert all(w.operations > 20 for w in everyone), [(w.name, w.operations) for w in everyone]


def _same_rows(actual: dict[int, Row], wanted: dict[int, Row]) -> None:
    """Row count, the set of keys, and every column of every row."""
    assert len(actual) == len(wanted), f"{len(actual)} rows, {len(wanted)} expected"
    assert set(actual) == set(wanted), "rows lost or left behind"
    wrong = {i: (actual[i], wanted[i]) for i in wanted if actual[i] != wanted[i]}
    assert not wrong, f"{len(wrong)} rows differ, e.g. {list(wrong.items())[:3]}"


def _no_traceback(line: str) -> None:
    assert line and "Traceback" not in line, line


def _read(backend: str, url: str, sql: str) -> dict[int, Row]:
    columns = sql.removeprefix("SELECT id, ").split(" FROM ")[0].split(", ")
    return read(backend, url, sql, columns)


def _run_without_load(
    result: Outcome,
    op: Operation,
    db: Database,
    project: Project,
    tmp_path: Path,
    initial: dict[int, Row],
    *,
    rollback: bool,
) -> None:
    """SQLite's subset: start reaches the completed shape at once, with every row carried
    through ``up``; rollback is refused and changes nothing."""
    entry = cli(project, "start", f"{NAME}.toml")
    assert entry["phase"] == "completed", entry
    wanted = expected_rows(initial, [], old=op.up, new=op.new_completed)
    columns = list(next(iter(wanted.values())))
    sql = op.read_completed or f"SELECT id, {', '.join(columns)} FROM {op.new_table}"
    actual = read("sqlite", db.url, sql, columns)
    completed = normalised(judge.snapshot("sqlite", db.url))
    reference_ = normalised(reference("sqlite", op, tmp_path))
    _judge(result, "data", lambda: _same_rows(actual, wanted))
    _judge(result, "catalog", lambda: assert_catalog(completed, reference_))
    if rollback:
        line = refused(project, "rollback", NAME)
        after = normalised(judge.snapshot("sqlite", db.url))
        again = read("sqlite", db.url, sql, columns)
        _judge(result, "data", lambda: _no_traceback(line))
        _judge(result, "data", lambda: _same_rows(again, wanted))
        _judge(result, "catalog", lambda: assert_catalog(after, completed))


@pytest.mark.parametrize(("operation", "backend", "finish"), list(_cells("data")))
def test_data(
    tmp_path_factory: pytest.TempPathFactory, operation: str, backend: str, finish: str
) -> None:
    """No writer saw an error; every row holds what its last writer wrote, in the final
    shape; no row lost or left over."""
    result = outcome(operation, backend, finish, tmp_path_factory)
    if result.error is not None:
        raise result.error
    for check in result.data:
        check()


@pytest.mark.parametrize(("operation", "backend", "finish"), list(_cells("catalog")))
def test_catalog(
    tmp_path_factory: pytest.TempPathFactory, operation: str, backend: str, finish: str
) -> None:
    """After rollback the catalog captured before start; after complete the desired shape
    created directly; after a refusal, what was there."""
    result = outcome(operation, backend, finish, tmp_path_factory)
    if result.error is not None:
        raise result.error
    for check in result.catalog:
        check()


def _both(key: str) -> bool:
    op = OPERATIONS[key]
    return op.file("postgresql") == op.file("mysql") and not any(
        (key, b, "complete") in UNSUPPORTED for b in ("postgresql", "mysql")
    )


@pytest.mark.postgres
@pytest.mark.mysql
@pytest.mark.parametrize("operation", [k for k in OPERATIONS if _both(k)])
def test_same_file_gives_the_same_schema_on_postgresql_and_mariadb(
    tmp_path: Path, operation: str
) -> None:
    """One file, read by both servers, and the desired shapes agree: columns in order
    with their nullability, indexes and constraint names. With the complete cells above
    (each server's catalog after complete equals its desired shape exactly) this makes
    the file give the same schema on PostgreSQL and MariaDB; PostgreSQL's documented
    column move aside."""
    op = OPERATIONS[operation]
    assert op.file("postgresql") == op.file("mysql")
    moved = MOVED_TO_END.get((operation, "postgresql"), ())
    shapes = {}
    for backend in ("postgresql", "mysql"):
        shape = judge.shape(backend, normalised(reference(backend, op, tmp_path / backend)))
        for table in shape.values():
            cols = table["columns"]
            table["columns"] = [c for c in cols if c[0] not in moved] + [
                c for c in cols if c[0] in moved
            ]
        shapes[backend] = shape
    assert shapes["postgresql"] == shapes["mysql"]
