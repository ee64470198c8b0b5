"""diff, generate and migrate's destructive check judge what they lint for the live
server where there is one: MariaDB as MariaDB (one dialect speaks for both, the rules do
not), not as MySQL 8.0.36, the dialect's default release; without a server, the
config's ``[lint] server``, else that default."""

from __future__ import annotations

from pathlib import Path

from dbshift.cli.lint_plan import lint_script, server_for
from dbshift.config import Settings, load_settings
from dbshift.dialects import dialect_for
from dbshift.lint.rule import Finding, Severity
from tests.conftest import Database

#: Copies the table on MySQL 8.0 (an error); instant from utf8mb3 on MariaDB 10.11+
#: (a warning: it still copies from other character sets).
CONVERT = "ALTER TABLE t CONVERT TO CHARACTER SET utf8mb4;\n"


def _settings(tmp_path: Path, config: str = "") -> Settings:
    (tmp_path / "dbshift.toml").write_text(config, encoding="utf-8")
    return load_settings(cwd=tmp_path, config_path=None, environment=None, overrides={})


def _verdict(findings: list[Finding], rule: str = "mysql-algorithm-copy") -> Severity:
    (found,) = [f for f in findings if f.rule == rule]
    return found.severity


def test_a_live_mariadb_is_judged_as_mariadb(mysql_db: Database, tmp_path: Path) -> None:
    from sqlalchemy.engine import make_url

    dialect = dialect_for(make_url(mysql_db.url))
    settings = _settings(tmp_path)
    with mysql_db.connect() as conn:
        version = str(conn.exec_driver_sql("SELECT VERSION()").scalar())
    assert "mariadb" in version.lower(), f"the test server is MariaDB, not {version}"

    live = server_for(dialect, settings, url=mysql_db.url)
    assert live.flavor == "mariadb" and live.at_least(10, 11), live
    with mysql_db.connect() as conn:
        assert server_for(dialect, None, conn=conn) == live

    judged = lint_script(CONVERT, "<plan>", dialect, settings, live=mysql_db.url)
    assert _verdict(judged) is Severity.WARNING, judged
    # The same statement for the same dialect without a server: MySQL 8.0.36's verdict.
    offline = lint_script(CONVERT, "<plan>", dialect, settings)
    assert _verdict(offline) is Severity.ERROR, offline


def test_without_a_server_the_configured_one_is_judged(tmp_path: Path) -> None:
    from sqlalchemy.engine import make_url

    dialect = dialect_for(make_url("mysql://root@127.0.0.1:1/none"))
    settings = _settings(tmp_path, '[lint]\nserver = "mariadb-10.11"\n')
    server = server_for(dialect, settings)
    assert (server.flavor, server.version) == ("mariadb", (10, 11))
    judged = lint_script(CONVERT, "<plan>", dialect, settings)
    assert _verdict(judged) is Severity.WARNING, judged
