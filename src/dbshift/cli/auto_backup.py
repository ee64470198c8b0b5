"""The backup ``migrate`` and ``rollback`` take before statements that can lose data.

Called under the migration lock, after the destructive-statement confirmation and before
the first statement runs, so a failed backup (tool missing, directory not writable)
stops the run with nothing applied. See ``dbshift.backup.targets`` for what counts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dbshift.backup.manifest import TableEntry
    from dbshift.migrations.model import Migration
    from dbshift.runner.session import Session


def before_run(session: Session, todo: list[Migration], *, down: bool, disabled: bool) -> None:
    mode = "never" if disabled else session.settings.backup
    if mode == "never" or not todo:
        return
    from dbshift.backup import service, targets

    risk = targets.at_risk(todo, session.dialect, down=down)
    if mode == "destructive" and not risk:
        return
    verb = "rollback" if down else "migrate"
    first, last = todo[0].version, todo[-1].version
    span = first if first == last else f"{first}..{last}"
    reason = f"before {verb} {span}" + (f": {'; '.join(risk.reasons[:5])}" if risk.reasons else "")
    # Only rows at risk: a targeted backup of no whole table, the history and those rows.
    tables = None if risk.full or not (risk.tables or risk.rows) else risk.tables

    # Through the session's reporter: on stderr as a notice, or in the JSON document's
    # "notices" with --format json (stdout holds that one document only).
    notice = session.reporter.notice
    for note in risk.notes:
        notice(note)
    taken = service.take(
        session.settings,
        tables=tables,
        reason=reason,
        notice=notice,
        strict=False,
        rows=None if tables is None else risk.rows,
    )
    if taken is None:
        return  # every table at risk is created by this run: nothing to lose yet
    m = taken.manifest
    what = "whole database" if m.scope == "full" else ", ".join(_named(t) for t in m.tables)
    line = (
        f"backup {m.id} ({what}; {m.rows} rows, {_size(m.size)}) in {taken.seconds:.1f}s; "
        f"restore with 'dbshift restore {m.id}'"
    )
    from dbshift.cli.context import JsonReporter

    if isinstance(session.reporter, JsonReporter):
        session.reporter.notice(line)  # stdout is one JSON document: its "notices"
    else:
        print(line, flush=True)


def _named(table: TableEntry) -> str:
    if table.whole or table.prior is None:
        return table.name
    return f"{table.name} ({table.prior.rows} rows about to change)"


def _size(n: int) -> str:
    size = float(n)
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{n} B"


def size(n: int) -> str:
    return _size(n)
