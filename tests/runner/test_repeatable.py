"""Repeatable migrations (``R__<name>.sql``) through the real CLI, on every backend."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import Database, Project, sql_migration

TABLE = sql_migration(
    "CREATE TABLE items (id INTEGER PRIMARY KEY, name VARCHAR(50));\n"
    "INSERT INTO items (id, name) VALUES (1, 'one');",
    "DROP TABLE items;",
)
VIEW_V1 = sql_migration(
    "DROP VIEW IF EXISTS item_names;\nCREATE VIEW item_names AS SELECT id FROM items;"
)
VIEW_V2 = sql_migration(
    "DROP VIEW IF EXISTS item_names;\nCREATE VIEW item_names AS SELECT id, name FROM items;"
)


def status(project: Project) -> dict:
    result = project.run("status", "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def repeatable_state(project: Project) -> dict[str, str]:
    return {r["name"]: r["state"] for r in status(project)["repeatable"]}


def test_repeatable_runs_after_versioned_and_again_only_when_its_checksum_changes(
    project: Project, db: Database
) -> None:
    project.write("R__item_names.sql", VIEW_V1)
    project.write("1_items.sql", TABLE)
    assert repeatable_state(project) == {"R__item_names": "pending"}

    first = project.run("migrate")
    assert first.code == 0, first.err
    assert first.out.index("1_items.sql") < first.out.index("R__item_names.sql")
    assert "applied 2 migration(s)" in first.out
    assert repeatable_state(project) == {"R__item_names": "applied"}
    assert db.scalar("SELECT count(*) FROM item_names") == 1

    again = project.run("migrate")
    assert again.code == 0 and "up to date" in again.out

    # An edit is covered by dbshift.sum like any migration file.
    project.write("R__item_names.sql", VIEW_V2, rehash=False)
    refused = project.run("migrate")
    assert refused.code == 1 and "R__item_names.sql was edited" in refused.err
    project.rehash()
    assert repeatable_state(project) == {"R__item_names": "outdated"}
    assert status(project)["problems"] == []

    rerun = project.run("migrate")
    assert rerun.code == 0, rerun.err
    assert "applied 1 migration(s)" in rerun.out
    assert db.scalar("SELECT name FROM item_names WHERE id = 1") == "one"
    assert repeatable_state(project) == {"R__item_names": "applied"}

    history = json.loads(project.run("history", "--format", "json").out)
    row = next(r for r in history if r["version"] == "R__item_names")
    assert row["kind"] == "repeatable" and row["state"] == "applied"
    assert [r["version"] for r in history] == ["1", "R__item_names"]


def test_failed_repeatable_is_due_again_and_rollback_leaves_it_alone(
    project: Project, db: Database
) -> None:
    project.write("1_items.sql", TABLE)
    project.write("R__item_names.sql", VIEW_V1)
    assert project.run("migrate").code == 0

    broken = sql_migration("DROP VIEW IF EXISTS item_names;\nINSERT INTO no_such_table VALUES (1);")
    project.write("R__item_names.sql", broken)
    failed = project.run("migrate")
    assert failed.code == 1
    assert "R__item_names.sql:3: up failed" in failed.err
    # The last successful run stays recorded; the file is due again.
    assert repeatable_state(project)["R__item_names"] == "outdated"
    history = json.loads(project.run("history", "--format", "json").out)
    row = next(r for r in history if r["version"] == "R__item_names")
    assert row["state"] in ("applied", "failed")  # MySQL journals the failed run

    project.write("R__item_names.sql", VIEW_V2)
    fixed = project.run("migrate")
    assert fixed.code == 0, fixed.err
    assert repeatable_state(project) == {"R__item_names": "applied"}
    assert db.scalar("SELECT name FROM item_names WHERE id = 1") == "one"

    # rollback reverts versioned migrations only: the repeatable's row stays.
    project.write(
        "2_other.sql", sql_migration("CREATE TABLE other (id INTEGER);", "DROP TABLE other;")
    )
    assert project.run("migrate").code == 0
    done = project.run("rollback", "--allow-destructive")
    assert done.code == 0, done.err
    doc = status(project)
    assert [a["version"] for a in doc["applied"]] == ["1"]
    assert [p["version"] for p in doc["pending"]] == ["2"]
    assert doc["repeatable"][0]["state"] == "applied"


def test_repeatables_wait_for_the_newest_version_and_show_in_dry_run(project: Project) -> None:
    project.write("1_items.sql", TABLE)
    project.write(
        "2_price.sql",
        sql_migration(
            "ALTER TABLE items ADD COLUMN price INTEGER;", "ALTER TABLE items DROP COLUMN price;"
        ),
    )
    project.write(
        "R__priced.sql",
        sql_migration(
            "DROP VIEW IF EXISTS priced;\nCREATE VIEW priced AS SELECT id, price FROM items;"
        ),
    )
    dry = project.run("migrate", "--dry-run")
    assert dry.code == 0, dry.err
    assert "would apply R__priced.sql" in dry.out
    partial = project.run("migrate", "--to", "1")
    assert partial.code == 0, partial.err
    assert "R__priced" not in partial.out
    assert repeatable_state(project) == {"R__priced": "pending"}
    rest = project.run("migrate")
    assert rest.code == 0, rest.err
    assert rest.out.index("2_price.sql") < rest.out.index("R__priced.sql")


def test_repeatable_file_errors(project: Project) -> None:
    project.write("1_items.sql", TABLE)
    (project.migrations / "R__x.py").write_text("def up(ctx): pass\n")
    bad = project.run("status")
    assert bad.code == 2 and "R__x.py: repeatable migrations are .sql files" in bad.err
    (project.migrations / "R__x.py").unlink()
    project.write("R__x.sql", "CREATE VIEW x AS SELECT 1;\n")
    bad = project.run("status")
    assert bad.code == 2 and "R__x.sql:1: SQL before the '-- dbshift:up' line" in bad.err


def test_offline_script_replaces_the_repeatable_row_after_the_versioned_ones(
    project: Project, db: Database
) -> None:
    project.write("1_items.sql", TABLE)
    project.write("R__item_names.sql", VIEW_V1)
    script = project.run("migrate", "--sql")
    assert script.code == 0, script.err
    out = script.out
    assert out.index("-- 1_items.sql") < out.index("-- R__item_names.sql")
    tail = out[out.index("-- R__item_names.sql") :]
    assert "DELETE FROM" in tail and "R__item_names" in tail and "CREATE VIEW item_names" in tail
    assert "2 pending migration(s)" in out


def test_a_view_whose_table_was_dropped_does_not_crash_the_destructive_check(
    mysql_db: Database, tmp_path: Path
) -> None:
    """MySQL keeps a view after its table is dropped, and cannot describe it any more."""
    project = Project(tmp_path, mysql_db.url)
    project.write(
        "1_broken.sql",
        sql_migration(
            "CREATE TABLE base (id INTEGER);\n"
            "CREATE VIEW gone AS SELECT id FROM base;\n"
            "DROP TABLE base;"
        ),
    )
    assert project.run("migrate").code == 0
    project.write("2_alter.sql", sql_migration("ALTER TABLE gone DROP COLUMN id;"))
    result = project.run("migrate")
    assert result.code == 1
    assert "internal error" not in result.err
    assert "2_alter.sql:" in result.err
