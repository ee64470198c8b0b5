"""The migrate / status / rollback cycle through the real CLI, on every backend."""

from __future__ import annotations

import json

from tests.conftest import Database, Project, sql_migration

USERS = sql_migration(
    "CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR(100));\n"
    "INSERT INTO users (id, name) VALUES (1, 'it''s; here');\n"
    "UPDATE users SET name = name WHERE name LIKE '%s;%%' OR name = '100%';",
    "DROP TABLE users;",
)
ORDERS = sql_migration(
    "CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER);\n"
    "CREATE INDEX orders_user_idx ON orders (user_id);",
    "DROP TABLE orders;",
)
SEED = """
def up(ctx):
    ctx.execute("INSERT INTO users (id, name) VALUES (:id, :name)", [{"id": 2, "name": "x"}, {"id": 3, "name": "y"}])


def down(ctx):
    ctx.execute("DELETE FROM users WHERE id IN (2, 3)")
"""


def status(project: Project) -> dict:
    result = project.run("status", "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_migrate_applies_pending_in_version_order_and_records_history(
    project: Project, db: Database
) -> None:
    project.write("2_orders.sql", ORDERS)
    project.write("10_seed.py", SEED)
    project.write("1_users.sql", USERS)
    before = status(project)
    assert before["current"] is None
    assert [p["version"] for p in before["pending"]] == ["1", "2", "10"]

    result = project.run("migrate")
    assert result.code == 0, result.err
    assert "applied 3 migration(s)" in result.out

    after = status(project)
    assert after["current"] == "10"
    assert [a["version"] for a in after["applied"]] == ["1", "2", "10"]
    assert after["pending"] == [] and after["failed"] == []
    assert all(len(a["checksum"]) == 64 and a["execution_ms"] >= 0 for a in after["applied"])
    assert db.scalar("SELECT count(*) FROM users") == 3
    assert db.scalar("SELECT name FROM users WHERE id = 1") == "it's; here"

    again = project.run("migrate")
    assert again.code == 0 and "up to date" in again.out


def test_rollback_runs_down_sections_newest_first(project: Project, db: Database) -> None:
    project.write("1_users.sql", USERS)
    project.write("2_orders.sql", ORDERS)
    project.write("3_seed.py", SEED)
    assert project.run("migrate").code == 0

    one = project.run("rollback")
    assert one.code == 0, one.err
    assert db.scalar("SELECT count(*) FROM users") == 1
    assert status(project)["current"] == "2"

    # Dropping tables that hold rows is destructive: refused without a terminal.
    refused = project.run("rollback", "--to", "0")
    assert refused.code == 1 and "--allow-destructive" in refused.err
    assert status(project)["current"] == "2"
    rest = project.run("rollback", "--to", "0", "--allow-destructive")
    assert rest.code == 0, rest.err
    assert "reverted 2 migration(s)" in rest.out
    assert "users" not in db.tables() and "orders" not in db.tables()
    assert status(project)["current"] is None


def test_migrate_to_stops_at_the_given_version(project: Project, db: Database) -> None:
    project.write("1_users.sql", USERS)
    project.write("2_orders.sql", ORDERS)
    result = project.run("migrate", "--to", "1")
    assert result.code == 0, result.err
    doc = status(project)
    assert doc["current"] == "1" and [p["version"] for p in doc["pending"]] == ["2"]


def test_dry_run_changes_nothing(project: Project, db: Database) -> None:
    project.write("1_users.sql", USERS)
    result = project.run("migrate", "--dry-run")
    assert result.code == 0, result.err
    assert "would apply 1_users.sql" in result.out
    assert "line 2: CREATE TABLE users" in result.out
    assert "users" not in db.tables()


def test_offline_sql_holds_statements_and_history_insert(project: Project, db: Database) -> None:
    project.write("1_users.sql", USERS)
    result = project.run("migrate", "--sql")
    assert result.code == 0, result.err
    assert "CREATE TABLE users" in result.out
    assert "INSERT INTO" in result.out and "dbshift_history" in result.out
    assert "'it''s; here'" in result.out
    assert "users" not in db.tables()


def test_history_shows_timing_per_migration(project: Project) -> None:
    project.write("1_users.sql", USERS)
    assert project.run("migrate").code == 0
    rows = json.loads(project.run("history", "--format", "json").out)
    assert rows[0]["version"] == "1" and rows[0]["state"] == "applied"
    assert isinstance(rows[0]["execution_ms"], int)
    assert "@" in rows[0]["applied_by"]
    text = project.run("history")
    assert text.code == 0 and "users" in text.out and "slowest" in text.out


def test_baseline_skips_migrations_up_to_its_version(project: Project, db: Database) -> None:
    project.write("1_users.sql", USERS)
    project.write("2_orders.sql", ORDERS)
    result = project.run("baseline", "1")
    assert result.code == 0, result.err
    assert project.run("migrate").code == 0
    assert "orders" in db.tables() and "users" not in db.tables()
    again = project.run("baseline", "2")
    assert again.code == 2 and "already has rows" in again.err
