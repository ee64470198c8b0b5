"""From two schema sources on the command line to a plan: shared by diff and generate."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from dbshift.errors import UsageError
from dbshift.frozen import frozen

if TYPE_CHECKING:
    from dbshift.config import Settings
    from dbshift.dialects import Dialect
    from dbshift.diff import Renames
    from dbshift.model import Schema
    from dbshift.ops import Operation
    from dbshift.runner.sources import Source


@frozen
class Plan:
    current: Schema
    desired: Schema
    ops: list[Operation]
    dialect: Dialect


def plan(args: argparse.Namespace, settings: Settings, source: str, target: str) -> Plan:
    with _collector_paused():
        return _plan(args, settings, source, target)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while the schemas are read and compared.

    Inspecting creates hundreds of thousands of small objects (rows, columns, indexes) and
    no reference cycles, yet each allocation burst sets off collector passes over all of
    them: 0.3-0.45 s of the 0.8-1.0 s each side of a 10,000-table diff took (CPython 3.11).
    """
    import gc

    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # What was read lives until the command ends: frozen, it is not scanned again by
        # the collections rendering sets off (re-enabled as it was, the first one went
        # over all of it: 0.1 s, 10,000 tables).
        gc.freeze()
        if enabled:
            gc.enable()


def _plan(args: argparse.Namespace, settings: Settings, source: str, target: str) -> Plan:
    import threading

    import dbshift.model  # before the threads: both sides of them use it
    from dbshift.runner.sources import Source, for_comparison, load

    src, dst = Source.parse(source), Source.parse(target)
    settings = for_comparison(settings, src, dst)
    dialect = _dialect(args, settings, src, dst)
    from dbshift import direct

    if any(side.kind != "url" or direct.parse(side.value) is None for side in (src, dst)):
        # A side that goes through SQLAlchemy (a scratch database, or a URL the bare
        # drivers do not take): import it here, once. Two threads importing
        # sqlalchemy.engine at the same time can see it partially initialised
        # ("cannot import name 'AdaptedConnection'").
        import sqlalchemy.engine  # noqa: F401
    # Both sides at once: each inspection waits on its server for about half its time,
    # and the drivers release the GIL while they wait. Two plain threads, not a
    # ThreadPoolExecutor: concurrent.futures brings logging with it (5 ms of a SQLite diff).
    ready = threading.Semaphore(0)
    # A side built on a scratch database is compared with the live side, if there is one:
    # its tables that name no collation take the live database's default, as they would
    # there (MySQL/MariaDB), not the dev server's.
    live = next((side.value for side in (src, dst) if side.kind == "url"), None)

    def read(source: Source) -> Schema:
        try:
            return load(
                source, settings, dialect=dialect, connected=ready.release, compared_with=live
            )
        finally:
            ready.release()  # also when it failed before connecting

    current_side, desired_side = _Side(read, src), _Side(read, dst)
    try:
        # Once both are connected, this thread imports what comes next, the differ, the
        # operations and the renderer (50 ms, a tenth of diffing 1,000 tables), while the
        # inspecting threads wait on their servers. Sooner, it only held up the drivers'
        # import and the connections. The modules are disjoint from the inspectors'.
        ready.acquire()
        ready.acquire()
        import dbshift.cli.plan_output  # noqa: F401
        from dbshift.diff import DiffOptions, diff, suggest_renames

        dialect.renderer()
    finally:
        current_side.join()
        desired_side.join()
    current, desired = current_side.result(), desired_side.result()
    from dbshift.diff.generated_names import adopt_generated_names

    desired = adopt_generated_names(current, desired, dialect)
    renames = parse_renames(args.rename)
    if args.interactive:
        renames = _ask(suggest_renames(current, desired), renames)
    options = DiffOptions(
        inline_foreign_keys=dialect.foreign_keys_only_in_create_table, renames=renames
    )
    ops = diff(current, desired, options)  # a rename hint naming nothing: UsageError
    return Plan(current=current, desired=desired, ops=ops, dialect=dialect)


class _Side:
    """One side's schema, read in a thread of its own; :meth:`result` gives it, or raises
    what reading it raised (as ``Future.result`` does)."""

    def __init__(self, read: Callable[[Source], Schema], source: Source) -> None:
        import threading

        self._read, self._source = read, source
        self._schema: Schema | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="dbshift-read")
        self._thread.start()

    def _run(self) -> None:
        try:
            self._schema = self._read(self._source)
        except BaseException as exc:  # handed to the caller, as a Future would
            self._error = exc

    def join(self) -> None:
        self._thread.join()

    def result(self) -> Schema:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._schema is not None
        return self._schema


def _dialect(args: argparse.Namespace, settings: Settings, *sides: Source) -> Dialect:
    from dbshift.connection import parse_url
    from dbshift.dialects import dialect_for, named

    found = {type(d): d for side in sides if (d := side.dialect) is not None}
    if len(found) > 1:
        names = ", ".join(sorted(d.name for d in found.values()))
        raise UsageError(f"cannot compare schemas of different servers: {names}")
    asked = named(args.dialect) if args.dialect else None
    if found:
        (dialect,) = found.values()
        if asked is not None and type(asked) is not type(dialect):
            raise UsageError(f"--dialect {args.dialect} contradicts the {dialect.name} URL")
        return dialect
    if asked is not None:
        return asked
    if settings.url:
        return dialect_for(parse_url(settings.url))
    raise UsageError("cannot tell the dialect: give --dialect or a database URL")


def parse_renames(hints: list[str]) -> Renames:
    """``old:new`` renames a table; ``table.old:new`` renames a column of ``table``."""
    from dbshift.diff import Renames

    tables: dict[str, str] = {}
    columns: dict[tuple[str, str], str] = {}
    for hint in hints:
        old, sep, new = hint.rpartition(":")
        if not sep or not old or not new:
            raise UsageError(f"--rename {hint!r}: expected OLD:NEW or TABLE.OLD:NEW")
        table, dot, column = old.rpartition(".")
        if dot:
            columns[(table, column)] = new
        else:
            tables[old] = new
    return Renames(tables=tables, columns=columns)


def _ask(suggestions: list[tuple[str, str, str]], renames: Renames) -> Renames:
    from dbshift.diff import Renames

    columns = dict(renames.columns)
    for table, old, new in suggestions:
        if (table, old) in columns:
            continue
        print(
            f"{table}: was column {old!r} renamed to {new!r}? [y/N] ",
            end="",
            file=sys.stderr,
            flush=True,
        )
        answer = sys.stdin.readline().strip().lower()
        if answer in ("y", "yes"):
            columns[(table, old)] = new
    return Renames(tables=renames.tables, columns=columns)
