"""Samples of the MySQL/MariaDB partition operations, added to ``samples.SAMPLES``."""

from __future__ import annotations

from dbshift.model import Column, Partition, PrimaryKey, Schema, Table
from dbshift.ops import (
    AddPartition,
    DropPartition,
    Operation,
    PartitionTable,
    RemovePartitioning,
    ReorganizePartition,
)

VIEWS = (None, "page views")
BY = "RANGE COLUMNS (`seen on`)"
P2024 = Partition(name="p 2024", bound="VALUES LESS THAN ('2025-01-01')", comment="it's 2024")
P2025 = Partition(name="p2025", bound="VALUES LESS THAN ('2026-01-01')")
P2026 = Partition(name="p2026", bound="VALUES LESS THAN ('2027-01-01')")
H1 = Partition(name="p2025h1", bound="VALUES LESS THAN ('2025-07-01')")
H2 = Partition(name="p2025h2", bound="VALUES LESS THAN ('2026-01-01')")
BUCKETS = tuple(Partition(name=f"p{n}") for n in range(4))

SAMPLES: dict[str, Operation] = {
    "add_partition": AddPartition(on=VIEWS, before=(P2024, P2025), after=(P2024, P2025, P2026)),
    "drop_partition": DropPartition(on=VIEWS, before=(P2024, P2025), after=(P2025,)),
    "reorganize_partition": ReorganizePartition(
        on=VIEWS, before=(P2024, P2025), after=(P2024, H1, H2)
    ),
    "partition_table": PartitionTable(
        on=(None, "users"), partition_by="HASH (`id`)", partitions=BUCKETS
    ),
    "remove_partitioning": RemovePartitioning(on=VIEWS, partition_by=BY, partitions=(P2024, P2025)),
}


def extend(base: Schema) -> Schema:
    """``base`` with the partitioned table these samples change."""
    return base.with_table(
        Table(
            name="page views",
            columns=(
                Column(name="id", type="bigint", nullable=False),
                Column(name="seen on", type="date", nullable=False),
            ),
            primary_key=PrimaryKey(columns=("id", "seen on")),
            partition_by=BY,
            partitions=(P2024, P2025),
        )
    )
