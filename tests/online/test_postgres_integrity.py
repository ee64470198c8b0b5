"""Online migrations keep what is on the tables they touch (issue 17, item 1): every index,
constraint (unique, check, foreign keys in and out), default, comment, owned sequence and
trigger comes out of complete as the plain offline DDL would leave it, and out of
rollback exactly as before start, judged from pg_catalog (tests/online/catalog.py).
Names an operation would create that already exist are refused before anything changes,
and rollback drops only what start created."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import psycopg
import pytest

from dbshift.config import Settings
from dbshift.online import service
from tests.conftest import Database, dbshift_executable
from tests.online.catalog import assert_same, offline_equivalent, snapshot
from tests.online.harness import SETUP, TABLE, Quiet, Scenario, conninfo, options, write_migration
from tests.online.test_postgres_online import ADD, ALTER, RENAME, UNIQUE, _run

pytestmark = pytest.mark.postgres
NAME = "20261126_change"

USERS = [
    "CREATE TABLE teams (id int PRIMARY KEY, slug text UNIQUE)",
    "INSERT INTO teams SELECT g, 't' || g FROM generate_series(1, 3) g",
    "CREATE TABLE mailboxes (address varchar(200) PRIMARY KEY)",
    "INSERT INTO mailboxes SELECT 'User' || g || '@Example.com' FROM generate_series(1, 600) g "
    "UNION ALL SELECT 'user' || g || '@example.com' FROM generate_series(1, 600) g "
    "UNION ALL SELECT 'nobody@example.com'",
    "CREATE TABLE users (id serial PRIMARY KEY, team int, "
    "email varchar(200) NOT NULL DEFAULT 'nobody@example.com' UNIQUE, "
    "team_slug text, plan text COLLATE \"C\" NOT NULL DEFAULT 'basic', "
    "CONSTRAINT users_email_shape CHECK (email LIKE '%@%'), "
    "CONSTRAINT users_team_slug_fk FOREIGN KEY (team_slug) REFERENCES teams (slug), "
    "CONSTRAINT users_mailbox_fk FOREIGN KEY (email) REFERENCES mailboxes (address))",
    "CREATE INDEX users_team_email_idx ON users (team, email)",
    "CREATE INDEX users_email_domain_idx ON users (split_part(email, '@', 2)) WHERE email <> ''",
    "COMMENT ON COLUMN users.email IS 'where we write'",
    "COMMENT ON TABLE users IS 'people'",
    "CREATE FUNCTION users_touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END'",
    "CREATE TRIGGER users_touch BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION users_touch()",
    "INSERT INTO users (team, email, team_slug) "
    "SELECT g % 3 + 1, 'User' || g || '@Example.com', 't' || (g % 3 + 1) "
    "FROM generate_series(1, 500) g",
]

EMAIL = """safety_period = 0
[[operations]]
type = "alter_column"
table = "users"
column = "email"
data_type = "text"
up = "lower(email)"
down = "email"
"""

EMAIL_OFFLINE = ["ALTER TABLE users ALTER COLUMN email TYPE text USING lower(email)"]


def _sql(db: Database, *statements: str) -> list[tuple[object, ...]]:
    out: list[tuple[object, ...]] = []
    with psycopg.connect(conninfo(db.url), autocommit=True) as conn:
        for sql in statements:
            cur = conn.execute(sql)
            out = cur.fetchall() if cur.description else []
    return out


def _settings(db: Database) -> Settings:
    return Settings(url=db.url, lock_timeout=30)


def test_alter_column_keeps_unique_indexes_checks_keys_default_and_comment(
    pg_db: Database, tmp_path: Path
) -> None:
    _sql(pg_db, *USERS)
    path = write_migration(tmp_path, NAME, EMAIL)
    service.start(path, _settings(pg_db), options(), Quiet())
    # In flight: the hidden column has the old column's indexes, valid, unique where the
    # old ones are (new-version lookups by email are index scans, duplicates refused).
    hidden = _sql(
        pg_db,
        "SELECT i.indisunique, i.indisvalid FROM pg_index i "
        "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
        "WHERE i.indrelid = 'users'::regclass AND a.attname = '_dbshift_new_email' "
        "ORDER BY 1",
    )
    assert hidden == [(False, True), (True, True)], hidden
    with psycopg.connect(conninfo(pg_db.url), autocommit=True) as conn:
        conn.execute(f'SET search_path TO "public_{NAME}", public')
        plan = conn.execute(
            "EXPLAIN SELECT * FROM users WHERE email = 'user7@example.com'"
        ).fetchall()
        assert "Index" in str(plan), plan
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute("INSERT INTO users (email) VALUES ('user7@example.com')")
    service.complete(NAME, _settings(pg_db), options(), Quiet(), schema="public", force=True)

    wanted = offline_equivalent(tmp_path, USERS, EMAIL_OFFLINE, "users")
    actual = snapshot(pg_db.url, "users")
    assert_same(actual, wanted, order=False)
    # Documented: PostgreSQL cannot keep the altered column in place.
    assert actual["order"] == ["id", "team", "team_slug", "plan", "email"]
    with pytest.raises(psycopg.errors.UniqueViolation):
        _sql(pg_db, "INSERT INTO users (email) VALUES ('user7@example.com')")
    with pytest.raises(psycopg.errors.CheckViolation):
        _sql(pg_db, "INSERT INTO users (email) VALUES ('no-at-sign')")
    # The default was kept (the file left it out), and the serial still counts.
    # (three failed inserts above took ids 501-503).
    assert _sql(pg_db, "INSERT INTO users (team) VALUES (1) RETURNING email, id") == [
        ("nobody@example.com", 504)
    ]


def test_alter_column_rollback_leaves_the_table_as_it_was(pg_db: Database, tmp_path: Path) -> None:
    _sql(pg_db, *USERS)
    before = snapshot(pg_db.url, "users")
    path = write_migration(tmp_path, NAME, EMAIL)
    service.start(path, _settings(pg_db), options(), Quiet())
    service.rollback(NAME, _settings(pg_db), options(), Quiet(), schema="public")
    assert_same(snapshot(pg_db.url, "users"), before, order=True)


def test_alter_column_changes_default_and_nullability_only_when_asked(
    pg_db: Database, tmp_path: Path
) -> None:
    _sql(pg_db, *USERS)
    body = (
        "safety_period = 0\n[[operations]]\n"
        'type = "alter_column"\ntable = "users"\ncolumn = "plan"\ndrop_default = true\n'
        "not_null = false\n"
    )
    path = write_migration(tmp_path, NAME, body)
    service.start(path, _settings(pg_db), options(), Quiet())
    service.complete(NAME, _settings(pg_db), options(), Quiet(), schema="public", force=True)
    wanted = offline_equivalent(
        tmp_path,
        USERS,
        [
            "ALTER TABLE users ALTER COLUMN plan DROP DEFAULT",
            "ALTER TABLE users ALTER COLUMN plan DROP NOT NULL",
        ],
        "users",
    )
    assert_same(snapshot(pg_db.url, "users"), wanted, order=False)


@pytest.mark.parametrize(
    ("setup", "body", "message"),
    [
        (
            "CREATE TABLE orders (id int PRIMARY KEY, owner_email varchar(200) "
            "REFERENCES users (email))",
            EMAIL,
            "referenced by foreign key orders_owner_email_fkey of orders",
        ),
        (
            "CREATE VIEW user_emails AS SELECT email FROM users",
            EMAIL,
            "used by view or rule user_emails",
        ),
        (
            "",
            EMAIL.replace('"email"', '"id"', 1)
            .replace('"text"', '"bigint"')
            .replace("lower(email)", "id")
            .replace('down = "email"', 'down = "id"'),
            "is in the primary key",
        ),
        (
            "",
            'safety_period = 0\n[[operations]]\ntype = "add_unique"\ntable = "users"\n'
            'name = "users_team_email_idx"\ncolumns = ["plan"]\n',
            "an index named 'users_team_email_idx' already exists",
        ),
        (
            "",
            'safety_period = 0\n[[operations]]\ntype = "create_index"\ntable = "users"\n'
            'name = "users_email_key"\ncolumns = ["plan"]\n',
            "an index named 'users_email_key' already exists",
        ),
        (
            "",
            'safety_period = 0\n[[operations]]\ntype = "add_check"\ntable = "users"\n'
            'name = "users_email_shape"\ncolumn = "email"\ncheck = "email <> \'\'"\n',
            "constraint 'users_email_shape' already exists on 'users'",
        ),
        (
            "",
            'safety_period = 0\n[[operations]]\ntype = "alter_column"\ntable = "users"\n'
            'column = "plan"\ndefault = "basic"\n',
            'default is not a valid SQL expression here: column "basic" does not exist',
        ),
        (
            "",
            'safety_period = 0\n[[operations]]\ntype = "alter_column"\ntable = "users"\n'
            'column = "plan"\nup = "upper(plan, 2)"\n',
            "up is not a valid SQL expression here: function upper(text, integer) does not",
        ),
        (
            "",
            'safety_period = 0\n[[operations]]\ntype = "rename_column"\ntable = "users"\n'
            'column = "plan"\nnew_name = "tier"\n[[operations]]\ntype = "alter_column"\n'
            'table = "users"\ncolumn = "team"\ndown = "plan"\n',
            'down is not a valid SQL expression here: column "plan" does not exist',
        ),
        (
            "",
            'safety_period = 0\n[[operations]]\ntype = "add_column"\ntable = "users"\n'
            'column = "n"\ndata_type = "int"\ndefault = 0\n',
            'default must be a string holding an SQL expression, e.g. default = "0"',
        ),
    ],
    ids=[
        "fk-in",
        "view",
        "primary-key",
        "add-unique-name-taken",
        "create-index-name-taken",
        "check-name-taken",
        "default-identifier",
        "up-bad-call",
        "down-new-names",
        "default-not-a-string",
    ],
)
def test_refused_before_anything_changes(
    pg_db: Database, tmp_path: Path, setup: str, body: str, message: str
) -> None:
    """One line, non-zero exit, nothing printed before it, the table untouched."""
    _sql(pg_db, *USERS, *([setup] if setup else []))
    before = snapshot(pg_db.url, "users")
    path = write_migration(tmp_path, NAME, body)
    env = {k: v for k, v in os.environ.items() if k not in ("DBSHIFT_URL", "DATABASE_URL")}
    result = subprocess.run(
        [*dbshift_executable(), "online", "start", str(path), "--url", pg_db.url],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0, result
    assert message in result.stderr, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, result.stderr
    assert result.stdout == "", result.stdout
    assert_same(snapshot(pg_db.url, "users"), before, order=True)
    journal = _sql(pg_db, "SELECT to_regclass('public.dbshift_online')")[0][0]
    if journal is not None:
        assert _sql(pg_db, "SELECT count(*) FROM dbshift_online") == [(0,)]


def test_rollback_drops_only_what_start_created(pg_db: Database, tmp_path: Path) -> None:
    """A failed build (duplicates) leaves start's own invalid index; rollback removes it
    and nothing else (the user's unique constraint and indexes stay)."""
    _sql(pg_db, *USERS, "UPDATE users SET plan = 'same'")
    before = snapshot(pg_db.url, "users")
    body = (
        'safety_period = 0\n[[operations]]\ntype = "add_unique"\ntable = "users"\n'
        'name = "users_plan_key"\ncolumns = ["plan"]\n'
    )
    path = write_migration(tmp_path, NAME, body)
    with pytest.raises(Exception, match="could not create unique index"):
        service.start(path, _settings(pg_db), options(), Quiet())
    service.rollback(NAME, _settings(pg_db), options(), Quiet(), schema="public")
    assert_same(snapshot(pg_db.url, "users"), before, order=True)


# --- under load: the harness's writers through both versions, then the catalog judge ----

KEPT = [
    f"ALTER TABLE {TABLE} ADD CONSTRAINT items_code_key UNIQUE (code)",
    f"CREATE INDEX items_note_code_idx ON {TABLE} (note, code)",
    f"CREATE INDEX items_code_lower_idx ON {TABLE} (lower(code)) WHERE code <> ''",
    f"ALTER TABLE {TABLE} ADD CONSTRAINT items_code_len CHECK (length(code) < 60)",
    f"CREATE INDEX items_note_idx ON {TABLE} (note)",
    f"COMMENT ON COLUMN {TABLE}.code IS 'the code'",
    f"COMMENT ON COLUMN {TABLE}.note IS 'a note'",
]

LOADED = {
    "alter": (ALTER, [f"ALTER TABLE {TABLE} ALTER COLUMN code TYPE text USING upper(code)"]),
    "rename": (RENAME, [f"ALTER TABLE {TABLE} RENAME COLUMN note TO remark"]),
    "add": (ADD, [f"ALTER TABLE {TABLE} ADD COLUMN tag text NOT NULL DEFAULT 'none'"]),
    # KEPT's items_code_key is in the way of UNIQUE's name: the same constraint under
    # another one, beside the user's own.
    "unique": (UNIQUE, [f"ALTER TABLE {TABLE} ADD CONSTRAINT items_code_key2 UNIQUE (code)"]),
}


def _loaded(key: str) -> Scenario:
    scenario, _ = LOADED[key]
    toml = scenario.toml.replace('"items_code_key"', '"items_code_key2"')
    after = scenario.after_complete
    if after is not None:
        after = (after[0].replace("'items_code_key'", "'items_code_key2'"), after[1])
    fields = {**scenario.__dict__, "toml": toml, "after_complete": after}
    return Scenario(**{**fields, "setup": ";\n".join(KEPT) + ";"})


@pytest.mark.parametrize("finish", ["complete", "rollback"])
@pytest.mark.parametrize("key", sorted(LOADED))
def test_catalog_after_operation_under_load(
    pg_db: Database, tmp_path: Path, key: str, finish: str
) -> None:
    scenario = _loaded(key)
    _run(pg_db, tmp_path, scenario, finish=finish)
    setup = [SETUP, *KEPT]
    ddl = LOADED[key][1] if finish == "complete" else []
    wanted = offline_equivalent(tmp_path, setup, ddl, TABLE)
    actual = snapshot(pg_db.url, TABLE)
    assert_same(actual, wanted, order=key != "alter" or finish == "rollback")


def test_journal_records_what_start_created(pg_db: Database, tmp_path: Path) -> None:
    _sql(pg_db, *USERS)
    path = write_migration(tmp_path, NAME, EMAIL)
    service.start(path, _settings(pg_db), options(), Quiet())
    created = _sql(pg_db, "SELECT backfill::json -> '_dbshift_pg' -> 'created' FROM dbshift_online")
    names = created[0][0]
    assert isinstance(names, list) and len(names) == 3  # email key, (team, email), domain
    assert all(str(n).startswith("_dbshift_i_") for n in names)


def _cli(db: Database, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DBSHIFT_URL", "DATABASE_URL")}
    return subprocess.run(
        [*dbshift_executable(), "online", *args, "--url", db.url],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_start_warns_of_column_order_and_status_counts_an_unanalyzed_table(
    pg_db: Database, tmp_path: Path
) -> None:
    _sql(pg_db, SETUP)  # 6000 rows, never vacuumed or analyzed: no estimate yet
    body = (
        f'safety_period = 0\n[[operations]]\ntype = "alter_column"\ntable = "{TABLE}"\n'
        'column = "note"\ndata_type = "varchar(300)"\n'
    )
    path = write_migration(tmp_path, NAME, body)
    started = _cli(pg_db, tmp_path, "start", str(path))
    assert started.returncode == 0, started.stderr
    assert "moves to the end of the table" in started.stdout, started.stdout
    status = _cli(pg_db, tmp_path, "status")
    assert f"about {6000} in the table" in status.stdout, status.stdout


def test_safety_period_is_an_option_of_start_only(pg_db: Database, tmp_path: Path) -> None:
    for action in ("complete", "rollback", "pause", "status"):
        shown = subprocess.run(
            [*dbshift_executable(), "online", action, "--help"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert "--safety-period" not in shown.stdout, action
    shown = subprocess.run(
        [*dbshift_executable(), "online", "start", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "--safety-period" in shown.stdout


@pytest.mark.parametrize("crash", ["after-expand", "after-index", "in-backfill"])
def test_killed_start_resumes_and_still_carries_everything(
    pg_db: Database, tmp_path: Path, crash: str
) -> None:
    _sql(pg_db, *USERS)
    path = write_migration(tmp_path, NAME, EMAIL)
    env = {k: v for k, v in os.environ.items() if k not in ("DBSHIFT_URL", "DATABASE_URL")}
    command = [*dbshift_executable(), "online", "start", str(path), "--url", pg_db.url]
    killed = subprocess.run(
        [*command, "--batch-size", "100"],
        cwd=tmp_path,
        env={**env, "DBSHIFT_ONLINE_CRASH_AT": crash},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert killed.returncode == 137, killed
    assert _cli(pg_db, tmp_path, "start", str(path)).returncode == 0
    done = _cli(pg_db, tmp_path, "complete", NAME, "--force")
    assert done.returncode == 0, done.stderr
    wanted = offline_equivalent(tmp_path, USERS, EMAIL_OFFLINE, "users")
    assert_same(snapshot(pg_db.url, "users"), wanted, order=False)
