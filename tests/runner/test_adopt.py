"""A database dbshift has never migrated but that already holds tables: ``migrate``
refuses and points to ``baseline`` (Flyway's rule); ``--init-existing`` or ``baseline``
adopt it; after ``baseline V`` the files at or below V are listed as baselined."""

from __future__ import annotations

import json

from tests.conftest import Database, Project, sql_migration

USERS = sql_migration("CREATE TABLE users (id integer PRIMARY KEY);", "DROP TABLE users;")
ORDERS = sql_migration("CREATE TABLE orders (id integer PRIMARY KEY);", "DROP TABLE orders;")


def _create(db: Database, sql: str) -> None:
    with db.begin() as conn:
        conn.exec_driver_sql(sql)


def _status(project: Project) -> dict:  # type: ignore[type-arg]
    result = project.run("status", "--format", "json")
    assert result.code == 0, result.err
    doc: dict = json.loads(result.out)  # type: ignore[type-arg]
    return doc


def test_migrate_refuses_a_database_with_tables_and_no_history(
    project: Project, db: Database
) -> None:
    _create(db, "CREATE TABLE legacy (id integer)")
    project.write("1_users.sql", USERS)

    for args in (("migrate",), ("migrate", "--dry-run")):
        refused = project.run(*args)
        assert refused.code == 1, refused
        assert "already holds 1 table(s) or view(s) (legacy)" in refused.err
        assert "dbshift baseline VERSION" in refused.err and "--init-existing" in refused.err
        assert len(refused.err.strip().splitlines()) == 1
    # Nothing was created, the history table included: the next run asks again.
    assert db.tables() == {"legacy"}
    # Commands that only read, or have nothing to do, do not create the history either.
    assert project.run("status").code == 0
    assert project.run("rollback").code == 0
    assert project.run("repair").code == 0
    assert db.tables() == {"legacy"}
    assert project.run("migrate").code == 1

    adopted = project.run("migrate", "--init-existing")
    assert adopted.code == 0, adopted.err
    assert {"legacy", "users"} <= db.tables()
    history = json.loads(project.run("history", "--format", "json").out)
    assert [(r["kind"], r["state"]) for r in history] == [("adopt", "adopted"), ("sql", "applied")]
    assert "legacy" in history[0]["description"]
    # Adopted once: later runs need no flag.
    project.write("2_orders.sql", ORDERS)
    assert project.run("migrate").code == 0


def test_an_empty_database_and_one_with_only_dbshift_tables_need_no_flag(
    project: Project, db: Database
) -> None:
    project.write("1_users.sql", USERS)
    assert project.run("migrate").code == 0
    assert project.run("rollback", "--allow-destructive").code == 0
    # The history table exists (now empty): the database is managed.
    _create(db, "CREATE TABLE made_by_hand (id integer)")
    assert project.run("migrate").code == 0


def test_baseline_adopts_and_status_lists_baselined_files(project: Project, db: Database) -> None:
    _create(db, "CREATE TABLE users (id integer PRIMARY KEY)")
    project.write("1_users.sql", USERS)
    project.write("2_orders.sql", ORDERS)
    project.write("3_more.sql", sql_migration("CREATE TABLE more (id integer);"))
    assert project.run("migrate").code == 1

    baselined = project.run("baseline", "2")
    assert baselined.code == 0, baselined.err
    doc = _status(project)
    assert [b["version"] for b in doc["baselined"]] == ["1", "2"]
    assert [p["version"] for p in doc["pending"]] == ["3"]
    text = project.run("status", env={"COLUMNS": "200"})
    assert text.code == 0
    lines = {line.split()[0]: line for line in text.out.splitlines() if line[:1].isdigit()}
    assert "baselined" in lines["1"] and "baselined" in lines["2"] and "pending" in lines["3"]
    assert "baselined 2" in text.out

    assert project.run("migrate").code == 0
    assert "more" in db.tables() and "orders" not in db.tables()
    doc = _status(project)
    assert [b["version"] for b in doc["baselined"]] == ["1", "2"] and doc["pending"] == []
