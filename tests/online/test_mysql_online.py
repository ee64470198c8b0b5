"""Each online operation on MySQL/MariaDB, under concurrent writers and readers through both
versions (the old one in the base database, the new one in the version database): zero
application errors, no lost or mismatched rows, the expected final shape after complete
and the original one after rollback. The new version's writers keep running through
complete, across the RENAME cut-over."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pymysql
import pytest

from dbshift.config import Settings
from dbshift.online import service
from tests.conftest import Database
from tests.online.harness import (
    ROWS,
    TABLE,
    Quiet,
    Scenario,
    Worker,
    Write,
    deal,
    expected,
    last,
    last_note,
    op,
    options,
    write_migration,
)

pytestmark = pytest.mark.mysql
NAME = "20261126_change"

SETUP = [
    f"CREATE TABLE {TABLE} (id bigint AUTO_INCREMENT PRIMARY KEY, code varchar(64) NOT NULL, "
    "note varchar(200), qty int NOT NULL DEFAULT 0)",
    f"INSERT INTO {TABLE} (code, note, qty) SELECT concat('c', seq), concat('n', seq), "
    f"seq % 100 FROM seq_1_to_{ROWS}",
]


def connector(url: str, database: str | None = None) -> Callable[[], Any]:
    from sqlalchemy.engine import make_url

    u = make_url(url)

    def connect() -> Any:
        return pymysql.connect(
            host=u.host or "127.0.0.1",
            port=u.port or 3306,
            user=u.username or "root",
            password=u.password or "",
            database=database or u.database,
            autocommit=True,
        )

    return connect


def version(db: Database) -> str:
    from sqlalchemy.engine import make_url

    return f"{make_url(db.url).database}_{NAME}"


@pytest.fixture
def my_db(mysql_db: Database) -> Iterator[Database]:
    """The scratch database, and the version database dropped with it."""
    yield mysql_db
    with connector(mysql_db.url)() as conn:
        conn.cursor().execute(f"DROP DATABASE IF EXISTS `{version(mysql_db)}`")


def query(db: Database, sql: str) -> list[tuple[Any, ...]]:
    with connector(db.url)() as conn:
        cur = conn.cursor()
        cur.execute(sql)
        return list(cur.fetchall())


def _parts(i: int, w: Write | None) -> tuple[str, str]:
    if w is None:
        return (f"n{i}", "")
    v = w.values or {}
    if w.version == "new":
        return (v["note_a"], v["note_b"])
    a, _, b = v["note"].partition("-")
    return (a, b)


def _label(w: Write) -> str:
    v = w.values or {}
    return v["label"] if w.version == "new" else f"{v['code']}:{v['note']}"


def _qty(i: int, w: Write | None, *, clamp: bool) -> int:
    if w is None:
        return i % 100
    value = int((w.values or {})["qty"])
    return max(value, 0) if clamp and w.version == "old" else value


ALTER = Scenario(
    toml=op(
        'type = "alter_column"\ncolumn = "code"\ndata_type = "varchar(100)"\n'
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
    after_complete=(
        "SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
        f"AND TABLE_NAME = '{TABLE}' AND COLUMN_NAME = 'code'",
        "varchar(100)",
    ),
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
        'type = "add_column"\ncolumn = "tag"\ndata_type = "varchar(80)"\n'
        "default = \"'none'\"\nnot_null = true\nup = \"concat('t-', code)\"\n"
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

# No up expression: the server adds the column in place (INSTANT), no copy.
ADD_INSTANT = Scenario(
    toml=op('type = "add_column"\ncolumn = "tag"\ndata_type = "varchar(80)"\n'),
    old_values=lambda c: {"code": f"w{c}"},
    new_values=lambda c: {"code": f"N{c}", "tag": f"T{c}"},
    old_read=["code", "note"],
    new_read=["code", "tag"],
    completed=lambda i, w: {
        "tag": (w.values or {})["tag"] if w is not None and w.version == "new" else None,
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
    after_complete=(
        "SELECT count(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() "
        "AND INDEX_NAME = 'items_code_idx'",
        1,
    ),
)

MERGE = Scenario(
    toml=op(
        'type = "add_column"\ncolumn = "label"\ndata_type = "varchar(300)"\n'
        "up = \"concat(code, ':', note)\"\n"
    )
    + f'\n[[operations]]\ntable = "{TABLE}"\ntype = "drop_column"\ncolumn = "code"\n'
    "down = \"substring_index(label, ':', 1)\"\n"
    + f'\n[[operations]]\ntable = "{TABLE}"\ntype = "drop_column"\ncolumn = "note"\n'
    "down = \"substring_index(label, ':', -1)\"\n",
    old_values=lambda c: {"code": f"w{c}", "note": f"o{c}"},
    new_values=lambda c: {"label": f"N{c}:x{c}"},
    old_read=["code", "note"],
    new_read=["label", "qty"],
    completed=lambda i, w: {"label": f"c{i}:n{i}" if w is None else _label(w)},
    rolled_back=lambda i, w: dict(
        zip(
            ("code", "note"),
            (f"c{i}", f"n{i}") if w is None else _label(w).split(":"),
            strict=True,
        )
    ),
)

SPLIT = Scenario(
    toml=op(
        'type = "add_column"\ncolumn = "note_a"\ndata_type = "varchar(200)"\n'
        "up = \"substring_index(note, '-', 1)\"\n"
    )
    + f'\n[[operations]]\ntable = "{TABLE}"\ntype = "add_column"\ncolumn = "note_b"\n'
    'data_type = "varchar(200)"\n'
    "up = \"if(locate('-', note) > 0, substring_index(note, '-', -1), '')\"\n"
    + f'\n[[operations]]\ntable = "{TABLE}"\ntype = "drop_column"\ncolumn = "note"\n'
    "down = \"concat(note_a, '-', note_b)\"\n",
    old_values=lambda c: {"code": f"w{c}", "note": f"o{c}-p{c}"},
    new_values=lambda c: {"code": f"N{c}", "note_a": f"A{c}", "note_b": f"B{c}"},
    old_read=["code", "note"],
    new_read=["note_a", "note_b"],
    completed=lambda i, w: dict(zip(("note_a", "note_b"), _parts(i, w), strict=True)),
    rolled_back=lambda i, w: {"note": "-".join(_parts(i, w)) if w else f"n{i}"},
)

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
        "SELECT count(*) FROM information_schema.CHECK_CONSTRAINTS WHERE "
        "CONSTRAINT_SCHEMA = DATABASE() AND CONSTRAINT_NAME = 'items_qty_positive'",
        1,
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
        "SELECT NON_UNIQUE FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() "
        "AND INDEX_NAME = 'items_code_key'",
        0,
    ),
)

FOREIGN_KEY = Scenario(
    toml=op(
        'type = "add_foreign_key"\nname = "items_qty_owner"\ncolumns = ["qty"]\n'
        'references = "owners"\nreferenced_columns = ["id"]\n'
    ),
    setup="CREATE TABLE owners (id int PRIMARY KEY); INSERT INTO owners SELECT seq FROM seq_0_to_99",
    old_values=lambda c: {"code": f"w{c}", "qty": c % 50},
    new_values=lambda c: {"code": f"N{c}", "qty": c % 99},
    old_read=["code", "qty"],
    new_read=["code", "qty"],
    completed=lambda i, w: {"qty": _qty(i, w, clamp=False)},
    rolled_back=lambda i, w: {"qty": _qty(i, w, clamp=False)},
    after_complete=(
        "SELECT count(*) FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE "
        "CONSTRAINT_SCHEMA = DATABASE() AND CONSTRAINT_NAME = 'items_qty_owner'",
        1,
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
    after_complete=(
        "SELECT TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() "
        "AND TABLE_NAME = 'things'",
        "BASE TABLE",
    ),
)

DROP_INDEX = Scenario(
    toml=op('type = "drop_index"\nname = "items_note_idx"\n'),
    setup="CREATE INDEX items_note_idx ON items (note)",
    old_values=lambda c: {"code": f"w{c}", "note": f"o{c}"},
    new_values=lambda c: {"code": f"N{c}", "note": f"r{c}"},
    old_read=["code", "note"],
    new_read=["code", "note"],
    completed=lambda i, w: {"note": f"n{i}" if w is None else (w.values or {})["note"]},
    rolled_back=lambda i, w: {"note": f"n{i}" if w is None else (w.values or {})["note"]},
    after_complete=(
        "SELECT count(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() "
        "AND INDEX_NAME = 'items_note_idx'",
        0,
    ),
)

SET_NOT_NULL = Scenario(
    toml=op(
        'type = "alter_column"\ncolumn = "note"\nnot_null = true\nup = "coalesce(note, \'-\')"\n'
    ),
    old_values=lambda c: {"code": f"w{c}", "note": None if c % 3 == 0 else f"o{c}"},
    new_values=lambda c: {"code": f"N{c}", "note": f"r{c}"},
    old_read=["code", "note"],
    new_read=["code", "note"],
    completed=lambda i, w: {"note": f"n{i}" if w is None else (w.values or {})["note"] or "-"},
    rolled_back=lambda i, w: {"note": f"n{i}" if w is None else (w.values or {})["note"]},
    after_complete=(
        "SELECT IS_NULLABLE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
        f"AND TABLE_NAME = '{TABLE}' AND COLUMN_NAME = 'note'",
        "NO",
    ),
)


def setup(db: Database, extra: str = "") -> None:
    with connector(db.url)() as conn:
        cur = conn.cursor()
        for sql in [*SETUP, *[s for s in extra.split(";") if s.strip()]]:
            cur.execute(sql)


def _workers(db: Database, scenario: Scenario) -> tuple[list[Worker], list[Worker]]:
    shares = deal(list(range(1, ROWS + 1)), 4)

    def worker(i: int, which: str, values: Any, read: list[str], table: str) -> Worker:
        database = version(db) if which == "new" else None
        return Worker(
            f"{which}{i}",
            which,
            "",
            "",
            shares[i],
            values,
            read,
            offset=i * 10_000_000,
            table=table,
            connect=connector(db.url, database),
        )

    old = [worker(i, "old", scenario.old_values, scenario.old_read, TABLE) for i in range(2)]
    new = [
        worker(i, "new", scenario.new_values, scenario.new_read, scenario.new_table)
        for i in range(2, 4)
    ]
    return old, new


def _rows(db: Database, columns: list[str], table: str) -> dict[int, dict[str, Any]]:
    rows = query(db, f"SELECT id, {', '.join(columns)} FROM {table}")
    return {int(r[0]): dict(zip(columns, r[1:], strict=True)) for r in rows}


def _run(db: Database, tmp_path: Path, scenario: Scenario, *, finish: str) -> None:
    setup(db, scenario.setup)
    settings = Settings(url=db.url, lock_timeout=30)
    path = write_migration(tmp_path, NAME, scenario.toml)
    old, new = _workers(db, scenario)
    for w in old:
        w.start()
    time.sleep(0.3)
    entry = service.start(path, settings, options(), Quiet())
    assert entry.phase == "active"
    assert entry.version_schema == version(db)
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
        final = scenario.completed
    else:
        for w in new:  # the new deployment is withdrawn before its database goes
            w.finish()
        service.rollback(NAME, settings, options(), Quiet(), schema="public")
        time.sleep(0.5)
        for w in old:
            w.finish()
        final = scenario.rolled_back
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
    leftovers = query(
        db,
        "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() "
        "AND TABLE_NAME LIKE '\\_dbshift\\_%' UNION ALL SELECT TRIGGER_NAME FROM "
        "information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()",
    )
    assert leftovers == []
    if finish == "complete" and scenario.after_complete is not None:
        sql, value = scenario.after_complete
        assert query(db, sql) == [(value,)], sql
    databases = query(
        db,
        f"SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '{version(db)}'",
    )
    assert bool(databases) == (finish == "complete")  # the new version stays addressable


@pytest.mark.parametrize(
    ("scenario", "finish"),
    [
        (ALTER, "complete"),
        (ALTER, "rollback"),
        (RENAME, "complete"),
        (RENAME, "rollback"),
        (ADD, "complete"),
        (ADD, "rollback"),
        (ADD_INSTANT, "complete"),
        (ADD_INSTANT, "rollback"),
        (DROP, "complete"),
        (DROP, "rollback"),
        (INDEX, "complete"),
        (INDEX, "rollback"),
        (MERGE, "complete"),
        (MERGE, "rollback"),
        (SPLIT, "complete"),
        (SPLIT, "rollback"),
        (CHECK, "complete"),
        (CHECK, "rollback"),
        (UNIQUE, "complete"),
        (FOREIGN_KEY, "complete"),
        (FOREIGN_KEY, "rollback"),
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
        "rename-rollback",
        "add-complete",
        "add-rollback",
        "add-instant-complete",
        "add-instant-rollback",
        "drop-complete",
        "drop-rollback",
        "index-complete",
        "index-rollback",
        "merge-columns-complete",
        "merge-columns-rollback",
        "split-column-complete",
        "split-column-rollback",
        "add-check-complete",
        "add-check-rollback",
        "add-unique-complete",
        "add-foreign-key-complete",
        "add-foreign-key-rollback",
        "rename-table-complete",
        "rename-table-rollback",
        "drop-index-complete",
        "set-not-null-complete",
        "set-not-null-rollback",
    ],
)
def test_operation_under_load(
    my_db: Database, tmp_path: Path, scenario: Scenario, finish: str
) -> None:
    _run(my_db, tmp_path, scenario, finish=finish)
