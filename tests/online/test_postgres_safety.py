"""Online migrations on PostgreSQL when things go wrong: a process killed at every step,
locks held by someone else, a second migration on the same table, inserts faster than the
backfill, bad files."""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path

import psycopg
import pytest

from dbshift.config import Settings
from dbshift.errors import LockNotAcquired
from dbshift.online import service
from dbshift.online.journal import Entry
from dbshift.online.locks import LockPolicy
from tests.conftest import Database
from tests.online.harness import (
    ROWS,
    SETUP,
    Quiet,
    conninfo,
    online_cli,
    options,
    refuses_a_second_migration_on_the_same_table,
    write_migration,
)

pytestmark = pytest.mark.postgres

ALTER = """safety_period = 0
[[operations]]
type = "alter_column"
table = "items"
column = "code"
data_type = "text"
up = "upper(code)"
down = "lower(code)"

[[operations]]
type = "create_index"
table = "items"
name = "items_code_idx"
columns = ["code"]
"""


DROP_NOTE_WITH_INDEX = """safety_period = 0
[[operations]]
type = "drop_column"
table = "items"
column = "note"
down = "'x'"

[[operations]]
type = "create_index"
table = "items"
name = "i2"
columns = ["code"]
"""


def _sql(db: Database, sql: str, params: list[object] | None = None) -> list[tuple[object, ...]]:
    with psycopg.connect(conninfo(db.url), autocommit=True) as conn:
        cur = conn.execute(sql, params)
        return cur.fetchall() if cur.description else []


def _cli(
    db: Database, cwd: Path, *args: str, crash: str | None = None
) -> subprocess.CompletedProcess[str]:
    return online_cli(db.url, cwd, *args, crash=crash)


@pytest.mark.parametrize("step", ["after-expand", "after-index", "in-backfill", "after-views"])
def test_killed_start_resumes_to_the_same_result(
    pg_db: Database, tmp_path: Path, step: str
) -> None:
    _sql(pg_db, SETUP)
    path = write_migration(tmp_path, "1_code", ALTER)
    killed = _cli(pg_db, tmp_path, "start", str(path), crash=step)
    assert killed.returncode == 137, killed.stderr
    again = _cli(pg_db, tmp_path, "start", str(path))
    assert again.returncode == 0, again.stderr
    assert "active" in again.stdout
    mismatched = _sql(
        pg_db,
        "SELECT count(*) FROM items WHERE _dbshift_new_code IS DISTINCT FROM upper(code)",
    )
    assert mismatched == [(0,)]
    valid = _sql(
        pg_db,
        "SELECT indisvalid FROM pg_index WHERE indexrelid = 'items_code_idx'::regclass",
    )
    assert valid == [(True,)]
    done = _cli(pg_db, tmp_path, "complete", "1_code")
    assert done.returncode == 0, done.stderr
    assert _sql(pg_db, "SELECT count(*) FROM items WHERE code <> upper('c' || id)") == [(0,)]


def test_killed_backfill_resumes_from_its_checkpoint(pg_db: Database, tmp_path: Path) -> None:
    _sql(pg_db, SETUP)
    path = write_migration(tmp_path, "1_code", ALTER)
    assert _cli(pg_db, tmp_path, "start", str(path), crash="in-backfill").returncode == 137
    (state,) = _sql(pg_db, "SELECT backfill FROM dbshift_online")[0]
    assert '"batches": 1' in str(state)  # the batch being written when killed is not counted
    converted = _sql(pg_db, "SELECT count(*) FROM items WHERE _dbshift_new_code IS NOT NULL")
    assert converted == [(500,)]
    assert _cli(pg_db, tmp_path, "start", str(path)).returncode == 0
    (state,) = _sql(pg_db, "SELECT backfill FROM dbshift_online")[0]
    assert f'"done": {ROWS}' in str(state)  # 500 before the kill + the rest, none twice


def test_killed_complete_and_rollback_finish_when_run_again(
    pg_db: Database, tmp_path: Path
) -> None:
    _sql(pg_db, SETUP + "ALTER TABLE items ALTER COLUMN code DROP NOT NULL;")
    body = ALTER.replace('down = "lower(code)"', 'down = "lower(code)"\nnot_null = true')
    path = write_migration(tmp_path, "1_code", body)
    assert _cli(pg_db, tmp_path, "start", str(path)).returncode == 0
    assert _cli(pg_db, tmp_path, "complete", "1_code", crash="after-validate").returncode == 137
    assert _cli(pg_db, tmp_path, "complete", "1_code").returncode == 0
    assert _sql(
        pg_db,
        "SELECT is_nullable, data_type FROM information_schema.columns "
        "WHERE table_schema = 'public' AND table_name = 'items' AND column_name = 'code'",
    ) == [("NO", "text")]
    path2 = write_migration(tmp_path, "2_idx", DROP_NOTE_WITH_INDEX)
    assert _cli(pg_db, tmp_path, "start", str(path2)).returncode == 0
    killed = _cli(pg_db, tmp_path, "rollback", "2_idx", crash="after-index")
    assert killed.returncode == 137
    assert _cli(pg_db, tmp_path, "rollback", "2_idx").returncode == 0
    assert _sql(pg_db, "SELECT to_regclass('i2')") == [(None,)]
    assert _sql(pg_db, "SELECT count(*) FROM items WHERE note IS NULL") == [(0,)]


def test_second_migration_on_the_same_table_is_refused(pg_db: Database, tmp_path: Path) -> None:
    _sql(pg_db, SETUP + "CREATE TABLE other (id int PRIMARY KEY, v text);")
    refuses_a_second_migration_on_the_same_table(pg_db.url, tmp_path, ALTER)


def test_lock_held_elsewhere_stops_cleanly_and_names_the_holder(
    pg_db: Database, tmp_path: Path
) -> None:
    _sql(pg_db, SETUP)
    path = write_migration(tmp_path, "1_code", ALTER)
    holder = psycopg.connect(conninfo(pg_db.url))
    try:
        holder.execute("SELECT count(*) FROM items")  # ACCESS SHARE until the transaction ends
        opts = options()
        opts.lock = LockPolicy(timeout_ms=100, attempts=3, backoff=0.01)
        started = time.monotonic()
        with pytest.raises(LockNotAcquired) as raised:
            service.start(path, Settings(url=pg_db.url), opts, Quiet())
        assert time.monotonic() - started < 10
        assert "AccessShareLock held by pid" in str(raised.value)
        assert "nothing was changed" in str(raised.value)
    finally:
        holder.close()
    assert _sql(pg_db, "SELECT count(*) FROM dbshift_online") == [(0,)]
    assert _sql(
        pg_db,
        "SELECT count(*) FROM pg_attribute WHERE attrelid = 'items'::regclass "
        "AND attname LIKE '\\_dbshift%%'",
    ) == [(0,)]


def test_backfill_ends_while_inserts_outpace_it_tenfold(pg_db: Database, tmp_path: Path) -> None:
    _sql(pg_db, SETUP)
    path = write_migration(tmp_path, "1_code", ALTER)
    stop = threading.Event()
    inserted = [0]

    def insert() -> None:
        with psycopg.connect(conninfo(pg_db.url), autocommit=True) as conn:
            while not stop.is_set():
                conn.execute(
                    "INSERT INTO items (code) SELECT 'z' || g FROM generate_series(1, 50) g"
                )
                inserted[0] += 50

    thread = threading.Thread(target=insert, daemon=True)
    thread.start()
    time.sleep(0.2)
    rate = 600.0  # rows per second for the backfill
    began, before = time.monotonic(), inserted[0]
    entry = service.start(path, Settings(url=pg_db.url), options(rate=rate), Quiet())
    elapsed, during = time.monotonic() - began, inserted[0] - before
    stop.set()
    thread.join(timeout=30)
    assert entry.phase == "active"
    assert during / elapsed >= 10 * rate, f"inserts ran at {during / elapsed:.0f}/s only"
    done = entry.backfill["items"]["done"]
    assert ROWS <= done < ROWS + during  # bounded by the high-water mark, not by the inserts
    assert _sql(
        pg_db, "SELECT count(*) FROM items WHERE _dbshift_new_code IS DISTINCT FROM upper(code)"
    ) == [(0,)]


def test_safety_period_refuses_an_early_complete(pg_db: Database, tmp_path: Path) -> None:
    _sql(pg_db, SETUP)
    path = write_migration(
        tmp_path, "1_code", ALTER.replace("safety_period = 0", "safety_period = 3600")
    )
    service.start(path, Settings(url=pg_db.url), options(), Quiet())
    refused = _cli(pg_db, tmp_path, "complete", "1_code")
    assert refused.returncode == 2 and "safety period" in refused.stderr
    assert refused.stderr.count("\n") == 1
    assert _cli(pg_db, tmp_path, "complete", "1_code", "--force").returncode == 0


def test_bad_files_are_one_line_errors(pg_db: Database, tmp_path: Path) -> None:
    _sql(pg_db, SETUP)
    cases = {
        "1_toml": ("[[operations]\n", "1_toml.toml:1: invalid TOML"),
        "2_type": (
            '[[operations]]\ntype = "teleport"\ntable = "items"\n',
            "unknown type 'teleport'",
        ),
        "3_key": (
            '[[operations]]\ntype = "rename_column"\ntable = "items"\ncolumn = "note"\n',
            "missing new_name",
        ),
        "4_col": (
            '[[operations]]\ntype = "rename_column"\ntable = "items"\ncolumn = "nope"\nnew_name = "x"\n',
            "column 'nope' does not exist",
        ),
        "5_nn": (
            '[[operations]]\ntype = "add_column"\ntable = "items"\ncolumn = "x"\n'
            'data_type = "int"\nnot_null = true\n',
            "needs a default or an up expression",
        ),
    }
    for name, (body, message) in cases.items():
        path = write_migration(tmp_path, name, body)
        result = _cli(pg_db, tmp_path, "start", str(path))
        assert result.returncode in (1, 2), result
        assert message in result.stderr and result.stderr.count("\n") == 1, result.stderr
        assert "Traceback" not in result.stderr


def test_percent_signs_in_expressions_reach_the_server(pg_db: Database, tmp_path: Path) -> None:
    _sql(pg_db, SETUP)
    body = """safety_period = 0
[[operations]]
type = "alter_column"
table = "items"
column = "qty"
data_type = "bigint"
up = "qty % 7"
down = "qty"
[[operations]]
type = "add_column"
table = "items"
column = "is_c"
data_type = "boolean"
up = "code LIKE 'c%'"
"""
    path = write_migration(tmp_path, "1_pct", body)
    assert service.start(path, Settings(url=pg_db.url), options(), Quiet()).phase == "active"
    assert _sql(
        pg_db,
        "SELECT count(*) FROM items WHERE _dbshift_new_qty IS DISTINCT FROM qty % 7 "
        "OR _dbshift_new_is_c IS NOT TRUE",
    ) == [(0,)]


def test_killed_after_the_contract_still_drops_the_index(pg_db: Database, tmp_path: Path) -> None:
    _sql(pg_db, SETUP + "CREATE INDEX items_note_idx ON items (note);")
    body = 'safety_period = 0\n[[operations]]\ntype = "drop_index"\ntable = "items"\nname = "items_note_idx"\n'
    path = write_migration(tmp_path, "1_drop_idx", body)
    assert _cli(pg_db, tmp_path, "start", str(path)).returncode == 0
    assert _cli(pg_db, tmp_path, "complete", "1_drop_idx", crash="after-contract").returncode == 137
    assert _sql(pg_db, "SELECT to_regclass('items_note_idx') IS NOT NULL") == [(True,)]
    again = _cli(pg_db, tmp_path, "complete", "1_drop_idx")
    assert again.returncode == 0, again.stderr
    assert _sql(pg_db, "SELECT to_regclass('items_note_idx')") == [(None,)]


def test_pause_stops_the_backfill_and_start_resumes_it(pg_db: Database, tmp_path: Path) -> None:
    _sql(pg_db, SETUP)
    path = write_migration(tmp_path, "1_code", ALTER)
    settings = Settings(url=pg_db.url)
    result: list[Entry] = []
    runner = threading.Thread(
        target=lambda: result.append(service.start(path, settings, options(rate=1000.0), Quiet()))
    )
    runner.start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        rows = (
            _sql(pg_db, "SELECT backfill FROM dbshift_online")
            if _sql(pg_db, "SELECT to_regclass('dbshift_online') IS NOT NULL") == [(True,)]
            else []
        )
        if rows and '"batches": 2' in str(rows[0][0]):
            break
        time.sleep(0.05)
    paused = _cli(pg_db, tmp_path, "pause", "1_code")
    assert paused.returncode == 0, paused.stderr
    runner.join(timeout=60)
    (entry,) = result
    assert entry.phase == "expanding"  # stopped between batches, not done
    done = entry.backfill["items"]["done"]
    assert 0 < done < ROWS
    resumed = service.start(path, settings, options(), Quiet())
    assert resumed.phase == "active" and resumed.backfill["items"]["done"] == ROWS
