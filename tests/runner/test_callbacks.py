"""Callbacks in ``migrations/callbacks/`` around ``migrate``, on every backend."""

from __future__ import annotations

from tests.conftest import Database, Project, sql_migration

LOG = "CREATE TABLE IF NOT EXISTS cb_log (n INTEGER, event VARCHAR(200));\n"


def log(event: str) -> str:
    return f"INSERT INTO cb_log (n, event) SELECT COUNT(*) + 1, '{event}' FROM cb_log;\n"


def events(db: Database) -> list[str]:
    with db.connect() as conn:
        return [r[0] for r in conn.exec_driver_sql("SELECT event FROM cb_log ORDER BY n")]


def callbacks(project: Project, files: dict[str, str]) -> None:
    directory = project.migrations / "callbacks"
    directory.mkdir(exist_ok=True)
    for name, text in files.items():
        (directory / name).write_text(text)


PY_EACH = """
def run(ctx):
    ctx.execute(
        "INSERT INTO cb_log (n, event) SELECT COUNT(*) + 1, :e FROM cb_log",
        {"e": f"py {ctx.event} {ctx.migration} {ctx.placeholders.get('tag')}"},
    )
"""


def test_every_event_fires_in_order_sql_and_python(project: Project, db: Database) -> None:
    callbacks(
        project,
        {
            "beforeMigrate.sql": LOG + log("beforeMigrate"),
            "beforeEachMigrate.sql": log("beforeEach"),
            "afterEachMigrate__a.sql": log("afterEach a"),
            "afterEachMigrate__b.py": PY_EACH,
            "afterMigrate.sql": log("afterMigrate"),
            "afterMigrateError.sql": log("afterMigrateError"),
            "README.md": "not a callback",
        },
    )
    project.write("1_a.sql", sql_migration("CREATE TABLE a (id INTEGER);"))
    project.write(
        "R__v.sql", sql_migration("DROP VIEW IF EXISTS v;\nCREATE VIEW v AS SELECT id FROM a;")
    )
    result = project.run("migrate", env={"DBSHIFT_PLACEHOLDER_tag": "T"})
    assert result.code == 0, result.err
    # A notice: stderr, after the "dbshift: " prefix (cli-ux moved notices there).
    assert "dbshift: callback afterMigrate: afterMigrate.sql done" in result.err
    assert events(db) == [
        "beforeMigrate",
        "beforeEach",
        "afterEach a",
        "py afterEachMigrate 1 a T",
        "beforeEach",
        "afterEach a",
        "py afterEachMigrate R__v v T",
        "afterMigrate",
    ]
    # Nothing pending: beforeMigrate and afterMigrate still run (Flyway's behaviour).
    again = project.run("migrate", env={"DBSHIFT_PLACEHOLDER_tag": "T"})
    assert again.code == 0, again.err
    assert events(db)[-2:] == ["beforeMigrate", "afterMigrate"]
    # A dry run does not fire them.
    assert project.run("migrate", "--dry-run").code == 0
    assert len(events(db)) == 10


def test_error_callbacks_fire_when_a_migration_fails(project: Project, db: Database) -> None:
    callbacks(
        project,
        {
            "beforeMigrate.sql": LOG,
            "afterEachMigrateError.sql": log("afterEachError"),
            "afterMigrateError__note.py": (
                "def run(ctx):\n"
                "    ctx.execute('INSERT INTO cb_log (n, event) VALUES (99, :e)', "
                "{'e': ctx.error[:150]})\n"
            ),
            "afterMigrate.sql": log("afterMigrate"),
        },
    )
    project.write("1_a.sql", sql_migration("CREATE TABLE a (id INTEGER);"))
    project.write("2_b.sql", sql_migration("INSERT INTO no_such_table VALUES (1);"))
    result = project.run("migrate")
    assert result.code == 1
    assert "2_b.sql:2: up failed" in result.err
    logged = events(db)
    assert logged[0] == "afterEachError"
    assert logged[1].startswith("migrations/2_b.sql:2: up failed") or "2_b.sql:2" in logged[1]
    assert "afterMigrate" not in logged


def test_a_failing_callback_stops_migrate_with_its_file_and_line(
    project: Project, db: Database
) -> None:
    callbacks(project, {"beforeEachMigrate.sql": "SELECT 1;\nINSERT INTO nowhere VALUES (1);\n"})
    project.write("1_a.sql", sql_migration("CREATE TABLE a (id INTEGER);"))
    result = project.run("migrate")
    assert result.code == 1
    assert "callbacks/beforeEachMigrate.sql:2: beforeEachMigrate callback failed" in result.err
    assert "a" not in db.tables()


def test_unknown_callback_name_is_refused(project: Project) -> None:
    callbacks(project, {"beforeMigrat.sql": "SELECT 1;\n"})
    project.write("1_a.sql", sql_migration("CREATE TABLE a (id INTEGER);"))
    for command in ("migrate", "validate"):
        result = project.run(command)
        assert result.code == 2
        assert "beforeMigrat.sql: not a callback name" in result.err
        assert "beforeMigrate" in result.err


def test_replaying_migrations_on_a_scratch_database_runs_repeatables_not_callbacks(
    sqlite_db: Database, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    project = Project(tmp_path, sqlite_db.url)
    callbacks(project, {"afterMigrate.sql": "CREATE TABLE IF NOT EXISTS cb_marker (id INTEGER);\n"})
    project.write("1_a.sql", sql_migration("CREATE TABLE a (id INTEGER);"))
    project.write(
        "R__v.sql", sql_migration("DROP VIEW IF EXISTS v;\nCREATE VIEW v AS SELECT id FROM a;")
    )
    assert project.run("migrate").code == 0
    diff = project.run(
        "diff", "--from", "migrations", "--to", sqlite_db.url, "--format", "text", url=False
    )
    assert diff.code == 0, diff.err
    # The view came from the replayed repeatable; the callback's table did not.
    assert diff.out.strip().splitlines() == ["create table cb_marker"]
