"""``dbshift drift`` on all three servers: every kind of by-hand change is found, named and
classified, and ``--generate`` makes it part of the history (judged by a second, replayed
drift check, so the generated SQL must rebuild exactly what is live)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import MYSQL_URL, POSTGRES_URL, Database, Project, sql_migration

BASE = {
    "sqlite": sql_migration(
        "CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL);\n"
        "CREATE TABLE orders (id integer PRIMARY KEY, user_id integer, total numeric);\n"
        "CREATE VIEW v_users AS SELECT id, email FROM users;\n"
        "CREATE TRIGGER t_users AFTER UPDATE ON users BEGIN SELECT 1; END;",
        "DROP TRIGGER t_users;\nDROP VIEW v_users;\nDROP TABLE orders;\nDROP TABLE users;",
    ),
    "postgresql": sql_migration(
        "CREATE TYPE mood AS ENUM ('ok', 'sad');\n"
        "CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL, mood mood);\n"
        "CREATE TABLE orders (id integer PRIMARY KEY, user_id integer, total numeric(10,2));\n"
        "CREATE VIEW v_users AS SELECT id, email FROM users;\n"
        "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\n"
        "CREATE TRIGGER t_users BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();",
        "DROP VIEW v_users;\nDROP TABLE orders;\nDROP TABLE users;\nDROP FUNCTION touch();\n"
        "DROP TYPE mood;",
    ),
    "mysql": sql_migration(
        "CREATE TABLE users (id int PRIMARY KEY, email varchar(200) NOT NULL,"
        " mood enum('ok','sad'));\n"
        "CREATE TABLE orders (id int PRIMARY KEY, user_id int, total decimal(10,2));\n"
        "CREATE VIEW v_users AS SELECT id, email FROM users;\n"
        "CREATE FUNCTION twice(x int) RETURNS int DETERMINISTIC RETURN x * 2;\n"
        "CREATE TRIGGER t_users BEFORE UPDATE ON users FOR EACH ROW SET NEW.email = NEW.email;",
        "DROP TRIGGER t_users;\nDROP FUNCTION twice;\nDROP VIEW v_users;\nDROP TABLE orders;\n"
        "DROP TABLE users;",
    ),
}

# (case id, statements run by hand (separated by ' ;; '), expected change, a word of the object's name)
Case = tuple[str, str, str, str]
#: The same statements on every backend.
EVERYWHERE: list[Case] = [
    ("column-added", "ALTER TABLE users ADD COLUMN note text", "added", "users.note"),
    ("column-dropped", "ALTER TABLE orders DROP COLUMN user_id", "dropped", "orders.user_id"),
    ("index", "CREATE INDEX ix_email ON users (email)", "added", "ix_email"),
]
#: The same statements on PostgreSQL and MySQL/MariaDB (SQLite has no ADD CONSTRAINT and
#: no CREATE OR REPLACE VIEW).
SERVERS: list[Case] = [
    (
        "foreign-key",
        "ALTER TABLE orders ADD CONSTRAINT fk_user FOREIGN KEY (user_id) REFERENCES users (id)",
        "added",
        "fk_user",
    ),
    (
        "view",
        "CREATE OR REPLACE VIEW v_users AS SELECT id, email, mood FROM users",
        "changed",
        "v_users",
    ),
]
CASES: dict[str, list[Case]] = {
    "sqlite": [
        *EVERYWHERE,
        (
            "view",
            "DROP VIEW v_users ;; CREATE VIEW v_users AS SELECT id FROM users",
            "changed",
            "v_users",
        ),
        ("trigger", "DROP TRIGGER t_users", "dropped", "t_users"),
        ("table", "CREATE TABLE audit (id integer PRIMARY KEY)", "added", "audit"),
    ],
    "postgresql": [
        *EVERYWHERE,
        *SERVERS,
        (
            "column-type",
            "ALTER TABLE orders ALTER COLUMN total TYPE numeric(12,2)",
            "changed",
            "orders.total",
        ),
        (
            "check",
            "ALTER TABLE orders ADD CONSTRAINT ck_total CHECK (total >= 0)",
            "added",
            "ck_total",
        ),
        (
            "function",
            "CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN NEW.email := lower(NEW.email); RETURN NEW; END $$",
            "changed",
            "touch",
        ),
        ("trigger", "DROP TRIGGER t_users ON users", "dropped", "t_users"),
        ("enum-value", "ALTER TYPE mood ADD VALUE 'happy'", "changed", "mood"),
        ("table-comment", "COMMENT ON TABLE users IS 'people'", "changed", "users"),
        ("column-comment", "COMMENT ON COLUMN users.email IS 'login'", "changed", "users.email"),
    ],
    "mysql": [
        *EVERYWHERE,
        *SERVERS,
        (
            "column-type",
            "ALTER TABLE orders MODIFY total decimal(12,2)",
            "changed",
            "orders.total",
        ),
        (
            "function",
            "DROP FUNCTION twice ;; CREATE FUNCTION twice(x int) RETURNS int DETERMINISTIC "
            "RETURN x + x",
            "changed",
            "twice",
        ),
        ("trigger", "DROP TRIGGER t_users", "dropped", "t_users"),
        (
            "enum-value",
            "ALTER TABLE users MODIFY mood enum('ok','sad','happy')",
            "changed",
            "users.mood",
        ),
        ("table-comment", "ALTER TABLE users COMMENT = 'people'", "changed", "users"),
        (
            "column-comment",
            "ALTER TABLE users MODIFY email varchar(200) NOT NULL COMMENT 'login'",
            "changed",
            "users.email",
        ),
    ],
}

PARAMS = [
    pytest.param(backend, case, id=f"{backend}-{case[0]}")
    for backend, cases in CASES.items()
    for case in cases
]


def _dev_url(backend: str) -> list[str]:
    if backend == "sqlite":
        return []
    return ["--dev-url", POSTGRES_URL if backend == "postgresql" else MYSQL_URL]


def _by_hand(db: Database, statements: str) -> None:
    with db.begin() as conn:
        for statement in statements.split(" ;; "):
            conn.exec_driver_sql(statement)


def migrated(db: Database, tmp_path: Path) -> Project:
    """A project on ``db`` with its backend's BASE migration applied."""
    project = Project(tmp_path, db.url)
    project.write("1_base.sql", BASE[db.backend])
    assert project.run("migrate").code == 0
    return project


def _drift(project: Project, *args: str) -> tuple[int, dict[str, object]]:
    result = project.run("drift", "--format", "json", *args)
    assert result.code in (0, 1) and result.out.startswith("{"), result.err + result.out
    return result.code, json.loads(result.out)


@pytest.fixture
def backend_db(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    from tests.conftest import fresh_database

    yield from fresh_database(request.param, tmp_path)


@pytest.mark.parametrize(("backend_db", "case"), PARAMS, indirect=["backend_db"])
def test_by_hand_change_is_found_and_adopted(
    backend_db: Database, case: tuple[str, str, str, str], tmp_path: Path
) -> None:
    _, statements, change, word = case
    project = migrated(backend_db, tmp_path)
    assert _drift(project)[0] == 0

    _by_hand(backend_db, statements)
    code, report = _drift(project)
    assert code == 1 and report["drift"] is True
    changes = report["changes"]
    assert isinstance(changes, list)
    found = [c for c in changes if word in c["object"]]
    assert found, changes
    assert found[0]["change"] == change, changes
    # Only what was done by hand is reported.
    assert all(word in c["object"] or word in " ".join(c["details"]) for c in changes), changes

    adopted = project.run("drift", "--generate", "adopt by hand change")
    assert adopted.code == 0, adopted.err + adopted.out
    assert "recorded as applied" in adopted.out
    assert _drift(project)[0] == 0
    # The generated migration replayed from empty builds exactly the live schema.
    code, report = _drift(project, "--replay", *_dev_url(backend_db.backend))
    assert code == 0, report
    assert project.run("validate").code == 0


@pytest.mark.parametrize("backend_db", ["sqlite", "postgresql", "mysql"], indirect=True)
def test_revert_puts_the_expected_schema_back(backend_db: Database, tmp_path: Path) -> None:
    project = migrated(backend_db, tmp_path)
    _by_hand(backend_db, "CREATE INDEX ix_email ON users (email)")
    _by_hand(backend_db, "ALTER TABLE users ADD COLUMN note text")
    script = tmp_path / "undo.sql"
    written = project.run("drift", "--revert", str(script))
    assert written.code == 1 and "--apply" in written.out, written.err
    assert "ix_email" in script.read_text() and _drift(project)[0] == 1  # written, not run
    inside = project.run("drift", "--revert", str(project.migrations / "undo.sql"))
    assert inside.code == 2 and "outside the migrations directory" in inside.err
    refused = project.run("drift", "--revert", str(script), "--apply")
    assert refused.code == 2 and "drop column users.note" in refused.err
    assert _drift(project)[0] == 1  # nothing ran
    applied = project.run("drift", "--revert", str(script), "--apply", "--allow-destructive")
    assert applied.code == 0, applied.err
    assert _drift(project)[0] == 0
    code, _ = _drift(project, "--replay", *_dev_url(backend_db.backend))
    assert code == 0


def test_drift_without_snapshot_replays(sqlite_db: Database, tmp_path: Path) -> None:
    project = Project(tmp_path, sqlite_db.url)
    (tmp_path / "dbshift.toml").write_text("drift_snapshots = false\n")
    project.write("1_base.sql", BASE["sqlite"])
    assert project.run("migrate").code == 0
    code, report = _drift(project)
    assert code == 0 and "replay" in str(report["expected_from"])
    _by_hand(sqlite_db, "ALTER TABLE users ADD COLUMN note text")
    code, report = _drift(project)
    assert code == 1 and "replay" in str(report["expected_from"])


def test_tampered_snapshot_is_refused_in_one_line(sqlite_db: Database, tmp_path: Path) -> None:
    project = migrated(sqlite_db, tmp_path)
    _by_hand(sqlite_db, "UPDATE dbshift_history_snapshot SET data = X'00'")
    result = project.run("drift")
    assert result.code == 1
    assert "does not match its checksum" in result.err and "--replay" in result.err
    assert "Traceback" not in result.err and len(result.err.strip().splitlines()) == 1


def test_drift_refuses_with_pending_migrations_when_generating(
    sqlite_db: Database, tmp_path: Path
) -> None:
    project = migrated(sqlite_db, tmp_path)
    _by_hand(sqlite_db, "ALTER TABLE users ADD COLUMN note text")
    project.write("2_more.sql", sql_migration("CREATE TABLE more (id integer);"))
    result = project.run("drift", "--generate", "adopt")
    assert result.code == 2 and "pending" in result.err
    assert sorted(p.name for p in project.migrations.glob("*.sql")) == ["1_base.sql", "2_more.sql"]


def test_dbshift_tables_are_never_drift(sqlite_db: Database, tmp_path: Path) -> None:
    project = migrated(sqlite_db, tmp_path)
    assert project.run("rollback", "--allow-destructive").code == 0
    code, report = _drift(project)
    assert code == 0, report
    assert report["version"] is None


def test_status_mentions_drift_when_a_snapshot_makes_it_cheap(
    sqlite_db: Database, tmp_path: Path
) -> None:
    project = migrated(sqlite_db, tmp_path)
    clean = project.run("status", "--format", "json")
    assert json.loads(clean.out)["drift"] == 0
    _by_hand(sqlite_db, "CREATE INDEX ix_email ON users (email)")
    status = project.run("status")
    assert status.code == 0 and "drift: 1 object(s) changed outside the migrations" in status.out
    assert json.loads(project.run("status", "--format", "json").out)["drift"] == 1


def test_baseline_snapshots_the_adopted_schema(sqlite_db: Database, tmp_path: Path) -> None:
    project = Project(tmp_path, sqlite_db.url)
    _by_hand(sqlite_db, "CREATE TABLE legacy (id integer PRIMARY KEY)")
    project.write("1_base.sql", BASE["sqlite"])
    assert project.run("baseline", "1").code == 0
    code, report = _drift(project)
    assert code == 0 and "snapshot" in str(report["expected_from"]), report
    _by_hand(sqlite_db, "CREATE INDEX ix_legacy ON legacy (id)")
    code, report = _drift(project)
    assert code == 1 and report["changes"][0]["object"] == "index ix_legacy on legacy"


def test_online_helpers_are_never_drift(sqlite_db: Database, tmp_path: Path) -> None:
    project = migrated(sqlite_db, tmp_path)
    _by_hand(sqlite_db, "CREATE TABLE _dbshift_shadow_users (id integer PRIMARY KEY)")
    assert _drift(project)[0] == 0


def test_an_online_migration_that_completed_is_not_drift(
    sqlite_db: Database, tmp_path: Path
) -> None:
    project = migrated(sqlite_db, tmp_path)
    online = tmp_path / "20990101000000_note.toml"
    online.write_text(
        '[[operations]]\ntype = "add_column"\ntable = "users"\ncolumn = "note"\n'
        'data_type = "TEXT"\n'
    )
    started = project.run("online", "start", str(online))
    assert started.code == 0 and "completed" in started.out, started.err + started.out
    assert _drift(project)[0] == 0


def test_replay_of_a_latin1_database_is_no_drift(mysql_db: Database, tmp_path: Path) -> None:
    """Migrations that say no character set built latin1 tables in a latin1 database: the
    replay builds them so too (its scratch database takes the live one's default), not
    in the dev server's default."""
    name = mysql_db.url.rsplit("/", 1)[1]
    with mysql_db.connect() as conn:
        conn.exec_driver_sql(f"ALTER DATABASE `{name}` CHARACTER SET latin1")
    project = Project(tmp_path, mysql_db.url)
    project.write(
        "1_base.sql",
        sql_migration(
            "CREATE TABLE notes (id int PRIMARY KEY, body varchar(40));", "DROP TABLE notes;"
        ),
    )
    assert project.run("migrate").code == 0
    assert mysql_db.scalar(
        "SELECT TABLE_COLLATION FROM information_schema.TABLES WHERE TABLE_NAME = 'notes'"
        " AND TABLE_SCHEMA = DATABASE()"
    ).startswith("latin1")
    code, report = _drift(project, "--replay", *_dev_url("mysql"))
    assert code == 0, report


#: A snapshot as dbshift wrote it before every MySQL table's collation was kept: a table at
#: its database's default had no collation (no ``options`` at all), one that differed had
#: its own; the database's defaults came along.
_OLD_SNAPSHOT = {
    "codec": 1,
    "schema": {
        "tables": [
            {
                "name": "codes",
                "columns": [{"name": "code", "type": "char(3)", "nullable": False}],
                "primary_key": {"columns": ["code"]},
                "options": {"collation": "latin1_bin"},
            },
            {
                "name": "notes",
                "columns": [
                    {"name": "id", "type": "int(11)", "nullable": False},
                    {"name": "body", "type": "varchar(40)", "nullable": False},
                ],
                "primary_key": {"columns": ["id"]},
            },
        ],
        "defaults": {"engine": "InnoDB", "collation": "latin1_swedish_ci"},
    },
}


def test_an_older_snapshot_without_table_collations_is_no_drift(
    mysql_db: Database, tmp_path: Path
) -> None:
    """After an upgrade, the snapshot the older dbshift left holds no collation for tables
    at the database's default: it means that default, as the live tables have it, and
    only a real change of collation is drift."""
    import hashlib
    import zlib

    name = mysql_db.url.rsplit("/", 1)[1]
    with mysql_db.connect() as conn:
        conn.exec_driver_sql(f"ALTER DATABASE `{name}` CHARACTER SET latin1")
    project = Project(tmp_path, mysql_db.url)
    project.write(
        "1_base.sql",
        sql_migration(
            "CREATE TABLE notes (id int PRIMARY KEY, body varchar(40) NOT NULL);\n"
            "CREATE TABLE codes (code char(3) PRIMARY KEY) COLLATE latin1_bin;",
            "DROP TABLE codes;\nDROP TABLE notes;",
        ),
    )
    assert project.run("migrate").code == 0
    data = zlib.compress(json.dumps(_OLD_SNAPSHOT).encode("utf-8"))
    with mysql_db.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE dbshift_history_snapshot SET data = %s, checksum = %s,"
            " dbshift_version = '0.9.0'",
            (data, hashlib.sha256(data).hexdigest()),
        )
    code, report = _drift(project)
    assert "0.9.0" in str(report["expected_from"]), report
    assert code == 0, report

    _by_hand(mysql_db, "ALTER TABLE notes COLLATE latin1_general_ci")
    code, report = _drift(project)
    assert code == 1, report
    changes = report["changes"]
    assert isinstance(changes, list)
    assert [c["object"] for c in changes] == ["set table options on notes (collation)"], changes
