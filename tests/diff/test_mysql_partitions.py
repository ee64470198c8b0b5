"""MySQL/MariaDB partitions on a real server: a release's partitioned tables built from
empty, changed to the next release and back through ``diff``, judged by what the server
reports in information_schema.PARTITIONS (and TABLES), not by what dbshift reads back.
Rows in the partitions that stay are kept."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dbshift.diff import diff
from dbshift.errors import Unsupported
from dbshift.inspect import inspect_schema
from dbshift.model import Schema
from dbshift.ops import (
    AddPartition,
    DropPartition,
    Operation,
    PartitionTable,
    RemovePartitioning,
    ReorganizePartition,
)
from tests.conftest import Database, fresh_databases
from tests.diff.helpers import apply_ops, inspect_db

pytestmark = pytest.mark.mysql

PARTITIONS = (
    "SELECT TABLE_NAME, PARTITION_NAME, PARTITION_ORDINAL_POSITION, PARTITION_METHOD,"
    " PARTITION_EXPRESSION, PARTITION_DESCRIPTION, PARTITION_COMMENT, SUBPARTITION_NAME"
    " FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA = DATABASE()"
    " ORDER BY TABLE_NAME, PARTITION_ORDINAL_POSITION"
)
KEYS = (
    "SELECT TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX, COLUMN_NAME FROM information_schema.STATISTICS"
    " WHERE TABLE_SCHEMA = DATABASE() ORDER BY 1, 2, 3"
)

EVENTS = (
    "CREATE TABLE events (id int NOT NULL, happened date NOT NULL, kind varchar(10),"
    " PRIMARY KEY (id, happened)) PARTITION BY RANGE (YEAR(happened)) ({})"
)
REGIONS = (
    "CREATE TABLE sales (id int NOT NULL, region char(2) NOT NULL)"
    " PARTITION BY LIST COLUMNS (region) ({})"
)

#: (name, release 1, release 2, operation kinds the way up must use)
CASES = [
    (
        "range: drop the oldest, add at the end, split the catch-all",
        EVENTS.format(
            "PARTITION p2023 VALUES LESS THAN (2024), PARTITION p2024 VALUES LESS THAN (2025)"
            " COMMENT 'last year''s', PARTITION pmax VALUES LESS THAN MAXVALUE"
        ),
        EVENTS.format(
            "PARTITION p2024 VALUES LESS THAN (2025) COMMENT 'last year''s',"
            " PARTITION p2025 VALUES LESS THAN (2026), PARTITION pmax VALUES LESS THAN MAXVALUE"
        ),
        {DropPartition, ReorganizePartition},
    ),
    (
        "range: a partition added after the last",
        EVENTS.format("PARTITION p2024 VALUES LESS THAN (2025)"),
        EVENTS.format(
            "PARTITION p2024 VALUES LESS THAN (2025), PARTITION p2025 VALUES LESS THAN (2026)"
        ),
        {AddPartition},
    ),
    (
        "list columns: a value moves, a default partition appears",
        REGIONS.format("PARTITION eu VALUES IN ('fr','de'), PARTITION us VALUES IN ('us','ca')"),
        REGIONS.format(
            "PARTITION eu VALUES IN ('fr','de','ca'), PARTITION us VALUES IN ('us'),"
            " PARTITION rest DEFAULT"
        ),
        {ReorganizePartition},
    ),
    (
        "hash: more partitions",
        "CREATE TABLE hits (id int NOT NULL PRIMARY KEY) PARTITION BY HASH (id) PARTITIONS 3",
        "CREATE TABLE hits (id int NOT NULL PRIMARY KEY) PARTITION BY HASH (id) PARTITIONS 5",
        {AddPartition},
    ),
    (
        "linear key with named partitions: one more",
        "CREATE TABLE hits (id int NOT NULL, x int) PARTITION BY LINEAR KEY (id, x)"
        " (PARTITION one, PARTITION two)",
        "CREATE TABLE hits (id int NOT NULL, x int) PARTITION BY LINEAR KEY (id, x)"
        " (PARTITION one, PARTITION two, PARTITION three COMMENT 'spare')",
        {AddPartition},
    ),
    (
        "a plain table partitioned by key, with a key of two columns",
        "CREATE TABLE hits (id int NOT NULL PRIMARY KEY, at datetime NOT NULL DEFAULT CURRENT_TIMESTAMP)",
        "CREATE TABLE hits (id int NOT NULL, at datetime NOT NULL DEFAULT CURRENT_TIMESTAMP, PRIMARY KEY (id, at))"
        " PARTITION BY KEY () PARTITIONS 2",
        {PartitionTable},
    ),
    (
        "range by year to linear hash by id, the primary key unchanged",
        EVENTS.format(
            "PARTITION p1 VALUES LESS THAN (2025), PARTITION p2 VALUES LESS THAN MAXVALUE"
        ),
        "CREATE TABLE events (id int NOT NULL, happened date NOT NULL, kind varchar(10),"
        " PRIMARY KEY (id, happened)) PARTITION BY LINEAR HASH (id % 7) PARTITIONS 2",
        {PartitionTable},
    ),
    (
        "range by year to hash by id, the primary key changed too",
        EVENTS.format(
            "PARTITION p1 VALUES LESS THAN (2025), PARTITION p2 VALUES LESS THAN MAXVALUE"
        ),
        "CREATE TABLE events (id int NOT NULL, happened date NOT NULL, kind varchar(10),"
        " PRIMARY KEY (id)) PARTITION BY HASH (id) PARTITIONS 2",
        {RemovePartitioning, PartitionTable},
    ),
]

ROWS = {
    "events": "INSERT INTO events VALUES (1, '2024-05-01', 'a'), (2, '2024-09-01', 'b')",
    "sales": "INSERT INTO sales VALUES (1, 'fr'), (2, 'us'), (3, 'ca')",
    "hits": "INSERT INTO hits (id) VALUES (1), (2), (3), (4), (5), (6), (7)",
}


@pytest.fixture
def three(tmp_path: Path) -> Iterator[list[Database]]:
    yield from fresh_databases("mysql", tmp_path, 3)


def run(db: Database, *statements: str) -> None:
    with db.connect() as conn:
        raw = conn.execution_options(no_parameters=True)
        for sql in statements:
            raw.exec_driver_sql(sql)


def reported(db: Database) -> dict[str, list[tuple[object, ...]]]:
    """information_schema's account, and SHOW CREATE TABLE's (``PARTITIONS n`` or a list)."""
    with db.connect() as conn:
        tables = [r[0] for r in conn.exec_driver_sql("SHOW TABLES")]
        return {
            "partitions": [tuple(r) for r in conn.exec_driver_sql(PARTITIONS)],
            "keys": [tuple(r) for r in conn.exec_driver_sql(KEYS)],
            "show create": [
                tuple(conn.exec_driver_sql(f"SHOW CREATE TABLE `{t}`").one()) for t in tables
            ],
        }


def rows(db: Database, table: str) -> int:
    return int(db.scalar(f"SELECT COUNT(*) FROM {table}"))


def migrate(target: Database, desired: Schema) -> list[Operation]:
    current = inspect_db(target)
    ops = diff(current, desired)
    apply_ops(target, ops, current)
    return ops


@pytest.mark.parametrize(("name", "v1", "v2", "kinds"), CASES, ids=[c[0] for c in CASES])
def test_partitions_up_and_back_match_information_schema(
    name: str, v1: str, v2: str, kinds: set[type], three: list[Database]
) -> None:
    ref1, ref2, target = three
    run(ref1, v1)
    run(ref2, v2)
    first, second = inspect_db(ref1), inspect_db(ref2)
    assert reported(ref1) != reported(ref2)

    migrate(target, first)  # from empty: CREATE TABLE … PARTITION BY …
    assert reported(target) == reported(ref1)
    table = first.tables[0].name
    run(target, ROWS[table])
    before = rows(target, table)

    up = migrate(target, second)
    assert kinds <= {type(op) for op in up}
    assert reported(target) == reported(ref2)
    if DropPartition not in kinds:
        assert rows(target, table) == before
    # Back by the diff the other way, then up again and back by the operations' reverses
    # (what a generated migration's down section runs).
    migrate(target, first)
    assert reported(target) == reported(ref1)
    assert diff(inspect_db(target), first) == []
    migrate(target, second)
    apply_ops(target, [op.reverse() for op in reversed(up)], inspect_db(target))
    assert reported(target) == reported(ref1)


def test_a_subpartitioned_table_is_refused_by_name(mysql_db: Database) -> None:
    run(
        mysql_db,
        "CREATE TABLE s (id int NOT NULL, d date) PARTITION BY RANGE (YEAR(d))"
        " SUBPARTITION BY HASH (id) SUBPARTITIONS 2"
        " (PARTITION a VALUES LESS THAN (2000), PARTITION b VALUES LESS THAN MAXVALUE)",
    )
    with (
        mysql_db.connect() as conn,
        pytest.raises(Unsupported, match=r"subpartitioned tables .*\(s\)"),
    ):
        inspect_schema(conn)


@pytest.mark.parametrize("dialect", ["postgresql", "sqlite"])
def test_other_servers_refuse_a_table_with_partitions_listed_by_name(dialect: str) -> None:
    from dbshift.dialects import renderer_for
    from dbshift.model import Column, Partition, Table
    from dbshift.ops import CreateTable

    table = Table(
        name="hits",
        columns=(Column(name="id", type="integer", nullable=False),),
        partition_by="HASH (`id`)",
        partitions=(Partition(name="p0"), Partition(name="p1")),
    )
    with pytest.raises(Unsupported, match="hits: partitions listed in the table: MySQL"):
        renderer_for(dialect).render([CreateTable(table)], Schema())
