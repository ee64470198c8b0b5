"""Diff shapes that peer tools' own test suites cover (schema-diff tools keep pairs of
schemas, a before and an after, and check the migration between them), as small cases
written for dbshift: ``tests/corpus/peer_shapes/<server>/<case>/a.sql`` and ``b.sql``.

For each case, a is run by the server's own client into database A and b into B; then
``dbshift diff --from A --to B`` run into A must make A dump as B, and ``dbshift diff
--from B --to A`` (taken before) run into B must make B dump as A (a column that came back
goes last, so column order is not compared on the way back). The judge is the server's own
account, not dbshift's:

- PostgreSQL: ``pg_dump --schema-only`` (statements sorted);
- MariaDB/MySQL: ``SHOW CREATE`` of every table, view, routine and trigger;
- SQLite: ``sqlite_schema`` and the ``table_xinfo`` / ``index_xlist`` / ``foreign_key_list``
  pragmas of every table.

After each run a second diff must be empty. A case directory holding ``refused.txt`` is a
shape dbshift does not do yet: the diff must exit non-zero with one line naming it. One
holding ``ignored.txt`` differs only in what dbshift leaves alone (privileges, as the
dumps here leave them out): the diff must be empty.
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.conftest import MYSQL_URL, POSTGRES_URL, Database, dbshift_executable, fresh_databases
from tests.corpus.test_postgres_corpus import dump as pg_dump_statements
from tests.corpus.test_postgres_corpus import psql
from tests.corpus.test_roundtrip_corpus import mysql_client, run, show_create

HERE = Path(__file__).parent / "peer_shapes"


def cases(server: str) -> list[str]:
    return sorted(p.name for p in (HERE / server).iterdir() if p.is_dir())


@pytest.fixture
def pair(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[list[Database]]:
    yield from fresh_databases(request.param, tmp_path, 2)


def dbshift_diff(source: str, target: str, dev: str | None) -> subprocess.CompletedProcess[str]:
    command = ["diff", "--from", source, "--to", target, "--format", "sql"]
    if dev is not None:
        command += ["--dev-url", dev]
    if source.startswith("postgresql"):  # cases span several PostgreSQL schemas
        command += ["--schema", "*"]
    return subprocess.run(
        [*dbshift_executable(), *command], capture_output=True, text=True, check=False
    )


def plan(source: str, target: str, dev: str | None) -> str:
    done = dbshift_diff(source, target, dev)
    assert done.returncode == 0, done.stderr
    return done.stdout


def nothing_left(source: str, target: str, dev: str | None) -> None:
    left = plan(source, target, dev).strip()
    assert left == "-- no differences", left


def refused_as_named(case: Path, a: str, b: str, dev: str | None) -> bool:
    """For a case marked refused: the diff (both ways) exits 1 with one line naming it."""
    expected = case / "refused.txt"
    if not expected.exists():
        return False
    wanted = expected.read_text().strip()
    refused = 0
    for source, target in ((a, b), (b, a)):
        done = dbshift_diff(source, target, dev)
        if done.returncode == 0:
            continue  # this direction is supported (e.g. adding is, removing is not)
        assert "Traceback" not in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
        assert wanted in done.stderr, done.stderr
        refused += 1
    assert refused, f"neither direction was refused with: {wanted}"
    return True


# -- PostgreSQL ----------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.parametrize("pair", ["postgresql"], indirect=True)
@pytest.mark.parametrize("name", cases("postgresql"))
def test_postgres_shape_goes_there_and_back(name: str, pair: list[Database]) -> None:
    case = HERE / "postgresql" / name
    a, b = pair[0].url, pair[1].url
    psql(a, (case / "a.sql").read_text())
    psql(b, (case / "b.sql").read_text())
    dev = make_url(POSTGRES_URL).render_as_string(hide_password=False)
    if refused_as_named(case, a, b, dev):
        return
    dump_a, dump_b = pg_dump_statements(a), pg_dump_statements(b)
    if (case / "ignored.txt").exists():  # b differs from a only in what dbshift leaves alone
        assert dump_a == dump_b
        nothing_left(a, b, dev)
        return
    assert dump_a != dump_b  # a case that changes nothing would prove nothing
    back_a = pg_dump_statements(a, any_column_order=True)

    up, down = plan(a, b, dev), plan(b, a, dev)
    psql(a, up)
    assert pg_dump_statements(a) == dump_b, up
    nothing_left(a, b, dev)

    psql(b, down)
    assert pg_dump_statements(b, any_column_order=True) == back_a, down
    nothing_left(b, str(case / "a.sql"), dev)


# -- MariaDB / MySQL -----------------------------------------------------------------------


def mysql_table_lines(text: str, *, any_column_order: bool) -> str:
    """A SHOW CREATE TABLE (as the batch client escapes it) with its index and constraint
    lines sorted: the server lists them in the order they were added, which says nothing
    of the schema. With ``any_column_order`` the column lines are sorted too."""
    lines = [line.strip().rstrip(",") for line in text.split("\\n")]
    columns = [line for line in lines[1:-1] if line.startswith("`")]
    keys = sorted(line for line in lines[1:-1] if not line.startswith("`"))
    if any_column_order:
        columns.sort()
    return "\n".join([lines[0], *columns, *keys, lines[-1]])


def mysql_objects(url: str, *, any_column_order: bool = False) -> dict[str, list[str]]:
    """SHOW CREATE of every object, a table's keys in name order (see above)."""
    return {
        key: [row[0], mysql_table_lines(row[1], any_column_order=any_column_order), *row[2:]]
        if key.startswith("TABLE ")
        else row
        for key, row in show_create(url).items()
    }


@pytest.mark.mysql
@pytest.mark.parametrize("pair", ["mysql"], indirect=True)
@pytest.mark.parametrize("name", cases("mysql"))
def test_mysql_shape_goes_there_and_back(name: str, pair: list[Database]) -> None:
    case = HERE / "mysql" / name
    a, b = pair[0].url, pair[1].url
    run(mysql_client(a), (case / "a.sql").read_text())
    run(mysql_client(b), (case / "b.sql").read_text())
    if refused_as_named(case, a, b, MYSQL_URL):
        return
    objects_a, objects_b = mysql_objects(a), mysql_objects(b)
    assert objects_a != objects_b  # a case that changes nothing would prove nothing
    back_a = mysql_objects(a, any_column_order=True)

    up, down = plan(a, b, MYSQL_URL), plan(b, a, MYSQL_URL)
    run(mysql_client(a), up)
    assert mysql_objects(a) == objects_b, up
    nothing_left(a, b, MYSQL_URL)

    run(mysql_client(b), down)
    assert mysql_objects(b, any_column_order=True) == back_a, down
    # Not diffed against a.sql: dbshift loads that file over its own connection (utf8mb4),
    # while the mariadb client here made the views, routines and triggers under utf8mb3,
    # which the server records with each and dbshift rightly compares.


# -- SQLite --------------------------------------------------------------------------------


def sqlite_account(path: Path, *, any_column_order: bool = False) -> dict[str, object]:
    """What SQLite itself says of the schema: every object's SQL (whitespace collapsed) and,
    per table, its columns, indexes and foreign keys from the pragmas."""
    conn = sqlite3.connect(path)
    try:
        out: dict[str, object] = {}
        rows = conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_schema"
            " WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"
        ).fetchall()
        for kind, name, _table, sql in rows:
            # dbshift writes the SQL of what it makes with every name quoted
            text = " ".join((sql or "").replace('"', "").split())
            if kind != "table":
                out[f"{kind} {name}"] = text
                continue
            quoted = '"' + name.replace('"', '""') + '"'
            # A rebuilt table's CREATE TABLE is dbshift's own text: judged by the pragmas.
            (listed,) = conn.execute(f"PRAGMA table_list({quoted})").fetchall()
            columns = [tuple(c[1:]) for c in conn.execute(f"PRAGMA table_xinfo({quoted})")]
            if any_column_order:
                columns.sort()
            indexes = sorted(
                (i[1], i[2], i[3], i[4], tuple(conn.execute(f"PRAGMA index_xinfo('{i[1]}')")))
                for i in conn.execute(f"PRAGMA index_list({quoted})")
            )
            fks = sorted(f[2:] for f in conn.execute(f"PRAGMA foreign_key_list({quoted})"))
            checks = sorted(part.split(")")[0] for part in text.split("CHECK (")[1:])
            generated = sorted(re.findall(r"\bAS \(((?:[^()]|\([^()]*\))*)\)", text))
            out[f"table {name}"] = (listed[3:], columns, indexes, fks, checks, generated)
        return out
    finally:
        conn.close()


def sqlite_run(path: Path, sql: str) -> None:
    done = subprocess.run(
        ["sqlite3", "-bail", str(path)], input=sql, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and not done.stderr, f"{done.stderr}\n--- while running ---\n{sql}"


@pytest.mark.parametrize("name", cases("sqlite"))
def test_sqlite_shape_goes_there_and_back(name: str, tmp_path: Path) -> None:
    case = HERE / "sqlite" / name
    path_a, path_b = tmp_path / "a.db", tmp_path / "b.db"
    sqlite_run(path_a, (case / "a.sql").read_text())
    sqlite_run(path_b, (case / "b.sql").read_text())
    a, b = f"sqlite:///{path_a}", f"sqlite:///{path_b}"
    if refused_as_named(case, a, b, None):
        return
    account_a, account_b = sqlite_account(path_a), sqlite_account(path_b)
    assert account_a != account_b  # a case that changes nothing would prove nothing
    back_a = sqlite_account(path_a, any_column_order=True)

    up, down = plan(a, b, None), plan(b, a, None)
    sqlite_run(path_a, up)
    assert sqlite_account(path_a) == account_b, up
    nothing_left(a, b, None)

    sqlite_run(path_b, down)
    assert sqlite_account(path_b, any_column_order=True) == back_a, down
    nothing_left(b, str(case / "a.sql"), None)
