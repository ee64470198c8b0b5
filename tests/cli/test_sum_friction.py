"""dbshift.sum: strict where databases are shared, lenient in a developer's loop, and
always honest about what it did or would do."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Database, Project, sql_migration

LOCAL = {"CI": "false"}
CI = {"CI": "true"}


def _two_files(project: Project) -> Path:
    project.write("1_a.sql", sql_migration("CREATE TABLE a (id INTEGER);", "DROP TABLE a;"))
    return project.write("2_b.sql", sql_migration("CREATE TABLE b (id INTEGER);", "DROP TABLE b;"))


def test_status_and_validate_say_a_pending_file_was_edited(project: Project) -> None:
    pending = _two_files(project)
    assert project.run("migrate", "--to", "1", env=LOCAL).code == 0
    pending.write_text(sql_migration("CREATE TABLE b2 (id INTEGER);"))
    status = project.run("status", env=CI)
    assert status.code == 0
    assert "2_b.sql was edited since the last 'dbshift hash'" in status.out
    assert "'dbshift migrate' will refuse until then" in status.out
    local = project.run("status", env=LOCAL)
    assert "2_b.sql was edited since the last 'dbshift hash'" in local.out
    assert "'dbshift migrate' will re-hash it" in local.out
    validate = project.run("validate", env=LOCAL)
    assert validate.code == 1 and "2_b.sql" in validate.err


def test_strict_run_refuses_and_explains(project: Project, db: Database) -> None:
    pending = _two_files(project)
    pending.write_text(sql_migration("CREATE TABLE b2 (id INTEGER);"))
    refused = project.run("migrate", env=CI)
    assert refused.code == 1
    assert "2_b.sql was edited since the last 'dbshift hash'" in refused.err
    assert "not applied here yet" in refused.err and "($CI is set)" in refused.err
    assert "Run 'dbshift hash' to accept the edit" in refused.err
    assert "a" not in db.tables()


def test_local_run_rehashes_pending_files_with_a_notice(project: Project, db: Database) -> None:
    pending = _two_files(project)
    assert project.run("migrate", "--to", "1", env=LOCAL).code == 0
    pending.write_text(sql_migration("CREATE TABLE b2 (id INTEGER);"))
    dry = project.run("migrate", "--dry-run", env=LOCAL)
    assert dry.code == 0 and "will re-hash 2_b.sql" in dry.err
    before = (project.migrations / "dbshift.sum").read_text()
    result = project.run("migrate", env=LOCAL)
    assert result.code == 0, result.err
    assert "dbshift: notice: dbshift.sum re-hashed 2_b.sql" in result.err
    assert "b2" in db.tables()
    assert (project.migrations / "dbshift.sum").read_text() != before
    assert project.run("validate", env=CI).code == 0


def test_config_says_which_environments_are_strict(tmp_path: Path, db: Database) -> None:
    (tmp_path / "dbshift.toml").write_text(
        f'url = "{db.url}"\n\n'
        f'[environments.prod]\nurl = "{db.url}"\n\n'
        f'[environments.dev]\nurl = "{db.url}"\nstrict_sum = false\n'
    )
    project = Project(tmp_path, db.url)
    _two_files(project).write_text(sql_migration("CREATE TABLE b2 (id INTEGER);"))
    prod = project.run("--env", "prod", "migrate", env=LOCAL, url=False)
    assert prod.code == 1 and "(--env prod)" in prod.err  # a named environment: strict
    dev = project.run("--env", "dev", "migrate", env=CI, url=False)  # the file beats $CI
    assert dev.code == 0 and "re-hashed" in dev.err and "strict_sum = false" in dev.err


def test_edited_applied_file_is_never_rehashed_and_both_ways_out_are_named(
    project: Project,
) -> None:
    applied = project.write("1_a.sql", sql_migration("CREATE TABLE a (id INTEGER);"))
    assert project.run("migrate", env=LOCAL).code == 0
    applied.write_text(sql_migration("CREATE TABLE a (id INTEGER, x INTEGER);"))
    before = (project.migrations / "dbshift.sum").read_text()
    result = project.run("migrate", env=LOCAL)
    assert result.code == 1
    assert "edited after it was applied" in result.err
    assert "revert the file to what was applied" in result.err
    assert "'dbshift repair' to accept" in result.err
    assert (project.migrations / "dbshift.sum").read_text() == before
    new = project.run("new", "next", env=LOCAL, url=False)
    assert new.code == 0
    assert "was already out of date (1_a.sql), so it was left as it was" in new.err
    assert (project.migrations / "dbshift.sum").read_text() == before
    assert project.run("repair").code == 0
    assert project.run("hash", url=False).code == 0


def test_new_keeps_rehashing_a_clean_sum(tmp_path: Path) -> None:
    project = Project(tmp_path, f"sqlite:///{tmp_path / 'app.db'}")
    project.write("1_a.sql", sql_migration("CREATE TABLE a (id INTEGER);"))
    new = project.run("new", "next", url=False)
    assert new.code == 0 and new.err == ""
    assert project.run("validate", env=CI).code == 1  # the new file's up section is empty
    assert "dbshift.sum" not in project.run("validate", env=CI).err


def test_merge_conflict_markers_are_refused_even_locally(project: Project) -> None:
    _two_files(project)
    sum_path = project.migrations / "dbshift.sum"
    lines = sum_path.read_text().splitlines()
    sum_path.write_text("\n".join(["<<<<<<< HEAD", *lines, "=======", ">>>>>>> x"]) + "\n")
    result = project.run("migrate", env=LOCAL)
    assert result.code == 1 and "git conflict markers" in result.err


def test_read_only_commands_never_rewrite_the_sum(tmp_path: Path) -> None:
    project = Project(tmp_path, f"sqlite:///{tmp_path / 'app.db'}")
    pending = _two_files(project)
    assert project.run("migrate", "--to", "1", env=LOCAL).code == 0
    pending.write_text(sql_migration("CREATE TABLE b2 (id INTEGER);"))
    before = (project.migrations / "dbshift.sum").read_text()
    for command in (["plan", "--replay"], ["migrate", "--sql"], ["migrate", "--dry-run"]):
        result = project.run(*command, env=LOCAL)
        assert result.code == 0, (command, result.err)
        assert (project.migrations / "dbshift.sum").read_text() == before, command
    script = project.run("migrate", "--sql", env=LOCAL)
    assert "notice" not in script.out and "will re-hash 2_b.sql" in script.err


def test_generate_in_a_new_project_needs_no_hash_first(tmp_path: Path) -> None:
    """An empty migrations directory has nothing for a sum to protect: ``generate`` there
    said "dbshift.sum is missing: run 'dbshift hash'" before it would write the first
    migration. It now writes the file and the sum with it."""
    (tmp_path / "schema.sql").write_text(
        "CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL);\n"
    )
    project = Project(tmp_path, f"sqlite:///{tmp_path / 'app.db'}")
    done = project.run("generate", "init", "--to", str(tmp_path / "schema.sql"), env=CI)
    assert done.code == 0, done.err
    assert (project.migrations / "dbshift.sum").is_file()
    assert project.run("migrate", env=CI).code == 0


def test_a_missing_sum_beside_migration_files_is_still_refused(project: Project) -> None:
    project.write("1_a.sql", sql_migration("CREATE TABLE a (id INTEGER);"), rehash=False)
    done = project.run("migrate", env=CI)
    assert done.code != 0
    assert "dbshift.sum is missing: run 'dbshift hash'" in done.err
