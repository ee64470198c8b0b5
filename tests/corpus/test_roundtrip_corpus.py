"""Round-trip fidelity: schemas written for these tests (tests/corpus/roundtrip/<server>/<name>/
schema.sql, each built to exercise the features the fidelity fixes address, so each fix is
guarded), run by the server's own client into database A (PostgreSQL: database B starts
from ``start.sql`` beside it where there is one, an earlier release, else empty);
``dbshift diff`` from B to A; the plan run into B; then the server's own
account of both must be equal:

- PostgreSQL: ``pg_dump --schema-only`` of A and B byte for byte (pg_dump sorts its output
  itself, so no normalising beyond the database's name);
- MariaDB/MySQL: ``SHOW CREATE`` of every table, view, routine and trigger (with the
  recorded sql_mode and character sets; a trigger's creation time left out, its
  ACTION_ORDER added), the
  database's name replaced;

and ``dbshift diff`` from A to B says nothing is left to do. On MariaDB/MySQL also: A
against itself says nothing, the plan down to an empty schema leaves B empty, and
``mariadb-dump --no-data --routines --triggers --events`` of A run as a project's first
migration leaves what the server's own client leaves with it.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.clients import libpq, mysql_dump, mysql_dump_bytes
from tests.conftest import (
    MYSQL_URL,
    Database,
    Project,
    dbshift_executable,
    fresh_databases,
    sql_migration,
)

HERE = Path(__file__).parent / "roundtrip"
#: A table's AUTO_INCREMENT counter in SHOW CREATE TABLE's last line.
AUTO_INCREMENT = re.compile(r" AUTO_INCREMENT=\d+(?=[^\n]*\Z)")
PG_CORPUS = sorted(p.name for p in (HERE / "postgresql").iterdir() if p.is_dir())
MYSQL_CORPUS = sorted(p.name for p in (HERE / "mysql").iterdir() if p.is_dir())
#: Those written as a mysqldump file is, with their rows and ``SET NAMES`` (the others
#: leave the client's character set to whoever runs them).
DUMP_SHAPED = ["lending"]


@pytest.fixture
def trio(tmp_path: Path) -> Iterator[list[Database]]:
    yield from fresh_databases("mysql", tmp_path, 3)


@pytest.fixture
def pair(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[list[Database]]:
    yield from fresh_databases(request.param, tmp_path, 2)


def diff(source: str, target: str, dev: str, *extra: str) -> str:
    command = ["diff", "--from", source, "--to", target, "--dev-url", dev, "--format", "sql"]
    command += extra
    done = subprocess.run(
        [*dbshift_executable(), *command],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def run(command: list[str], sql: str) -> None:
    done = subprocess.run(command, input=sql, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{done.stderr}\n--- while running ---\n{sql[:4000]}"


# -- PostgreSQL ----------------------------------------------------------------------------

#: The schemas span several PostgreSQL schemas (a collation in one, tables in another).
EVERY_SCHEMA = ("--schema", "*")


def psql(url: str, sql: str) -> None:
    run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-1", *libpq(url)], sql)


def pg_dump(url: str) -> str:
    text = subprocess.run(
        ["pg_dump", "--schema-only", "--no-owner", "--no-privileges", *libpq(url)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    # pg_dump 15.14+ fences its output with a random \restrict key.
    return "\n".join(
        line for line in text.splitlines() if not line.startswith(("\\restrict", "\\unrestrict"))
    )


@pytest.mark.postgres
@pytest.mark.parametrize("pair", ["postgresql"], indirect=True)
@pytest.mark.parametrize("name", PG_CORPUS)
def test_postgres_schema_is_generated_whole(name: str, pair: list[Database]) -> None:
    a, b = pair[0].url, pair[1].url
    here = HERE / "postgresql" / name
    psql(a, (here / "schema.sql").read_text())
    start = here / "start.sql"
    if start.exists():  # B starts from an earlier release instead of empty
        psql(b, start.read_text())
    dev = make_url(a).set(database="postgres").render_as_string(hide_password=False)

    plan = diff(b, a, dev, *EVERY_SCHEMA)
    assert "CREATE TABLE" in plan or start.exists()
    assert "-- no differences" not in plan
    psql(b, plan)

    assert pg_dump(b) == pg_dump(a), plan
    assert diff(a, b, dev, *EVERY_SCHEMA).strip() == "-- no differences"


# -- MariaDB / MySQL -----------------------------------------------------------------------


def mysql_client(url: str, *flags: str) -> list[str]:
    u = make_url(url)
    command = ["mariadb", *flags, "-h", u.host or "127.0.0.1", "-P", str(u.port or 3306)]
    command += ["-u", u.username or "root", "--batch", "--skip-column-names"]
    if u.password:
        command.append(f"-p{u.password}")
    return [*command, u.database or ""]


def mysql_rows(url: str, sql: str) -> list[list[str]]:
    done = subprocess.run(mysql_client(url), input=sql, capture_output=True, text=True, check=True)
    return [line.split("\t") for line in done.stdout.splitlines() if line]


def show_create(url: str) -> dict[str, list[str]]:
    """SHOW CREATE of every object, keyed by kind and name; the database's name replaced."""
    database = make_url(url).database or ""
    objects = mysql_rows(
        url,
        "SELECT IF(TABLE_TYPE = 'VIEW', 'VIEW', 'TABLE'), TABLE_NAME FROM information_schema.TABLES"
        " WHERE TABLE_SCHEMA = DATABASE()"
        " UNION ALL SELECT ROUTINE_TYPE, ROUTINE_NAME FROM information_schema.ROUTINES"
        " WHERE ROUTINE_SCHEMA = DATABASE()"
        " UNION ALL SELECT 'TRIGGER', TRIGGER_NAME FROM information_schema.TRIGGERS"
        " WHERE TRIGGER_SCHEMA = DATABASE()",
    )
    # SHOW CREATE TRIGGER leaves out FOLLOWS/PRECEDES: the firing order among triggers of
    # one table and event is the server's ACTION_ORDER.
    firing = dict(
        mysql_rows(
            url,
            "SELECT TRIGGER_NAME, ACTION_ORDER FROM information_schema.TRIGGERS"
            " WHERE TRIGGER_SCHEMA = DATABASE()",
        )
    )
    out = {}
    for kind, name in objects:
        quoted = "`" + name.replace("`", "``") + "`"
        (row,) = mysql_rows(url, f"SHOW CREATE {kind} {quoted}")
        if kind == "TRIGGER":
            row = [*row[:6], f"ACTION_ORDER {firing[name]}"]  # less Created: when, not what
        if kind == "TABLE":  # the counter is data, not shape (docs/objects.md)
            row[1] = AUTO_INCREMENT.sub("", row[1])
        out[f"{kind} {name}"] = [field.replace(database, "<db>") for field in row]
    return out


@pytest.mark.mysql
@pytest.mark.parametrize("pair", ["mysql"], indirect=True)
@pytest.mark.parametrize("name", MYSQL_CORPUS)
def test_mysql_schema_is_generated_whole(name: str, pair: list[Database], tmp_path: Path) -> None:
    a, b = pair[0].url, pair[1].url
    run(mysql_client(a), (HERE / "mysql" / name / "schema.sql").read_text())

    plan = diff(b, a, MYSQL_URL)
    assert "CREATE TABLE" in plan
    # The client's own default character set (utf8mb3 here): the plan's SET NAMES makes
    # the views, routines and triggers made under dbshift's session's (utf8mb4) take it.
    run(mysql_client(b), plan)

    before, after = show_create(a), show_create(b)
    assert sorted(after) == sorted(before)
    for key in before:
        assert after[key] == before[key], key
    assert diff(a, b, MYSQL_URL).strip() == "-- no differences"
    assert diff(a, a, MYSQL_URL).strip() == "-- no differences"

    # And down again: the plan to an empty schema leaves nothing behind.
    (tmp_path / "empty.sql").write_text("")
    run(mysql_client(b), diff(b, str(tmp_path / "empty.sql"), MYSQL_URL))
    assert show_create(b) == {}


@pytest.mark.mysql
@pytest.mark.parametrize("name", MYSQL_CORPUS)
def test_mysql_dump_of_schema_runs_as_first_migration(
    name: str, trio: list[Database], tmp_path: Path
) -> None:
    """``mariadb-dump --no-data --routines --triggers --events`` of the schema (DELIMITER
    ;; around bodies, versioned ``/*!50003 … */`` comments) as a project's first
    migration: ``dbshift migrate`` must leave what the server's own client leaves."""
    source, by_client, target = trio
    run(mysql_client(source.url), (HERE / "mysql" / name / "schema.sql").read_text())
    dump = mysql_dump(source.url, "--no-data", "--routines", "--triggers", "--events")
    run(mysql_client(by_client.url), dump)
    (tmp_path / "project").mkdir()
    project = Project(tmp_path / "project", target.url)
    project.write("0001_baseline.sql", sql_migration(dump))
    done = project.run("migrate")
    assert done.code == 0, done.err
    migrated = {k: v for k, v in show_create(target.url).items() if "dbshift_history" not in k}
    expected = show_create(by_client.url)
    assert sorted(migrated) == sorted(expected)
    for key in expected:
        assert migrated[key] == expected[key], key
    assert diff(target.url, by_client.url, MYSQL_URL).strip() == "-- no differences"


def table_checksums(url: str) -> list[list[str]]:
    """``CHECKSUM TABLE`` of every base table but dbshift's own: the rows, as the server
    sums them."""
    names = mysql_rows(
        url,
        "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"
        " AND TABLE_TYPE = 'BASE TABLE' AND TABLE_NAME NOT LIKE 'dbshift%' ORDER BY 1",
    )
    quoted = ", ".join("`" + name.replace("`", "``") + "`" for (name,) in names)
    return [row[1:] for row in mysql_rows(url, f"CHECKSUM TABLE {quoted}")]


@pytest.mark.mysql
@pytest.mark.parametrize("name", DUMP_SHAPED)
def test_mysql_schema_file_with_its_rows_runs_as_first_migration(
    name: str, trio: list[Database], tmp_path: Path
) -> None:
    """The schema file itself, as a project's first migration (the lending one is shaped
    like a mysqldump file with its data: ``LOCK TABLES … WRITE``, the rows,
    ``UNLOCK TABLES``, during which the session may touch no other table, the history
    table included): ``dbshift migrate`` leaves the objects and rows the server's own
    client leaves."""
    by_client, target = trio[0], trio[1]
    text = (HERE / "mysql" / name / "schema.sql").read_text()
    run(mysql_client(by_client.url), text)
    (tmp_path / "project").mkdir()
    project = Project(tmp_path / "project", target.url)
    project.write("0001_baseline.sql", sql_migration(text))
    done = project.run("migrate")
    assert done.code == 0, done.err
    migrated = {k: v for k, v in show_create(target.url).items() if "dbshift_history" not in k}
    expected = show_create(by_client.url)
    assert sorted(migrated) == sorted(expected)
    for key in expected:
        assert migrated[key] == expected[key], key
    assert table_checksums(target.url) == table_checksums(by_client.url)


@pytest.mark.mysql
@pytest.mark.parametrize("name", DUMP_SHAPED)
def test_mysql_dump_with_rows_runs_as_first_migration(
    name: str, trio: list[Database], tmp_path: Path
) -> None:
    """``mariadb-dump --routines --triggers`` of the schema with its rows as a project's
    first migration. Without ``--hex-blob`` the dump writes BLOB and geometry values as
    raw bytes inside string literals, so the file is not UTF-8 text: dbshift reads it
    with those bytes kept and sends them back as they were."""
    source, by_client, target = trio
    run(mysql_client(source.url), (HERE / "mysql" / name / "schema.sql").read_text())
    dump = mysql_dump_bytes(source.url, "--routines", "--triggers")
    with pytest.raises(UnicodeDecodeError):
        dump.decode()
    done = subprocess.run(mysql_client(by_client.url), input=dump, capture_output=True)
    assert done.returncode == 0, done.stderr
    (tmp_path / "project").mkdir()
    project = Project(tmp_path / "project", target.url)
    (project.migrations / "0001_baseline.sql").write_bytes(b"-- dbshift:up\n" + dump)
    project.rehash()
    migrated = project.run("migrate")
    assert migrated.code == 0, migrated.err
    assert table_checksums(target.url) == table_checksums(by_client.url)
    objects = {k: v for k, v in show_create(target.url).items() if "dbshift_history" not in k}
    assert objects == show_create(by_client.url)
