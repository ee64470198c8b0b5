"""Each online operation on PostgreSQL, under concurrent writers and readers through both
versions: zero application errors, no lost or mismatched rows, the expected final shape
after complete and the original one after rollback."""

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
    Write,
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

DROP = Scenario(
    toml=op('type = "drop_column"\ncolumn = "qty"\ndown = "-1"\n'),
    old_values=lambda c: {"code": f"w{c}", "qty": c % 50},
    new_values=lambda c: {"code": f"N{c}"},
    old_read=["code", "qty"],
    new_read=["code", "note"],
    completed=lambda i, w: {"code": last(i, w, "code", "c")},
    rolled_back=lambda i, w: {
        "code": last(i, w, "code", "c"),
        "qty": i % 100 if w is None else (w.values or {}).get("qty", -1),
    },
)

INDEX = Scenario(
    toml=op('type = "create_index"\nname = "items_code_idx"\ncolumns = ["code"]\n'),
    old_values=lambda c: {"code": f"w{c}"},
    new_values=lambda c: {"code": f"N{c}"},
    old_read=["code"],
    new_read=["code"],
    completed=lambda i, w: {"code": last(i, w, "code", "c")},
    rolled_back=lambda i, w: {"code": last(i, w, "code", "c")},
)


# Merge two columns into one: an add_column computing the new one from the old pair, and
# a drop_column for each old one computing it back from the new (for rows the new
# version writes), composed in one migration.
MERGE = Scenario(
    toml=op(
        'type = "add_column"\ncolumn = "label"\ndata_type = "text"\nup = "code || \':\' || note"\n'
    )
    + f'\n[[operations]]\ntable = "{TABLE}"\ntype = "drop_column"\ncolumn = "code"\n'
    "down = \"split_part(label, ':', 1)\"\n"
    + f'\n[[operations]]\ntable = "{TABLE}"\ntype = "drop_column"\ncolumn = "note"\n'
    "down = \"split_part(label, ':', 2)\"\n",
    old_values=lambda c: {"code": f"w{c}", "note": f"o{c}"},
    new_values=lambda c: {"label": f"N{c}:x{c}"},
    old_read=["code", "note"],
    new_read=["label", "qty"],
    completed=lambda i, w: {
        "label": f"c{i}:n{i}" if w is None else _label(w),
    },
    rolled_back=lambda i, w: dict(
        zip(
            ("code", "note"),
            (f"c{i}", f"n{i}") if w is None else _label(w).split(":"),
            strict=True,
        )
    ),
)

# Split one column into two: the mirror image.
SPLIT = Scenario(
    toml=op(
        'type = "add_column"\ncolumn = "note_a"\ndata_type = "text"\n'
        "up = \"split_part(note, '-', 1)\"\n"
    )
    + f'\n[[operations]]\ntable = "{TABLE}"\ntype = "add_column"\ncolumn = "note_b"\n'
    'data_type = "text"\nup = "split_part(note, \'-\', 2)"\n'
    + f'\n[[operations]]\ntable = "{TABLE}"\ntype = "drop_column"\ncolumn = "note"\n'
    "down = \"note_a || '-' || note_b\"\n",
    old_values=lambda c: {"code": f"w{c}", "note": f"o{c}-p{c}"},
    new_values=lambda c: {"code": f"N{c}", "note_a": f"A{c}", "note_b": f"B{c}"},
    old_read=["code", "note"],
    new_read=["note_a", "note_b"],
    completed=lambda i, w: dict(zip(("note_a", "note_b"), _parts(i, w), strict=True)),
    rolled_back=lambda i, w: {"note": "-".join(_parts(i, w)) if w else f"n{i}"},
)


def _label(w: Write) -> str:
    v = w.values or {}
    return v["label"] if w.version == "new" else f"{v['code']}:{v['note']}"


def _parts(i: int, w: Write | None) -> tuple[str, str]:
    if w is None:
        return (f"n{i}", "")
    v = w.values or {}
    if w.version == "new":
        return (v["note_a"], v["note_b"])
    a, _, b = v["note"].partition("-")
    return (a, b)


def _qty(i: int, w: Write | None, *, clamp: bool) -> int:
    if w is None:
        return i % 100
    value = int((w.values or {})["qty"])
    return max(value, 0) if clamp and w.version == "old" else value


CHECK = Scenario(
    toml=op(
        'type = "add_check"\nname = "items_qty_positive"\ncolumn = "qty"\n'
        'check = "qty >= 0"\nup = "greatest(qty, 0)"\n'
    ),
    old_values=lambda c: {"code": f"w{c}", "qty": (c % 50) - 10},
    new_values=lambda c: {"code": f"N{c}", "qty": c % 50},
    old_read=["code", "qty"],
    new_read=["code", "qty"],
    completed=lambda i, w: {"qty": _qty(i, w, clamp=True)},
    rolled_back=lambda i, w: {"qty": _qty(i, w, clamp=False)},
    after_complete=(
        "SELECT convalidated FROM pg_constraint WHERE conname = 'items_qty_positive'",
        True,
    ),
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

FOREIGN_KEY = Scenario(
    toml=op(
        'type = "add_foreign_key"\nname = "items_qty_owner"\ncolumns = ["qty"]\n'
        'references = "owners"\nreferenced_columns = ["id"]\n'
    ),
    setup="CREATE TABLE owners (id int PRIMARY KEY); "
    "INSERT INTO owners SELECT generate_series(0, 99);",
    old_values=lambda c: {"code": f"w{c}", "qty": c % 50},
    new_values=lambda c: {"code": f"N{c}", "qty": c % 99},
    old_read=["code", "qty"],
    new_read=["code", "qty"],
    completed=lambda i, w: {"qty": _qty(i, w, clamp=False)},
    rolled_back=lambda i, w: {"qty": _qty(i, w, clamp=False)},
    after_complete=(
        "SELECT convalidated FROM pg_constraint WHERE conname = 'items_qty_owner'",
        True,
    ),
)

RENAME_TABLE = Scenario(
    toml=op('type = "rename_table"\nnew_name = "things"\n'),
    old_values=lambda c: {"code": f"w{c}"},
    new_values=lambda c: {"code": f"N{c}"},
    old_read=["code", "note"],
    new_read=["code", "note"],
    completed=lambda i, w: {"code": last(i, w, "code", "c")},
    rolled_back=lambda i, w: {"code": last(i, w, "code", "c")},
    new_table="things",
    after_complete=("SELECT to_regclass('public.things') IS NOT NULL", True),
)

DROP_INDEX = Scenario(
    toml=op('type = "drop_index"\nname = "items_note_idx"\n'),
    setup="CREATE INDEX items_note_idx ON items (note);",
    old_values=lambda c: {"code": f"w{c}", "note": f"o{c}"},
    new_values=lambda c: {"code": f"N{c}", "note": f"r{c}"},
    old_read=["code", "note"],
    new_read=["code", "note"],
    completed=lambda i, w: {"note": f"n{i}" if w is None else (w.values or {})["note"]},
    rolled_back=lambda i, w: {"note": f"n{i}" if w is None else (w.values or {})["note"]},
    after_complete=("SELECT to_regclass('public.items_note_idx') IS NULL", True),
)

SET_NOT_NULL = Scenario(
    toml=op(
        'type = "alter_column"\ncolumn = "note"\nnot_null = true\nup = "coalesce(note, \'-\')"\n'
    ),
    old_values=lambda c: {"code": f"w{c}", "note": None if c % 3 == 0 else f"o{c}"},
    new_values=lambda c: {"code": f"N{c}", "note": f"r{c}"},
    old_read=["code", "note"],
    new_read=["code", "note"],
    completed=lambda i, w: {
        "note": f"n{i}" if w is None else (w.values or {})["note"] or "-",
    },
    rolled_back=lambda i, w: {"note": f"n{i}" if w is None else (w.values or {})["note"]},
    after_complete=(
        "SELECT attnotnull FROM pg_attribute WHERE attrelid = 'items'::regclass "
        "AND attname = 'note'",
        True,
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


@pytest.mark.parametrize(
    ("scenario", "finish"),
    [
        (ALTER, "complete"),
        (ALTER, "rollback"),
        (RENAME, "complete"),
        (ADD, "complete"),
        (ADD, "rollback"),
        (DROP, "complete"),
        (DROP, "rollback"),
        (INDEX, "complete"),
        (MERGE, "complete"),
        (MERGE, "rollback"),
        (SPLIT, "complete"),
        (SPLIT, "rollback"),
        (CHECK, "complete"),
        (CHECK, "rollback"),
        (UNIQUE, "complete"),
        (FOREIGN_KEY, "complete"),
        (RENAME_TABLE, "complete"),
        (RENAME_TABLE, "rollback"),
        (DROP_INDEX, "complete"),
        (SET_NOT_NULL, "complete"),
        (SET_NOT_NULL, "rollback"),
    ],
    ids=[
        "alter-complete",
        "alter-rollback",
        "rename-complete",
        "add-complete",
        "add-rollback",
        "drop-complete",
        "drop-rollback",
        "index-complete",
        "merge-columns-complete",
        "merge-columns-rollback",
        "split-column-complete",
        "split-column-rollback",
        "add-check-complete",
        "add-check-rollback",
        "add-unique-complete",
        "add-foreign-key-complete",
        "rename-table-complete",
        "rename-table-rollback",
        "drop-index-complete",
        "set-not-null-complete",
        "set-not-null-rollback",
    ],
)
def test_operation_under_load(
    pg_db: Database, tmp_path: Path, scenario: Scenario, finish: str
) -> None:
    _run(pg_db, tmp_path, scenario, finish=finish)
