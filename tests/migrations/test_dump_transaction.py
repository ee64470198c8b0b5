"""A file that is one transaction of its own (a dump: ``BEGIN TRANSACTION; … COMMIT;``)
runs as a migration: the migration's transaction takes the place of the file's."""

from __future__ import annotations

from pathlib import Path

from dbshift.dialects import named
from dbshift.migrations.sqlfile import parse_sql_migration

PATH = Path("20260101000000_dump.sql")
DUMP = """-- dbshift:up
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE a (id INTEGER PRIMARY KEY);
INSERT INTO a VALUES(1);
COMMIT;
"""


def statements(text: str, dialect: str = "sqlite") -> list[str]:
    return [s.sql for s in parse_sql_migration(PATH, text, named(dialect)).up.statements]


def test_a_dump_loses_its_begin_and_commit_and_defers_foreign_keys_on_sqlite() -> None:
    # PRAGMA foreign_keys is a no-op inside a transaction; deferring the checks to COMMIT
    # is what lets a child's rows load before its parent's there.
    assert statements(DUMP) == [
        "PRAGMA defer_foreign_keys = ON",
        "CREATE TABLE a (id INTEGER PRIMARY KEY)",
        "INSERT INTO a VALUES(1)",
    ]


def test_other_pragmas_stay_as_written() -> None:
    text = "-- dbshift:up\nPRAGMA recursive_triggers=ON;\nBEGIN;\nCREATE TABLE a (id int);\nEND;\n"
    assert statements(text) == ["PRAGMA recursive_triggers=ON", "CREATE TABLE a (id int)"]


def test_left_whole_when_not_one_transaction() -> None:
    two = DUMP + "BEGIN;\nDELETE FROM a;\nCOMMIT;\n"
    assert statements(two)[1] == "BEGIN TRANSACTION"
    no_transaction = "-- dbshift:no-transaction\n" + DUMP
    assert statements(no_transaction)[:2] == ["PRAGMA foreign_keys=OFF", "BEGIN TRANSACTION"]
    other = DUMP.replace("PRAGMA foreign_keys=OFF;\n", "")
    assert statements(other, "postgresql")[0] == "BEGIN TRANSACTION"
    assert statements(other, "mysql")[0] == "BEGIN TRANSACTION"
