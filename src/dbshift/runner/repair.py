"""``repair`` of a migration that stopped midway: what it marks, and what it says.

A partly applied migration is never marked applied (or forgotten) in silence: the message
names the statements that were never recorded as run, so the operator knows what the
database lacks. ``--statement-done`` / ``--statement-retry`` settle the one statement an
interruption left in doubt, and the next ``migrate`` continues from there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dbshift.errors import UsageError
from dbshift.migrations import loader
from dbshift.migrations.checksum import statements_checksum
from dbshift.migrations.model import Kind
from dbshift.runner.executor import display_path
from dbshift.runner.history import State
from dbshift.runner.indoubt import DONE_NOTE, RETRY_NOTE

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from dbshift.migrations.model import Migration
    from dbshift.runner.history import HistoryRow, HistoryTable


def step_texts(migration: Migration, *, down: bool) -> list[tuple[str, str]]:
    """``(journaled text, file:line)`` of each step, as the executor journals them."""
    path = display_path(migration.path)
    if migration.kind is Kind.PYTHON:
        name = "down" if down else "up"
        return [(f"{migration.filename}:{name}()", f"{path} ({name}())")]
    return [(s.sql, f"{path}:{s.line}") for s in migration.section(down=down).statements]


def settle_statement(
    conn: Connection,
    history: HistoryTable,
    row: HistoryRow,
    migration: Migration | None,
    *,
    took_effect: bool,
) -> str:
    """Record the in-doubt statement of an interrupted row as done, or to be run again."""
    flag = "--statement-done" if took_effect else "--statement-retry"
    label = f"{row.version} ({row.description})"
    if row.state not in (State.RUNNING, State.REVERTING):
        raise UsageError(
            f"repair {flag}: {label} was not interrupted but stopped at a failing statement "
            "(nothing is in doubt); fix it and run migrate, or use plain 'dbshift repair'"
        )
    if migration is None:
        raise UsageError(f"repair {flag}: the file of {label} is gone")
    down = row.state is State.REVERTING
    steps = step_texts(loader.resolve(migration), down=down)
    index = row.statements_done
    if index >= len(steps):
        raise UsageError(f"repair {flag}: {label} has no statement left in doubt")
    where = steps[index][1]
    done = index + 1 if took_effect else index
    note = (DONE_NOTE if took_effect else RETRY_NOTE).format(where=where)
    history.update(
        conn,
        row.version,
        state=State.REVERT_FAILED if down else State.FAILED,
        statements_done=done,
        done_checksum=statements_checksum([text for text, _ in steps[:done]]),
        error=note,
    )
    verb = "recorded as done" if took_effect else "will run again"
    return f"{label}: the statement at {where} {verb}; '{'dbshift rollback' if down else 'dbshift migrate'}' continues from there"


def never_ran(row: HistoryRow, migration: Migration | None) -> str:
    """``; statements at f:3, f:4 were never recorded as run`` (empty when none)."""
    if row.statements_done >= row.statements_total:
        return ""
    if migration is None:
        missing = row.statements_total - row.statements_done
        return f"; {missing} of its {row.statements_total} statement(s) were never recorded as run"
    down = row.state in (State.REVERTING, State.REVERT_FAILED)
    steps = step_texts(loader.resolve(migration), down=down)
    lines = [where for _, where in steps[row.statements_done :]]
    shown = ", ".join(lines[:5]) + (f" and {len(lines) - 5} more" if len(lines) > 5 else "")
    return (
        f"; {len(lines)} of its {len(steps)} statement(s) were never recorded as run "
        f"({shown}): run them by hand if the database needs them"
    )
