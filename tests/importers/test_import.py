"""``dbshift import``: real directories of each tool, real history tables on every backend."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dbshift.dialects import named
from dbshift.importers.flyway import checksum as flyway_checksum
from dbshift.migrations.splitter import split_sql
from tests.conftest import Database, Project


def run_sql(db: Database, script: str) -> None:
    """Stand in for the old tool having applied a file: its statements, run on the server."""
    with db.connect() as conn:
        for statement in split_sql(script, named(db.backend)):
            conn.exec_driver_sql(statement.sql)
        if db.backend == "sqlite":
            conn.commit()


def write(directory: Path, files: dict[str, str]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (directory / name).write_text(text)
    return directory


def fresh(root: Path) -> Project:
    """A project with no database: only files are converted."""
    root.mkdir(parents=True)
    return Project(root, "sqlite:///unused.db")


def status(project: Project) -> dict:
    result = project.run("status", "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def versions(doc: dict, key: str) -> list[str]:
    return [m["version"] for m in doc[key]]


USERS_UP = "CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR(50));\n"
ORDERS_UP = "CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER);\n"
SEED_UP = "INSERT INTO users (id, name) VALUES (1, '${not_a_placeholder}');\n"


def test_golang_migrate_directory_and_schema_migrations(
    project: Project, db: Database, tmp_path: Path
) -> None:
    source = write(
        tmp_path / "gm",
        {
            "000001_create_users.up.sql": USERS_UP,
            "000001_create_users.down.sql": "DROP TABLE users;\n",
            "000002_create_orders.up.sql": ORDERS_UP,
            "000002_create_orders.down.sql": "DROP TABLE orders;\n",
            "000003_seed.up.sql": SEED_UP,
            "README.md": "not a migration",
        },
    )
    run_sql(db, USERS_UP + ORDERS_UP)
    run_sql(
        db,
        "CREATE TABLE schema_migrations (version BIGINT NOT NULL PRIMARY KEY, dirty BOOLEAN NOT NULL);\n"
        "INSERT INTO schema_migrations (version, dirty) VALUES (2, FALSE);",
    )
    result = project.run("import", "golang-migrate", str(source))
    assert result.code == 0, result.err
    assert "wrote 3 migration(s)" in result.out
    assert "adopted 2 applied migration(s) from schema_migrations" in result.out
    names = sorted(p.name for p in project.migrations.iterdir())
    assert names == ["1_create_users.sql", "2_create_orders.sql", "3_seed.sql", "dbshift.sum"]
    doc = status(project)
    assert versions(doc, "applied") == ["1", "2"] and versions(doc, "pending") == ["3"]
    assert project.run("validate").code == 0

    migrated = project.run("migrate")
    assert migrated.code == 0, migrated.err
    assert "applied 1 migration(s)" in migrated.out
    # ${...} meant nothing to golang-migrate, so it stays literal text.
    assert db.scalar("SELECT name FROM users WHERE id = 1") == "${not_a_placeholder}"
    history = json.loads(project.run("history", "--format", "json").out)
    assert "imported from golang-migrate" in history[0]["applied_by"]
    # The down files became down sections.
    assert project.run("rollback", "--to", "1").code == 1  # 3_seed has no down section
    assert "orders" in db.tables()


def test_dirty_golang_migrate_version_is_refused_and_nothing_is_written(
    project: Project, db: Database, tmp_path: Path
) -> None:
    source = write(tmp_path / "gm", {"1_a.up.sql": USERS_UP, "2_b.up.sql": ORDERS_UP})
    run_sql(
        db,
        "CREATE TABLE schema_migrations (version BIGINT NOT NULL PRIMARY KEY, dirty BOOLEAN NOT NULL);\n"
        "INSERT INTO schema_migrations (version, dirty) VALUES (2, TRUE);",
    )
    result = project.run("import", "golang-migrate", str(source))
    assert result.code == 1
    assert "golang-migrate left version 2 dirty" in result.err
    assert list(project.migrations.iterdir()) == []


def test_dbmate_directory_and_history(project: Project, db: Database, tmp_path: Path) -> None:
    source = write(
        tmp_path / "db" / "migrations",
        {
            "20240101000000_create_users.sql": (
                f"-- migrate:up\n{USERS_UP}\n-- migrate:down\nDROP TABLE users;\n"
            ),
            "20240102000000_orders.sql": (
                f"-- migrate:up transaction:false\n{ORDERS_UP}\n-- migrate:down\nDROP TABLE orders;\n"
            ),
            "20240103000000_index.sql": (
                "-- migrate:up\nCREATE INDEX orders_user ON orders (user_id);\n\n-- migrate:down\n"
            ),
        },
    )
    run_sql(db, USERS_UP)
    run_sql(
        db,
        "CREATE TABLE schema_migrations (version VARCHAR(128) PRIMARY KEY);\n"
        "INSERT INTO schema_migrations (version) VALUES ('20240101000000');",
    )
    result = project.run("import", "dbmate", str(source))
    assert result.code == 0, result.err
    assert "adopted 1 applied migration(s)" in result.out
    orders = (project.migrations / "20240102000000_orders.sql").read_text()
    assert "-- dbshift:no-transaction" in orders and "-- dbshift:down" in orders
    index = (project.migrations / "20240103000000_index.sql").read_text()
    assert "-- dbshift:down" not in index  # an empty down is no down
    doc = status(project)
    assert versions(doc, "applied") == ["20240101000000"]
    assert project.run("migrate").code == 0
    assert {"users", "orders"} <= db.tables()


GOOSE_HISTORY = """
CREATE TABLE goose_db_version (
    id INTEGER PRIMARY KEY, version_id BIGINT NOT NULL, is_applied BOOLEAN NOT NULL
);
INSERT INTO goose_db_version (id, version_id, is_applied) VALUES
    (1, 0, TRUE), (2, 1, TRUE), (3, 2, TRUE), (4, 2, FALSE);
"""


def test_goose_directory_and_history(project: Project, db: Database, tmp_path: Path) -> None:
    """goose's newest row per version decides: 2 was applied, then rolled back."""
    source = write(
        tmp_path / "goose",
        {
            "00001_create_users.sql": (
                f"-- +goose Up\n{USERS_UP}\n-- +goose Down\nDROP TABLE users;\n"
            ),
            "00002_orders.sql": (
                "-- +goose NO TRANSACTION\n-- +goose Up\n-- +goose StatementBegin\n"
                f"{ORDERS_UP}-- +goose StatementEnd\n\n-- +goose Down\nDROP TABLE orders;\n"
            ),
            "00003_index.sql": ("-- +goose Up\nCREATE INDEX orders_user ON orders (user_id);\n"),
        },
    )
    run_sql(db, USERS_UP)
    run_sql(db, GOOSE_HISTORY)
    result = project.run("import", "goose", str(source))
    assert result.code == 0, result.err
    assert "adopted 1 applied migration(s)" in result.out
    orders = (project.migrations / "2_orders.sql").read_text()
    assert "-- dbshift:no-transaction" in orders and "-- dbshift:down" in orders
    assert "goose" not in orders.split("-- dbshift:up", 1)[1]
    assert versions(status(project), "applied") == ["1"]
    done = project.run("migrate")
    assert done.code == 0, done.err
    assert {"users", "orders"} <= db.tables()


@pytest.mark.mysql
def test_goose_statement_block_runs_whole_on_mysql(mysql_db: Database, tmp_path: Path) -> None:
    """A StatementBegin … StatementEnd block is one statement in goose: a MySQL routine body
    full of ';' reaches the server whole (fenced with DELIMITER)."""
    source = write(
        tmp_path / "goose",
        {
            "20240101000000_proc.sql": (
                "-- +goose Up\n-- +goose StatementBegin\n"
                "CREATE PROCEDURE bump(IN n INT)\nBEGIN\n  SELECT n + 1;\n  SELECT n + 2;\nEND;\n"
                "-- +goose StatementEnd\n\n-- +goose Down\nDROP PROCEDURE bump;\n"
            ),
        },
    )
    (tmp_path / "project").mkdir()
    project = Project(tmp_path / "project", mysql_db.url)
    result = project.run("import", "goose", str(source))
    assert result.code == 0, result.err
    done = project.run("migrate")
    assert done.code == 0, done.err
    assert (
        mysql_db.scalar(
            "SELECT COUNT(*) FROM information_schema.ROUTINES"
            " WHERE ROUTINE_SCHEMA = DATABASE() AND ROUTINE_NAME = 'bump'"
        )
        == 1
    )


@pytest.mark.parametrize(
    ("name", "text", "said"),
    [
        ("00001_x.go", "package migrations\n", "goose Go migrations are not supported yet"),
        (
            "00001_x.sql",
            "-- +goose ENVSUB ON\n-- +goose Up\nSELECT 1;\n",
            "00001_x.sql:1: goose ENVSUB (environment substitution) is not supported yet",
        ),
        ("00001_x.sql", "SELECT 1;\n", "00001_x.sql: no '-- +goose Up' line"),
        (
            "00001_x.sql",
            "-- +goose Up\n-- +goose StatementBegin\nSELECT 1;\n",
            "00001_x.sql:2: StatementBegin without StatementEnd",
        ),
    ],
    ids=["go", "envsub", "no-up", "open-block"],
)
def test_goose_file_dbshift_cannot_take_is_named(
    tmp_path: Path, name: str, text: str, said: str
) -> None:
    source = write(tmp_path / "goose", {name: text})
    project = fresh(tmp_path / "project")
    result = project.run("import", "goose", str(source), "--dialect", "sqlite")
    assert result.code == 2, (result.out, result.err)
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and said in lines[0], result.err
    assert not list(project.migrations.glob("*.sql")) if project.migrations.exists() else True


FLYWAY_HISTORY = """
CREATE TABLE flyway_schema_history (
    installed_rank INT NOT NULL PRIMARY KEY,
    version VARCHAR(50),
    description VARCHAR(200) NOT NULL,
    type VARCHAR(20) NOT NULL,
    script VARCHAR(1000) NOT NULL,
    checksum INTEGER,
    installed_by VARCHAR(100) NOT NULL,
    installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    execution_time INTEGER NOT NULL,
    success BOOLEAN NOT NULL
);
"""
VIEW = "CREATE VIEW user_names AS SELECT name FROM ${schema_prefix}users;\n"


def flyway_row(
    rank: int, version: str | None, script: str, crc: int | None, *, ok: bool = True
) -> str:
    v = "NULL" if version is None else f"'{version}'"
    c = "NULL" if crc is None else str(crc)
    return (
        "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, "
        f"checksum, installed_by, installed_on, execution_time, success) VALUES ({rank}, {v}, "
        f"'x', 'SQL', '{script}', {c}, 'me', '2024-05-01 10:00:00', 42, {'TRUE' if ok else 'FALSE'});\n"
    )


def test_flyway_directory_with_dotted_versions_undo_repeatable_and_history(
    project: Project, db: Database, tmp_path: Path
) -> None:
    source = write(
        tmp_path / "flyway",
        {
            "V1__create_users.sql": USERS_UP,
            "V1.1__create_orders.sql": ORDERS_UP,
            "U1.1__create_orders.sql": "DROP TABLE orders;\n",
            "V2__seed.sql": "INSERT INTO users (id, name) VALUES (1, 'a');\n",
        },
    )
    write(source / "views", {"R__user_names.sql": VIEW})
    (project.root / "dbshift.toml").write_text('[placeholders]\nschema_prefix = ""\n')
    run_sql(db, USERS_UP + ORDERS_UP + VIEW.replace("${schema_prefix}", ""))
    run_sql(
        db,
        FLYWAY_HISTORY
        + flyway_row(1, "1", "V1__create_users.sql", 1)
        + flyway_row(2, "1.1", "V1.1__create_orders.sql", 2)
        + flyway_row(3, None, "views/R__user_names.sql", flyway_checksum(VIEW)),
    )
    result = project.run("import", "flyway", str(source))
    assert result.code == 0, result.err
    assert "wrote 3 migration(s) and 1 repeatable migration(s)" in result.out
    assert "Flyway 1.1 -> 2_create_orders.sql" in result.out
    assert "adopted 3 applied migration(s) from flyway_schema_history" in result.out
    doc = status(project)
    assert versions(doc, "applied") == ["1", "2"] and versions(doc, "pending") == ["3"]
    assert doc["repeatable"][0]["state"] == "applied"
    history = json.loads(project.run("history", "--format", "json").out)
    assert (
        history[0]["applied_at"].startswith("2024-05-01T10:00:00")
        and history[0]["execution_ms"] == 42
    )

    migrated = project.run("migrate")
    assert migrated.code == 0, migrated.err
    assert "applied 1 migration(s)" in migrated.out  # V2 only: the view is current
    assert db.scalar("SELECT count(*) FROM user_names") == 1
    back = project.run("rollback", "--to", "1")
    assert back.code == 1  # V2 has no undo file: refused before anything runs
    assert "3_seed.sql: has no down section" in back.err


def test_flyway_repeatable_run_with_an_older_checksum_is_due_again(
    project: Project, db: Database, tmp_path: Path
) -> None:
    files = {"V1__create_users.sql": USERS_UP, "R__user_names.sql": VIEW}
    source = write(tmp_path / "flyway", files)
    (project.root / "dbshift.toml").write_text('[placeholders]\nschema_prefix = ""\n')
    run_sql(db, USERS_UP)
    run_sql(
        db,
        FLYWAY_HISTORY
        + flyway_row(1, "1", "V1__create_users.sql", 1)
        + flyway_row(2, None, "R__user_names.sql", flyway_checksum("an older view")),
    )
    result = project.run("import", "flyway", str(source))
    assert result.code == 0, result.err
    assert status(project)["repeatable"][0]["state"] == "outdated"
    migrated = project.run("migrate")
    assert migrated.code == 0, migrated.err
    assert "applying R__user_names.sql" in migrated.out
    assert status(project)["repeatable"][0]["state"] == "applied"


def test_flyway_failed_row_is_refused(project: Project, db: Database, tmp_path: Path) -> None:
    source = write(tmp_path / "flyway", {"V1__create_users.sql": USERS_UP, "V2__b.sql": ORDERS_UP})
    run_sql(db, FLYWAY_HISTORY + flyway_row(1, "1", "V1__create_users.sql", 1))
    run_sql(db, flyway_row(2, "2", "V2__b.sql", 5, ok=False))
    refused = project.run("import", "flyway", str(source))
    assert refused.code == 1
    assert "Flyway recorded V2__b.sql as failed" in refused.err
    assert list(project.migrations.iterdir()) == []


ALEMBIC_ENV = """
from alembic import context
from sqlalchemy import create_engine

config = context.config
engine = create_engine(config.get_main_option("sqlalchemy.url"))
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()
"""
REVISIONS = {
    "a1_users.py": '''"""create users

Revision ID: a1
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "a1"
down_revision = None


def upgrade():
    op.create_table("users", sa.Column("id", sa.Integer, primary_key=True), sa.Column("name", sa.String(50)))


def downgrade():
    op.drop_table("users")
''',
    "b2_orders.py": '''"""create orders"""
import sqlalchemy as sa
from alembic import op

revision = "b2"
down_revision = "a1"


def upgrade():
    op.create_table("orders", sa.Column("id", sa.Integer, primary_key=True), sa.Column("user_id", sa.Integer))


def downgrade():
    op.drop_table("orders")
''',
    "c3_seed.py": '''"""seed users"""
from alembic import op

revision = "c3"
down_revision = "b2"


def upgrade():
    op.execute("INSERT INTO users (id, name) VALUES (1, 'it''s')")
    op.add_column("orders", __import__("sqlalchemy").Column("note", __import__("sqlalchemy").String(20)))


def downgrade():
    op.drop_column("orders", "note")
    op.execute("DELETE FROM users WHERE id = 1")
''',
}


def alembic_project(root: Path, url: str) -> Path:
    from dbshift.connection import parse_url

    write(root / "versions", REVISIONS)
    (root / "env.py").write_text(ALEMBIC_ENV)
    (root / "alembic.ini").write_text(
        "[alembic]\nscript_location = %(here)s\n"
        f"sqlalchemy.url = {parse_url(url).render_as_string(hide_password=False)}\n"
    )
    return root


def alembic_upgrade(root: Path, revision: str) -> None:
    pytest.importorskip("alembic")
    from alembic import command
    from alembic.config import Config

    command.upgrade(Config(str(root / "alembic.ini")), revision)


def test_alembic_revisions_rendered_offline_and_alembic_version_adopted(
    project: Project, db: Database, tmp_path: Path
) -> None:
    root = alembic_project(tmp_path / "alembic", db.url)
    alembic_upgrade(root, "b2")  # the real Alembic applies two revisions
    assert db.scalar("SELECT version_num FROM alembic_version") == "b2"

    result = project.run("import", "alembic", str(root))
    assert result.code == 0, result.err
    assert "Alembic a1 -> 1_create_users.sql" in result.out
    assert "adopted 2 applied migration(s) from alembic_version" in result.out
    seed = (project.migrations / "3_seed_users.sql").read_text()
    assert "INSERT INTO users" in seed and "-- dbshift:down" in seed
    doc = status(project)
    assert versions(doc, "applied") == ["1", "2"] and versions(doc, "pending") == ["3"]

    migrated = project.run("migrate")
    assert migrated.code == 0, migrated.err
    assert db.scalar("SELECT name FROM users WHERE id = 1") == "it's"
    back = project.run("rollback", "--to", "0", "--allow-destructive")
    if back.code == 2:  # an older rollback without --allow-destructive
        back = project.run("rollback", "--to", "0")
    assert back.code == 0, back.err
    assert not {"users", "orders"} & db.tables()


def test_alembic_without_url_needs_a_dialect_and_refuses_branches(tmp_path: Path) -> None:
    pytest.importorskip("alembic")
    root = alembic_project(tmp_path / "alembic", "sqlite:///unused.db")
    project = fresh(tmp_path / "p")
    no_dialect = project.run("import", "alembic", str(root), url=False)
    assert no_dialect.code == 2 and "pass --url or --dialect" in no_dialect.err
    ok = project.run("import", "alembic", str(root), "--dialect", "postgresql", url=False)
    assert ok.code == 0, ok.err
    assert "no history adopted" in ok.out
    assert "CREATE TABLE users" in (project.migrations / "1_create_users.sql").read_text()

    again = project.run("import", "alembic", str(root), "--dialect", "postgresql", url=False)
    assert again.code == 2 and "already has migrations" in again.err

    (root / "versions" / "d4_branch.py").write_text(
        '"""branch"""\nrevision = "d4"\ndown_revision = "b2"\n\ndef upgrade():\n    pass\n'
    )
    other = fresh(tmp_path / "q")
    branched = other.run("import", "alembic", str(root), "--dialect", "sqlite", url=False)
    assert branched.code == 2 and "2 heads" in branched.err


def test_alembic_revision_that_needs_a_connection_is_named(tmp_path: Path) -> None:
    pytest.importorskip("alembic")
    root = write(
        tmp_path / "alembic" / "versions",
        {
            "a1_x.py": (
                '"""x"""\nfrom alembic import op\nrevision = "a1"\ndown_revision = None\n\n'
                "def upgrade():\n    op.get_bind().execute('SELECT 1').fetchall()\n"
            )
        },
    ).parent
    project = fresh(tmp_path / "p")
    result = project.run("import", "alembic", str(root), "--dialect", "sqlite", url=False)
    assert result.code == 2
    assert "a1_x.py: upgrade() cannot be rendered as offline SQL" in result.err


def test_flyway_checksum_is_crc32_of_the_lines_without_terminators() -> None:
    import zlib

    assert flyway_checksum("SELECT 1;\r\nSELECT 2;\n") == flyway_checksum("SELECT 1;\nSELECT 2;")
    expected = zlib.crc32(b"SELECT 1;SELECT 2;")
    signed = expected - (1 << 32) if expected >= 1 << 31 else expected
    assert flyway_checksum("SELECT 1;\nSELECT 2;\n") == signed
    assert -(1 << 31) <= flyway_checksum("x\x0cy\u2028z") < 1 << 31
    # A form feed is not a line end to Java's readLine(): its byte is part of the line.
    assert flyway_checksum("x\x0cy") == zlib.crc32(b"x\x0cy") - (1 << 32) * (
        zlib.crc32(b"x\x0cy") >= 1 << 31
    )


def test_no_history_flag_and_an_existing_dbshift_history(
    sqlite_db: Database, tmp_path: Path
) -> None:
    source = write(tmp_path / "gm", {"1_a.up.sql": USERS_UP, "2_b.up.sql": ORDERS_UP})
    run_sql(
        sqlite_db,
        "CREATE TABLE schema_migrations (version BIGINT NOT NULL PRIMARY KEY, dirty BOOLEAN NOT NULL);\n"
        "INSERT INTO schema_migrations (version, dirty) VALUES (1, FALSE);",
    )
    files_only = fresh(tmp_path / "files_only")
    files_only.url = sqlite_db.url
    result = files_only.run("import", "golang-migrate", str(source), "--no-history")
    assert result.code == 0, result.err
    assert "no history adopted" in result.out
    assert "dbshift_history" not in sqlite_db.tables()

    # Once dbshift has a history, a second import must not mix two histories.
    # Only the old tool's table is there: runner-truth's unmanaged-database gate wants --init-existing.
    assert files_only.run("migrate", "--init-existing").code == 0
    again = fresh(tmp_path / "again")
    again.url = sqlite_db.url
    refused = again.run("import", "golang-migrate", str(source))
    assert refused.code == 2 and "dbshift_history already has rows" in refused.err
    assert list(again.migrations.iterdir()) == []
