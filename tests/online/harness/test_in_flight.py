"""What the servers share while a migration is in flight, written once for PostgreSQL and
MariaDB through the CLI: a second migration on a table one in flight still changes is
refused (one line, exit 2, nothing changed), one on another table runs beside it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Database, Project, scratch_database
from tests.online.harness import judge
from tests.online.harness.cells import ALTER_COLUMN, CREATE_INDEX
from tests.online.harness.connect import mysql_connect
from tests.online.harness.drive import cli, execute, status

RENAME_NOTE = (
    'safety_period = 0\n[[operations]]\ntype = "rename_column"\n'
    'table = "items"\ncolumn = "note"\nnew_name = "remark"\n'
)
RENAME_OTHER = (
    'safety_period = 0\n[[operations]]\ntype = "rename_column"\n'
    'table = "other"\ncolumn = "v"\nnew_name = "w"\n'
)


@pytest.fixture(
    params=[
        pytest.param("postgresql", marks=pytest.mark.postgres),
        pytest.param("mysql", marks=pytest.mark.mysql),
    ]
)
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    (tmp_path / "db").mkdir()
    with scratch_database(request.param, tmp_path / "db") as db:
        yield db
        if db.backend == "mysql":  # the version databases the migrations created
            with mysql_connect(db.url) as conn:
                cur = conn.cursor()
                base = db.url.rsplit("/", 1)[-1]
                for name in ("1_a", "3_c"):
                    cur.execute(f"DROP DATABASE IF EXISTS `{base}_{name}`")


def test_second_migration_on_the_same_table_is_refused(server: Database, tmp_path: Path) -> None:
    backend = server.backend
    execute(
        backend,
        server.url,
        [*ALTER_COLUMN.setup(backend), "CREATE TABLE other (id int PRIMARY KEY, v varchar(20))"],
    )
    first = ALTER_COLUMN.file(backend) + CREATE_INDEX.toml
    (tmp_path / "1_a.toml").write_text(first, encoding="utf-8")
    (tmp_path / "2_b.toml").write_text(RENAME_NOTE, encoding="utf-8")
    (tmp_path / "3_c.toml").write_text(RENAME_OTHER, encoding="utf-8")
    project = Project(tmp_path, server.url)
    assert cli(project, "start", "1_a.toml")["phase"] == "active"
    before = judge.snapshot(backend, server.url)
    refused = project.run("online", "start", "2_b.toml")
    assert refused.code == 2, (refused.out, refused.err)
    assert "1_a is still active on items" in refused.err
    assert len(refused.err.strip().splitlines()) == 1 and "Traceback" not in refused.err
    assert judge.snapshot(backend, server.url) == before
    assert cli(project, "start", "3_c.toml")["phase"] == "active"
    phases = {e["name"]: e["phase"] for e in status(project)}
    assert phases == {"1_a": "active", "3_c": "active"}
