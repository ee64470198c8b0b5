"""Scenarios and the runner that tests/online/test_postgres_integrity.py puts under load
with its own objects around the table. Each operation under load, on every backend, with
the catalog judged after complete and after rollback, is tests/online/harness/."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import psycopg
import pytest

from dbshift.config import Settings
from dbshift.online import service
from tests.conftest import Database
from tests.online.harness import (
    ROWS,
    SETUP,
    TABLE,
    Quiet,
    Scenario,
    Worker,
    conninfo,
    deal,
    expected,
    last,
    last_note,
    op,
    options,
    write_migration,
)

pytestmark = pytest.mark.postgres
NAME = "20261126_change"
VERSION = f"public_{NAME}"


ALTER = Scenario(
    toml=op(
        'type = "alter_column"\ncolumn = "code"\ndata_type = "text"\n'
        'up = "upper(code)"\ndown = "lower(code)"\nnot_null = true\n'
    ),
    old_values=lambda c: {"code": f"w{c}", "qty": c % 50},
    new_values=lambda c: {"code": f"N{c}"},
    old_read=["code", "note", "qty"],
    new_read=["code", "note"],
    completed=lambda i, w: {
        "code": f"C{i}"
        if w is None
        else (w.values or {})["code"]
        if w.version == "new"
        else (w.values or {})["code"].upper()
    },
    rolled_back=lambda i, w: {"code": f"c{i}" if w is None else (w.values or {})["code"].lower()},
)

RENAME = Scenario(
    toml=op('type = "rename_column"\ncolumn = "note"\nnew_name = "remark"\n'),
    old_values=lambda c: {"code": f"w{c}", "note": f"o{c}"},
    new_values=lambda c: {"code": f"N{c}", "remark": f"r{c}"},
    old_read=["code", "note"],
    new_read=["code", "remark"],
    completed=lambda i, w: {
        "remark": f"n{i}" if w is None else last_note(w),
        "code": last(i, w, "code", "c"),
    },
    rolled_back=lambda i, w: {"note": f"n{i}" if w is None else last_note(w)},
)

ADD = Scenario(
    toml=op(
        'type = "add_column"\ncolumn = "tag"\ndata_type = "text"\n'
        "default = \"'none'\"\nnot_null = true\nup = \"'t-' || code\"\n"
    ),
    old_values=lambda c: {"code": f"w{c}"},
    new_values=lambda c: {"code": f"N{c}", "tag": f"T{c}"},
    old_read=["code", "note"],
    new_read=["code", "tag"],
    completed=lambda i, w: {
        "tag": f"t-c{i}"
        if w is None
        else (w.values or {})["tag"]
        if w.version == "new"
        else "t-" + (w.values or {})["code"],
        "code": last(i, w, "code", "c"),
    },
    rolled_back=lambda i, w: {"code": last(i, w, "code", "c")},
)


UNIQUE = Scenario(
    toml=op('type = "add_unique"\nname = "items_code_key"\ncolumns = ["code"]\n'),
    old_values=lambda c: {"code": f"w{c}"},
    new_values=lambda c: {"code": f"N{c}"},
    old_read=["code"],
    new_read=["code"],
    completed=lambda i, w: {"code": last(i, w, "code", "c")},
    rolled_back=lambda i, w: {"code": last(i, w, "code", "c")},
    after_complete=(
        "SELECT contype FROM pg_constraint WHERE conname = 'items_code_key'",
        "u",
    ),
)


def _setup(db: Database, extra: str = "") -> None:
    with psycopg.connect(conninfo(db.url), autocommit=True) as conn:
        conn.execute(SETUP)
        if extra:
            conn.execute(extra)


def _workers(db: Database, scenario: Scenario) -> tuple[list[Worker], list[Worker]]:
    shares = deal(list(range(1, ROWS + 1)), 4)
    info = conninfo(db.url)
    old = [
        Worker(
            f"old{i}",
            "old",
            info,
            "public",
            shares[i],
            scenario.old_values,
            scenario.old_read,
            offset=i * 10_000_000,
        )
        for i in range(2)
    ]
    new = [
        Worker(
            f"new{i}",
            "new",
            info,
            f"{VERSION}, public",
            shares[2 + i],
            scenario.new_values,
            scenario.new_read,
            offset=(2 + i) * 10_000_000,
            table=scenario.new_table,
        )
        for i in range(2)
    ]
    return old, new


def _rows(db: Database, columns: list[str], table: str) -> dict[int, dict[str, Any]]:
    with psycopg.connect(conninfo(db.url), autocommit=True) as conn:
        cur = conn.execute(f"SELECT id, {', '.join(columns)} FROM {table}")
        return {int(r[0]): dict(zip(columns, r[1:], strict=True)) for r in cur.fetchall()}


def _run(db: Database, tmp_path: Path, scenario: Scenario, *, finish: str) -> None:
    _setup(db, scenario.setup)
    settings = Settings(url=db.url, lock_timeout=30)
    path = write_migration(tmp_path, NAME, scenario.toml)
    old, new = _workers(db, scenario)
    for w in old:
        w.start()
    time.sleep(0.3)
    entry = service.start(path, settings, options(), Quiet())
    assert entry.phase == "active"
    for w in new:
        w.start()
    time.sleep(1.0)
    if finish == "complete":
        for w in old:  # old instances are gone before the contract phase
            w.finish()
        service.complete(NAME, settings, options(), Quiet(), schema="public", force=False)
        time.sleep(0.5)
        for w in new:
            w.finish()
        final, shape = scenario.completed, new
    else:
        for w in new:  # the new deployment is withdrawn before its schema goes
            w.finish()
        service.rollback(NAME, settings, options(), Quiet(), schema="public")
        time.sleep(0.5)
        for w in old:
            w.finish()
        final, shape = scenario.rolled_back, old
    errors = {w.name: w.errors for w in old + new if w.errors}
    assert not errors, errors
    assert all(w.operations > 20 for w in old + new), [(w.name, w.operations) for w in old + new]
    wanted = expected(old + new, final)
    columns = list(next(iter(wanted.values())))
    table = scenario.new_table if finish == "complete" else TABLE
    actual = _rows(db, columns, table)
    assert set(actual) == set(wanted), "rows lost or left behind"
    wrong = {i: (actual[i], wanted[i]) for i in wanted if actual[i] != wanted[i]}
    assert not wrong, f"{len(wrong)} rows differ, e.g. {list(wrong.items())[:3]}"
    with psycopg.connect(conninfo(db.url), autocommit=True) as conn:
        hidden = conn.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass "
            "AND attname LIKE '\\_dbshift%%' AND NOT attisdropped",
            [table],
        ).fetchall()
        triggers = conn.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
            [table],
        ).fetchall()
        if finish == "complete" and scenario.after_complete is not None:
            sql, value = scenario.after_complete
            row = conn.execute(sql).fetchone()
            assert row is not None and row[0] == value, (sql, row)
        schemas = conn.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname = %s", [VERSION]
        ).fetchall()
    assert hidden == [] and triggers == []
    assert bool(schemas) == (finish == "complete")  # the new version stays addressable
    assert shape  # the surviving version's workers ran to the end
