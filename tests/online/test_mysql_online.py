"""Each online operation on MySQL/MariaDB, under concurrent writers and readers through both
versions (the old one in the base database, the new one in the version database): zero
application errors, no lost or mismatched rows, the expected final shape after complete
and the original one after rollback. The new version's writers keep running through
complete, across the RENAME cut-over."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pymysql
import pytest

from dbshift.config import Settings
from dbshift.online import service
from tests.conftest import Database
from tests.online import test_postgres_online as pg
from tests.online.harness import (
    ROWS,
    TABLE,
    Quiet,
    Scenario,
    Worker,
    deal,
    expected,
    last,
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


def _info(sql: str, value: object) -> tuple[str, object]:
    """An after-complete check over information_schema, in the scratch database."""
    return (sql.replace("{db}", "TABLE_SCHEMA = DATABASE()"), value)


# The scenarios of the PostgreSQL tests, with MySQL's SQL where it differs (its types, its
# string functions, its catalog); what each version writes and what must come out of it
# are the same.
ALTER = replace(
    pg.ALTER,
    toml=pg.ALTER.toml.replace('data_type = "text"', 'data_type = "varchar(100)"'),
    after_complete=_info(
        "SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE {db} "
        f"AND TABLE_NAME = '{TABLE}' AND COLUMN_NAME = 'code'",
        "varchar(100)",
    ),
)
RENAME = pg.RENAME
ADD = replace(
    pg.ADD,
    toml=pg.ADD.toml.replace('data_type = "text"', 'data_type = "varchar(80)"').replace(
        "up = \"'t-' || code\"", "up = \"concat('t-', code)\""
    ),
)
# No up expression: the server adds the column in place (INSTANT), no copy.
ADD_INSTANT = replace(
    pg.ADD,
    toml=op('type = "add_column"\ncolumn = "tag"\ndata_type = "varchar(80)"\n'),
    completed=lambda i, w: {
        "tag": (w.values or {})["tag"] if w is not None and w.version == "new" else None,
        "code": last(i, w, "code", "c"),
    },
)
DROP = pg.DROP
INDEX = replace(
    pg.INDEX,
    after_complete=_info(
        "SELECT count(*) FROM information_schema.STATISTICS WHERE {db} "
        "AND INDEX_NAME = 'items_code_idx'",
        1,
    ),
)
MERGE = replace(
    pg.MERGE,
    toml=op(
        'type = "add_column"\ncolumn = "label"\ndata_type = "varchar(300)"\n'
        "up = \"concat(code, ':', note)\"\n"
    )
    + f'\n[[operations]]\ntable = "{TABLE}"\ntype = "drop_column"\ncolumn = "code"\n'
    "down = \"substring_index(label, ':', 1)\"\n"
    + f'\n[[operations]]\ntable = "{TABLE}"\ntype = "drop_column"\ncolumn = "note"\n'
    "down = \"substring_index(label, ':', -1)\"\n",
)
SPLIT = replace(
    pg.SPLIT,
    toml=op(
        'type = "add_column"\ncolumn = "note_a"\ndata_type = "varchar(200)"\n'
        "up = \"substring_index(note, '-', 1)\"\n"
    )
    + f'\n[[operations]]\ntable = "{TABLE}"\ntype = "add_column"\ncolumn = "note_b"\n'
    'data_type = "varchar(200)"\n'
    "up = \"if(locate('-', note) > 0, substring_index(note, '-', -1), '')\"\n"
    + f'\n[[operations]]\ntable = "{TABLE}"\ntype = "drop_column"\ncolumn = "note"\n'
    "down = \"concat(note_a, '-', note_b)\"\n",
)
CHECK = replace(
    pg.CHECK,
    after_complete=(
        "SELECT count(*) FROM information_schema.CHECK_CONSTRAINTS WHERE "
        "CONSTRAINT_SCHEMA = DATABASE() AND CONSTRAINT_NAME = 'items_qty_positive'",
        1,
    ),
)
UNIQUE = replace(
    pg.UNIQUE,
    after_complete=_info(
        "SELECT NON_UNIQUE FROM information_schema.STATISTICS WHERE {db} "
        "AND INDEX_NAME = 'items_code_key'",
        0,
    ),
)
FOREIGN_KEY = replace(
    pg.FOREIGN_KEY,
    setup="CREATE TABLE owners (id int PRIMARY KEY); INSERT INTO owners SELECT seq FROM seq_0_to_99",
    after_complete=(
        "SELECT count(*) FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE "
        "CONSTRAINT_SCHEMA = DATABASE() AND CONSTRAINT_NAME = 'items_qty_owner'",
        1,
    ),
)
RENAME_TABLE = replace(
    pg.RENAME_TABLE,
    after_complete=_info(
        "SELECT TABLE_TYPE FROM information_schema.TABLES WHERE {db} AND TABLE_NAME = 'things'",
        "BASE TABLE",
    ),
)
DROP_INDEX = replace(
    pg.DROP_INDEX,
    setup="CREATE INDEX items_note_idx ON items (note)",
    after_complete=_info(
        "SELECT count(*) FROM information_schema.STATISTICS WHERE {db} "
        "AND INDEX_NAME = 'items_note_idx'",
        0,
    ),
)
SET_NOT_NULL = replace(
    pg.SET_NOT_NULL,
    after_complete=_info(
        "SELECT IS_NULLABLE FROM information_schema.COLUMNS WHERE {db} "
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
