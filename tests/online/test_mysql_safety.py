"""Online migrations on MySQL/MariaDB when things go wrong: a process killed at every step
of start, complete and rollback, a lock held by someone else, a second migration on the
same table, inserts faster than the copy, rows out of step at complete, and changes the
engine refuses before touching anything."""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pymysql
import pytest

from dbshift.config import Settings
from dbshift.errors import LockNotAcquired
from dbshift.online import service
from dbshift.online.journal import Entry
from dbshift.online.locks import LockPolicy
from tests.conftest import Database
from tests.online.harness import (
    ROWS,
    Quiet,
    online_cli,
    options,
    refuses_a_second_migration_on_the_same_table,
    write_migration,
)
from tests.online.test_mysql_online import connector, drop_version_databases, query, setup

pytestmark = pytest.mark.mysql

ALTER = """safety_period = 0
[[operations]]
type = "alter_column"
table = "items"
column = "code"
data_type = "varchar(100)"
not_null = true
up = "upper(code)"
down = "lower(code)"

[[operations]]
type = "create_index"
table = "items"
name = "items_code_idx"
columns = ["code"]
"""

ADD_INDEX = """safety_period = 0
[[operations]]
type = "add_column"
table = "items"
column = "tag"
data_type = "int"

[[operations]]
type = "create_index"
table = "items"
name = "i2"
columns = ["code"]
"""


@pytest.fixture
def db(mysql_db: Database) -> Iterator[Database]:
    setup(mysql_db)
    yield mysql_db
    drop_version_databases(mysql_db.url)


def _cli(
    db: Database, cwd: Path, *args: str, crash: str | None = None
) -> subprocess.CompletedProcess[str]:
    return online_cli(db.url, cwd, *args, crash=crash)


def _version(db: Database, name: str) -> str:
    return f"{db.url.rsplit('/', 1)[-1]}_{name}"


def _final_is_right(db: Database) -> None:
    assert query(db, "SELECT count(*) FROM items WHERE BINARY code <> upper(concat('c', id))") == [
        (0,)
    ]
    assert query(
        db,
        "SELECT COLUMN_TYPE, IS_NULLABLE FROM information_schema.COLUMNS WHERE "
        "TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'items' AND COLUMN_NAME = 'code'",
    ) == [("varchar(100)", "NO")]
    assert (
        query(
            db,
            "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() "
            "AND TABLE_NAME LIKE '\\_dbshift%' UNION ALL SELECT TRIGGER_NAME FROM "
            "information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()",
        )
        == []
    )
    assert query(
        db,
        "SELECT count(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() "
        "AND TABLE_NAME = 'items' AND INDEX_NAME = 'items_code_idx'",
    ) == [(1,)]


@pytest.mark.parametrize(
    "step", ["after-shadow", "after-triggers", "after-expand", "in-backfill", "after-views"]
)
def test_killed_start_resumes_to_the_same_result(db: Database, tmp_path: Path, step: str) -> None:
    path = write_migration(tmp_path, "1_code", ALTER)
    killed = _cli(db, tmp_path, "start", str(path), crash=step)
    assert killed.returncode == 137, killed.stderr
    again = _cli(db, tmp_path, "start", str(path))
    assert again.returncode == 0, again.stderr
    assert "active" in again.stdout and _version(db, "1_code") in again.stdout
    shadow = f"`{_version(db, '1_code')}`.items"
    assert query(db, f"SELECT count(*) FROM {shadow}") == [(ROWS,)]
    done = _cli(db, tmp_path, "complete", "1_code")
    assert done.returncode == 0, done.stderr
    _final_is_right(db)


@pytest.mark.parametrize("step", ["after-validate", "before-swap", "after-swap", "after-contract"])
def test_killed_complete_finishes_when_run_again(db: Database, tmp_path: Path, step: str) -> None:
    path = write_migration(tmp_path, "1_code", ALTER)
    assert _cli(db, tmp_path, "start", str(path)).returncode == 0
    killed = _cli(db, tmp_path, "complete", "1_code", crash=step)
    assert killed.returncode == 137, killed.stderr
    again = _cli(db, tmp_path, "complete", "1_code")
    assert again.returncode == 0, again.stderr
    assert "completed" in again.stdout
    _final_is_right(db)
    # The new version stays addressable after complete: a view over the final table.
    version = _version(db, "1_code")
    assert query(db, f"SELECT count(*) FROM `{version}`.items") == [(ROWS,)]


def test_killed_rollback_finishes_when_run_again(db: Database, tmp_path: Path) -> None:
    before = query(db, "SHOW CREATE TABLE items")
    path = write_migration(tmp_path, "2_idx", ADD_INDEX)
    assert _cli(db, tmp_path, "start", str(path)).returncode == 0
    assert _cli(db, tmp_path, "rollback", "2_idx", crash="in-rollback").returncode == 137
    again = _cli(db, tmp_path, "rollback", "2_idx")
    assert again.returncode == 0, again.stderr
    assert query(db, "SHOW CREATE TABLE items") == before
    assert query(
        db,
        "SELECT count(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = "
        f"'{_version(db, '2_idx')}'",
    ) == [(0,)]


def test_rollback_restores_the_table_exactly(db: Database, tmp_path: Path) -> None:
    before = query(db, "SHOW CREATE TABLE items")
    rows = query(db, "SELECT * FROM items ORDER BY id")
    path = write_migration(tmp_path, "1_code", ALTER)
    assert _cli(db, tmp_path, "start", str(path)).returncode == 0
    assert _cli(db, tmp_path, "rollback", "1_code").returncode == 0
    assert query(db, "SHOW CREATE TABLE items") == before
    assert query(db, "SELECT * FROM items ORDER BY id") == rows
    status = _cli(db, tmp_path, "status")
    assert "rolled_back" in status.stdout
    # Rolled back leaves nothing behind: the same file starts again from scratch.
    assert _cli(db, tmp_path, "start", str(path)).returncode == 0


def test_second_migration_on_the_same_table_is_refused(db: Database, tmp_path: Path) -> None:
    with connector(db.url)() as conn:
        conn.cursor().execute("CREATE TABLE other (id int PRIMARY KEY, v text)")
    refuses_a_second_migration_on_the_same_table(db.url, tmp_path, ALTER)


def test_lock_held_elsewhere_stops_cleanly_and_names_the_holder(
    db: Database, tmp_path: Path
) -> None:
    path = write_migration(tmp_path, "1_code", ALTER)
    holder = connector(db.url)()
    try:
        cur = holder.cursor()
        cur.execute("BEGIN")
        cur.execute("SELECT count(*) FROM items")  # a metadata lock until the transaction ends
        opts = options()
        opts.lock = LockPolicy(timeout_ms=1000, attempts=2, backoff=0.01)
        started = time.monotonic()
        with pytest.raises(LockNotAcquired) as raised:
            service.start(path, Settings(url=db.url), opts, Quiet())
        assert time.monotonic() - started < 15
        assert f"thread {holder.thread_id()}" in str(raised.value)
    finally:
        holder.close()
    # Nothing on the old table yet: the old version was never affected; start resumes.
    assert query(
        db, "SELECT count(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()"
    ) == [(0,)]
    assert service.start(path, Settings(url=db.url), options(), Quiet()).phase == "active"


def test_copy_ends_while_inserts_outpace_it_tenfold(db: Database, tmp_path: Path) -> None:
    path = write_migration(tmp_path, "1_code", ALTER)
    stop = threading.Event()
    inserted = [0]

    def insert() -> None:
        with connector(db.url)() as conn:
            cur = conn.cursor()
            while not stop.is_set():
                cur.execute("INSERT INTO items (code) SELECT concat('z', seq) FROM seq_1_to_50")
                inserted[0] += 50

    thread = threading.Thread(target=insert, daemon=True)
    thread.start()
    time.sleep(0.2)
    rate = 300.0  # rows per second for the copy
    began, before = time.monotonic(), inserted[0]
    entry = service.start(path, Settings(url=db.url), options(rate=rate), Quiet())
    elapsed, during = time.monotonic() - began, inserted[0] - before
    stop.set()
    thread.join(timeout=30)
    assert entry.phase == "active"
    assert during / elapsed >= 10 * rate, f"inserts ran at {during / elapsed:.0f}/s only"
    done = entry.jobs["items"]["done"]
    assert ROWS <= done < ROWS + during  # bounded by the high-water mark, not by the inserts
    shadow = f"`{_version(db, '1_code')}`.items"
    assert query(
        db,
        f"SELECT count(*) FROM items o LEFT JOIN {shadow} n ON n.id = o.id "
        "WHERE NOT (n.code <=> upper(o.code))",
    ) == [(0,)]


def test_rows_out_of_step_stop_complete_with_nothing_changed(db: Database, tmp_path: Path) -> None:
    path = write_migration(tmp_path, "1_code", ALTER)
    assert _cli(db, tmp_path, "start", str(path)).returncode == 0
    shadow = f"`{_version(db, '1_code')}`.items"
    with connector(db.url)() as conn:
        cur = conn.cursor()
        cur.execute("SET @dbshift_sync = 'copy'")  # write past the triggers, as a bug would
        cur.execute(f"UPDATE {shadow} SET code = 'WRONG' WHERE id <= 3")
    refused = _cli(db, tmp_path, "complete", "1_code")
    assert refused.returncode == 1
    assert "3 rows of items have old and new values out of step" in refused.stderr
    assert refused.stderr.count("\n") == 1
    assert query(
        db,
        f"SELECT TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = "
        f"'{_version(db, '1_code')}' AND TABLE_NAME = 'items'",
    ) == [("BASE TABLE",)]
    assert _cli(db, tmp_path, "rollback", "1_code").returncode == 0


REFUSED = {
    # split_table runs on MySQL now (the harness's split_table cells); a moved column
    # with a default still cannot (an insert through the new version's view would look
    # like the old version's).
    "split": (
        '[[operations]]\ntype = "split_table"\ntable = "items"\nnew_table = "x"\n'
        'columns = ["qty"]\nnew_key = "item_id"\n',
        "must be nullable without a default",
    ),
    "partial": (
        '[[operations]]\ntype = "create_index"\ntable = "items"\nname = "p"\n'
        'columns = ["code"]\nwhere = "qty > 0"\n',
        "no partial indexes",
    ),
    # Keys in and out of a copied table are kept now (test_mysql_foreign_keys.py); a
    # change of a key column's type still cannot be.
    "fk": (
        '[[operations]]\ntype = "alter_column"\ntable = "kids"\ncolumn = "item"\n'
        'data_type = "int"\n',
        "is in the key and would change type",
    ),
    "nopk": (
        '[[operations]]\ntype = "rename_column"\ntable = "loose"\ncolumn = "v"\nnew_name = "w"\n',
        "has no primary key",
    ),
    "required": (
        '[[operations]]\ntype = "drop_column"\ntable = "items"\ncolumn = "code"\n'
        '[[operations]]\ntype = "rename_column"\ntable = "items"\ncolumn = "note"\n'
        'new_name = "remark"\n',
        "give a down expression",
    ),
    "missing": (
        '[[operations]]\ntype = "rename_column"\ntable = "nope"\ncolumn = "v"\nnew_name = "w"\n',
        "does not exist",
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_refused_changes_are_one_line_errors_with_nothing_done(
    db: Database, tmp_path: Path, case: str
) -> None:
    with connector(db.url)() as conn:
        cur = conn.cursor()
        cur.execute(
            "CREATE TABLE kids (id int PRIMARY KEY, item bigint, v int, "
            "FOREIGN KEY (item) REFERENCES items (id))"
        )
        cur.execute("CREATE TABLE loose (v int)")
    body, message = REFUSED[case]
    path = write_migration(tmp_path, f"1_{case}", "safety_period = 0\n" + body)
    result = _cli(db, tmp_path, "start", str(path))
    assert result.returncode in (1, 2), result
    assert message in result.stderr and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert query(
        db,
        "SELECT count(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = "
        f"'{_version(db, f'1_{case}')}'",
    ) == [(0,)]
    assert query(
        db,
        "SELECT count(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() "
        "AND TABLE_NAME = 'dbshift_online'",
    ) in ([(0,)], [(1,)])
    if query(db, "SHOW TABLES LIKE 'dbshift_online'"):
        assert query(db, "SELECT count(*) FROM dbshift_online") == [(0,)]


def test_hostile_names_survive_the_whole_cycle(db: Database, tmp_path: Path) -> None:
    """Table and column names with backticks, quotes and backslashes, through the shadow,
    the triggers, the copy, the verification and the cut-over."""
    with connector(db.url)() as conn:
        cur = conn.cursor()
        cur.execute(
            "CREATE TABLE `we``ird 'tab\"le` (id int AUTO_INCREMENT PRIMARY KEY, "
            "`co``de` varchar(20) NOT NULL, `no'te\\` int)"
        )
        cur.execute(
            "INSERT INTO `we``ird 'tab\"le` (`co``de`, `no'te\\`) "
            "SELECT concat('c', seq), seq FROM seq_1_to_700"
        )
    body = r"""safety_period = 0
[[operations]]
type = "alter_column"
table = "we`ird 'tab\"le"
column = "co`de"
data_type = "varchar(40)"
up = "upper(`co``de`)"
down = "lower(`co``de`)"

[[operations]]
type = "rename_column"
table = "we`ird 'tab\"le"
column = "no'te\\"
new_name = "re`mark\""
"""
    path = write_migration(tmp_path, "1_hostile", body)
    started = _cli(db, tmp_path, "start", str(path))
    assert started.returncode == 0, started.stderr
    version = _version(db, "1_hostile")
    with connector(db.url, version)() as conn:
        cur = conn.cursor()
        cur.execute("INSERT INTO `we``ird 'tab\"le` (`co``de`, `re``mark\"`) VALUES ('NEW', 5)")
    done = _cli(db, tmp_path, "complete", "1_hostile")
    assert done.returncode == 0, done.stderr
    assert query(
        db,
        'SELECT count(*), sum(`co``de` = upper(`co``de`)), sum(`re``mark"`) '
        "FROM `we``ird 'tab\"le`",
    ) == [(701, 701, 245355)]


def test_pause_stops_the_copy_and_start_resumes_it(db: Database, tmp_path: Path) -> None:
    path = write_migration(tmp_path, "1_code", ALTER)
    settings = Settings(url=db.url)
    result: list[Entry] = []
    runner = threading.Thread(
        target=lambda: result.append(service.start(path, settings, options(rate=300.0), Quiet()))
    )
    runner.start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        rows = (
            query(db, "SELECT backfill FROM dbshift_online")
            if query(db, "SHOW TABLES LIKE 'dbshift_online'")
            else []
        )
        if rows and '"batches": 2' in str(rows[0][0]):
            break
        time.sleep(0.05)
    paused = _cli(db, tmp_path, "pause", "1_code")
    assert paused.returncode == 0, paused.stderr
    runner.join(timeout=60)
    (entry,) = result
    assert entry.phase == "expanding"  # stopped between chunks
    done = entry.jobs["items"]["done"]
    assert 0 < done < ROWS
    status = _cli(db, tmp_path, "status", "--format", "json")
    assert '"paused": true' in status.stdout and '"database"' in status.stdout
    resumed = service.start(path, settings, options(), Quiet())
    assert resumed.phase == "active" and resumed.jobs["items"]["done"] == ROWS


def test_a_deadlock_inside_a_trigger_does_not_switch_syncing_off(
    db: Database, tmp_path: Path
) -> None:
    """InnoDB rolls a deadlock victim back without running the trigger's error handler;
    the session's next writes must still reach the shadow (found by the benchmark)."""
    path = write_migration(tmp_path, "1_code", ALTER)
    assert service.start(path, Settings(url=db.url), options(), Quiet()).phase == "active"
    shadow = f"`{_version(db, '1_code')}`.items"
    app, other = connector(db.url)(), connector(db.url)()
    try:
        o = other.cursor()
        o.execute("CREATE TABLE heavy (id int PRIMARY KEY)")
        o.execute("SET @dbshift_sync = 'copy'")  # writes of its own, past the triggers
        o.execute("BEGIN")
        o.execute("INSERT INTO heavy SELECT seq FROM seq_1_to_5000")  # the heavier one
        o.execute(f"UPDATE {shadow} SET qty = 1 WHERE id = 1")
        a = app.cursor()
        a.execute("BEGIN")
        a.execute("UPDATE items SET qty = 2 WHERE id = 2")
        failed: list[str] = []

        def victim() -> None:
            try:
                a.execute("UPDATE items SET qty = 3 WHERE id = 1")  # its trigger waits
            except pymysql.err.OperationalError as exc:
                failed.append(str(exc.args[0]))

        thread = threading.Thread(target=victim)
        thread.start()
        time.sleep(0.5)
        o.execute("UPDATE items SET qty = 4 WHERE id = 2")  # waits for the app: deadlock
        thread.join(timeout=30)
        assert failed == ["1213"]
        o.execute("ROLLBACK")
        a.execute("INSERT INTO items (code) VALUES ('after')")
        new_id = a.lastrowid
    finally:
        app.close()
        other.close()
    assert query(db, f"SELECT code FROM {shadow} WHERE id = {int(new_id)}") == [("AFTER",)]


@pytest.mark.parametrize("step", ["after-rename", "after-contract"])
def test_killed_table_rename_finishes_when_run_again(
    db: Database, tmp_path: Path, step: str
) -> None:
    body = 'safety_period = 0\n[[operations]]\ntype = "rename_table"\ntable = "items"\nnew_name = "things"\n'
    path = write_migration(tmp_path, "1_things", body)
    assert _cli(db, tmp_path, "start", str(path)).returncode == 0
    assert _cli(db, tmp_path, "complete", "1_things", crash=step).returncode == 137
    again = _cli(db, tmp_path, "complete", "1_things")
    assert again.returncode == 0, again.stderr
    assert query(
        db,
        "SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES WHERE "
        "TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN ('items', 'things')",
    ) == [("things", "BASE TABLE")]
    version = _version(db, "1_things")
    assert query(db, f"SELECT count(*) FROM `{version}`.things") == [(ROWS,)]
    assert (
        query(
            db,
            f"SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = '{version}' "
            "AND TABLE_NAME LIKE '\\_dbshift%'",
        )
        == []
    )


def test_rename_to_an_existing_table_is_refused(db: Database, tmp_path: Path) -> None:
    with connector(db.url)() as conn:
        conn.cursor().execute("CREATE TABLE things (id int PRIMARY KEY)")
    body = 'safety_period = 0\n[[operations]]\ntype = "rename_table"\ntable = "items"\nnew_name = "things"\n'
    result = _cli(db, tmp_path, "start", str(write_migration(tmp_path, "1_things", body)))
    assert result.returncode == 2 and "'things' already exists" in result.stderr


def test_percent_signs_in_expressions_reach_the_server(db: Database, tmp_path: Path) -> None:
    body = """safety_period = 0
[[operations]]
type = "alter_column"
table = "items"
column = "qty"
data_type = "bigint"
not_null = true
up = "qty % 7"
down = "qty"
[[operations]]
type = "add_column"
table = "items"
column = "is_c"
data_type = "int"
up = "code LIKE 'c%'"
"""
    path = write_migration(tmp_path, "1_pct", body)
    assert _cli(db, tmp_path, "start", str(path)).returncode == 0
    done = _cli(db, tmp_path, "complete", "1_pct")
    assert done.returncode == 0, done.stderr
    assert f"verified {ROWS} rows of items" in done.stdout
    assert query(db, "SELECT count(*) FROM items WHERE qty = id % 100 % 7 AND is_c = 1") == [
        (ROWS,)
    ]


def test_raw_sql_runs_once_and_its_down_undoes_it(db: Database, tmp_path: Path) -> None:
    body = """safety_period = 0
[[operations]]
type = "raw_sql"
table = "coupons"
up = "CREATE TABLE coupons (code varchar(20) PRIMARY KEY)"
down = "DROP TABLE coupons"

[[operations]]
type = "add_column"
table = "items"
column = "coupon"
data_type = "varchar(20)"
"""
    path = write_migration(tmp_path, "1_coupons", body)
    assert _cli(db, tmp_path, "start", str(path), crash="after-expand").returncode == 137
    assert _cli(db, tmp_path, "start", str(path)).returncode == 0  # resumed: not created twice
    version = _version(db, "1_coupons")
    assert query(db, f"SELECT count(*) FROM `{version}`.coupons") == [(0,)]
    assert _cli(db, tmp_path, "rollback", "1_coupons").returncode == 0
    assert query(db, "SHOW TABLES LIKE 'coupons'") == []
    assert query(db, "SHOW COLUMNS FROM items LIKE 'coupon'") == []
    assert _cli(db, tmp_path, "start", str(path)).returncode == 0
    assert _cli(db, tmp_path, "complete", "1_coupons").returncode == 0
    assert query(db, "SHOW TABLES LIKE 'coupons'") == [("coupons",)]


FOREIGN_KEY = """safety_period = 0
[[operations]]
type = "add_foreign_key"
table = "items"
name = "items_qty_owner"
columns = ["qty"]
references = "owners"
referenced_columns = ["id"]
"""


@pytest.mark.parametrize("own_index", [False, True])
def test_rollback_of_a_foreign_key_drops_only_the_index_start_made(
    db: Database, tmp_path: Path, own_index: bool
) -> None:
    """InnoDB creates an index named after the key when none serves its columns and keeps
    it when the key goes: rollback drops that one, and never an index the user had."""
    with connector(db.url)() as conn:
        cur = conn.cursor()
        cur.execute("CREATE TABLE owners (id int PRIMARY KEY)")
        cur.execute("INSERT INTO owners SELECT seq FROM seq_0_to_99")
        if own_index:
            cur.execute("CREATE INDEX items_qty_ix ON items (qty)")
    before = query(db, "SHOW CREATE TABLE items")
    path = write_migration(tmp_path, "1_fk", FOREIGN_KEY)
    assert _cli(db, tmp_path, "start", str(path)).returncode == 0
    indexes = "SELECT DISTINCT INDEX_NAME FROM information_schema.STATISTICS WHERE "
    indexes += "TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'items' ORDER BY 1"
    made = "items_qty_owner" in [r[0] for r in query(db, indexes)]
    assert made is not own_index
    done = _cli(db, tmp_path, "rollback", "1_fk")
    assert done.returncode == 0, done.stderr
    assert query(db, "SHOW CREATE TABLE items") == before
    assert [r[0] for r in query(db, indexes)] == (
        ["items_qty_ix", "PRIMARY"] if own_index else ["PRIMARY"]
    )
