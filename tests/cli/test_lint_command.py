"""``dbshift lint`` through the console script: exit codes, formats, selection, --since,
and suppressions that the runner accepts as well."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.conftest import Database, Project, sql_migration

BLOCKING = "CREATE INDEX users_email ON users (email);"


def _project(tmp_path: Path, url: str = "sqlite:///app.db") -> Project:
    return Project(tmp_path, url)


def test_error_finding_exits_1_with_file_line_why_and_fix(tmp_path: Path) -> None:
    p = _project(tmp_path)
    p.write("1_idx.sql", sql_migration("SELECT 1;\n" + BLOCKING))
    r = p.run("lint", "--dialect", "postgresql", url=False)
    assert r.code == 1, r.err
    assert "migrations/1_idx.sql:3: error [create-index-blocking]" in r.out
    assert "why:" in r.out and "CONCURRENTLY" in r.out


def test_safe_form_passes(tmp_path: Path) -> None:
    p = _project(tmp_path)
    p.write(
        "1_idx.sql",
        sql_migration(
            "SET lock_timeout = '2s';\nCREATE INDEX CONCURRENTLY users_email ON users (email);",
            no_transaction=True,
        ),
    )
    r = p.run("lint", "--dialect", "postgresql", url=False)
    assert r.code == 0, r.out + r.err


def test_dialect_comes_from_the_configured_url(tmp_path: Path) -> None:
    p = _project(tmp_path, "postgresql://u@127.0.0.1:1/db")
    p.write("1_idx.sql", sql_migration(BLOCKING))
    assert p.run("lint").code == 1  # PostgreSQL rules, no connection needed
    (tmp_path / "s").mkdir()
    sqlite = _project(tmp_path / "s")
    sqlite.write("1_idx.sql", sql_migration(BLOCKING))
    assert sqlite.run("lint").code == 0  # an index build on SQLite is not this hazard


def test_no_dialect_anywhere_is_a_usage_error(tmp_path: Path) -> None:
    p = _project(tmp_path)
    p.write("1_idx.sql", sql_migration(BLOCKING))
    r = p.run("lint", url=False)
    assert r.code == 2
    assert r.err.count("\n") == 1 and "--dialect" in r.err


def test_unknown_rule_and_bad_server_are_one_line_errors(tmp_path: Path) -> None:
    p = _project(tmp_path)
    p.write("1_idx.sql", sql_migration(BLOCKING))
    r = p.run("lint", "--dialect", "postgresql", "--ignore", "no-such-rule", url=False)
    assert r.code == 2 and "no-such-rule" in r.err and r.err.count("\n") == 1
    r = p.run("lint", "--server", "oracle-19", url=False)
    assert r.code == 2 and "oracle-19" in r.err


def test_config_selects_rules_and_server(tmp_path: Path) -> None:
    p = _project(tmp_path)
    p.write("1_idx.sql", sql_migration(BLOCKING))
    (tmp_path / "dbshift.toml").write_text(
        '[lint]\nserver = "postgresql-15"\nignore = ["create-index-blocking"]\n'
    )
    r = p.run("lint", url=False)
    assert "create-index-blocking" not in r.out, r.out + r.err
    (tmp_path / "dbshift.toml").write_text('[lint]\nselect = "drop-table"\n')
    r = p.run("lint", url=False)
    assert r.code == 2 and "[lint] select" in r.err


def test_json_and_sarif(tmp_path: Path) -> None:
    p = _project(tmp_path)
    p.write("1_idx.sql", sql_migration(BLOCKING))
    doc = json.loads(p.run("lint", "--dialect", "postgresql", "--format", "json", url=False).out)
    (finding,) = [f for f in doc["findings"] if f["rule"] == "create-index-blocking"]
    assert finding["line"] == 2 and finding["severity"] == "error" and finding["fix"]
    sarif = json.loads(p.run("lint", "--dialect", "postgresql", "--format", "sarif", url=False).out)
    result = sarif["runs"][0]["results"][0]
    assert sarif["version"] == "2.1.0"
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] >= 2


def test_github_annotations(tmp_path: Path) -> None:
    p = _project(tmp_path)
    p.write("1_idx.sql", sql_migration(BLOCKING))
    r = p.run("lint", "--dialect", "postgresql", "--format", "github", url=False)
    assert "::error file=migrations/1_idx.sql,line=2,title=create-index-blocking::" in r.out


def test_unparsable_file_reported_and_others_still_linted(tmp_path: Path) -> None:
    p = _project(tmp_path)
    p.write("1_bad.sql", sql_migration("CREATE TABEL x (id int);"))
    p.write("2_idx.sql", sql_migration(BLOCKING))
    r = p.run("lint", "--dialect", "postgresql", url=False)
    assert r.code == 1
    assert "1_bad.sql:2: error [parse-error]" in r.out
    assert "2_idx.sql:2: error [create-index-blocking]" in r.out
    assert "Traceback" not in r.out + r.err


def test_since_lints_only_changed_files(tmp_path: Path) -> None:
    p = _project(tmp_path)
    p.write("1_old.sql", sql_migration(BLOCKING))

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    git("-c", "user.email=t@t", "-c", "user.name=t", "add", ".")
    git("-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "base")
    p.write("2_new.sql", sql_migration("DROP TABLE legacy;"))
    r = p.run("lint", "--dialect", "postgresql", "--since", "HEAD", url=False)
    assert "2_new.sql" in r.out and "1_old.sql" not in r.out
    r = p.run("lint", "--dialect", "postgresql", "--since", "no-such-ref", url=False)
    assert r.code == 2 and r.err.count("\n") == 1


def test_suppression_needs_a_reason_and_the_runner_accepts_it(
    sqlite_db: Database, tmp_path: Path
) -> None:
    p = Project(tmp_path, sqlite_db.url)
    p.write("1_t.sql", sql_migration("CREATE TABLE legacy (id int);"))
    p.write(
        "2_drop.sql",
        sql_migration("-- dbshift:ignore drop-table unused since release 40\nDROP TABLE legacy;"),
    )
    r = p.run("lint", "--dialect", "sqlite", url=False)
    assert r.code == 0, r.out
    p.write("3_t.sql", sql_migration("-- dbshift:ignore drop-table\nDROP TABLE other;"))
    r = p.run("lint", "--dialect", "sqlite", url=False)
    assert r.code == 1 and "needs a reason" in r.out
    (p.migrations / "3_t.sql").unlink()
    p.rehash()
    migrate = p.run("migrate", "--allow-destructive")
    if migrate.code == 2 and "allow-destructive" in migrate.err:  # flag not there yet
        migrate = p.run("migrate")
    assert migrate.code == 0, migrate.err


def test_diff_lint_reports_the_plans_hazards(pg_db: Database, tmp_path: Path) -> None:
    from tests.conftest import POSTGRES_URL

    p = Project(tmp_path, pg_db.url)
    p.write("1_t.sql", sql_migration("CREATE TABLE t (id bigint PRIMARY KEY, a integer);"))
    assert p.run("migrate").code == 0
    (tmp_path / "want.sql").write_text(
        "CREATE TABLE t (id bigint PRIMARY KEY, a integer);\nCREATE INDEX t_a ON t (a);\n"
    )
    r = p.run(
        "diff",
        "--from",
        pg_db.url,
        "--to",
        "want.sql",
        "--dev-url",
        POSTGRES_URL,
        "--lint",
        url=False,
    )
    assert r.code == 1, r.err
    assert "CREATE INDEX" in r.out
    assert "<plan>:" in r.err and "[create-index-blocking]" in r.err
    generated = p.run("generate", "index", "--to", "want.sql", "--dev-url", POSTGRES_URL)
    assert generated.code == 0, generated.err
    # generate writes the safe form (CONCURRENTLY): the same linter finds no error in it
    assert "error [" not in generated.err
    (written,) = p.migrations.glob("*_index.sql")
    assert "CONCURRENTLY" in written.read_text()
