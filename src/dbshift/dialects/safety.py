"""What an operation costs on a server: one dispatch table per dialect (sqlglot's style),
from operation class to the rule that rates it.

This is the one source of safety truth: ``Dialect.safety(op)`` answers from its table,
and ``generate``'s comments, ``plan``'s flags, ``diff``'s safe forms and the migration
headers all ask it. An operation itself carries no per-server knowledge (ops sit below
dialects), so a typo in a dialect name cannot fall through to another server's rules:
``dialects.named`` refuses it, and an operation class no table knows is refused too.

The rules here hold on every server, or are the answer most servers give; each server's
``safety.py`` starts from them, replaces the rules whose answer depends on the server, and
names the operations it carries out by copying the whole table (``rebuilds``), so that a
rule the servers share is written once, not once a server with one flag changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any, TypeVar

from dbshift.ops import (
    AddCheck,
    AddEnumValue,
    AddExclusion,
    AddPartition,
    AddPrimaryKey,
    AddUnique,
    AlterCompositeType,
    AlterExtension,
    AlterSequence,
    AttachPartition,
    CreateCollation,
    CreateCompositeType,
    CreateDomain,
    CreateEnum,
    CreateExtension,
    CreatePolicy,
    CreateRoutine,
    CreateSchema,
    CreateSequence,
    CreateStatistics,
    CreateTable,
    CreateView,
    DetachPartition,
    DropCheck,
    DropCollation,
    DropColumn,
    DropCompositeType,
    DropDomain,
    DropEnum,
    DropExclusion,
    DropExtension,
    DropForeignKey,
    DropIndex,
    DropPartition,
    DropPolicy,
    DropPrimaryKey,
    DropRoutine,
    DropSchema,
    DropSequence,
    DropStatistics,
    DropTable,
    DropUnique,
    DropView,
    InheritTable,
    Lock,
    MovePartition,
    NoInheritTable,
    Operation,
    PartitionTable,
    RawSQL,
    RecreateCollation,
    RecreateDomain,
    RecreateEnum,
    RemovePartitioning,
    RenameColumn,
    RenameTable,
    ReorganizePartition,
    ReplaceRoutine,
    Safety,
    SetComment,
    SetRowSecurity,
    SetTableComment,
    SetTableOptions,
    SetTableSqliteOptions,
    SetTableStorage,
    SetTableUnlogged,
    SplitTable,
)
from dbshift.ops.backfill import Backfill
from dbshift.ops.validate_constraint import ValidateConstraint

Op = TypeVar("Op", bound=Operation)


class SafetyRules:
    """One server's table: operation class → rule. Looked up by exact class, so every
    operation is rated on purpose, never by a parent's default."""

    def __init__(
        self,
        server: str,
        *,
        base: SafetyRules | None = None,
        rebuilds: Iterable[type[Operation]] = (),
    ) -> None:
        """``rebuilds``: the operation classes this server carries out by copying the table
        (ALGORITHM=COPY, SQLite's rebuild) where another server changes only the catalog;
        whatever rule rates them, the answer says the table is rewritten."""
        self.server = server
        self._rules: dict[type[Operation], Callable[[Any], Safety]] = (
            dict(base._rules) if base is not None else {}
        )
        self._rebuilds = frozenset(rebuilds)

    def rule(self, *kinds: type[Op]) -> Callable[[Callable[[Op], Safety]], Callable[[Op], Safety]]:
        """Register the decorated function as the rule for ``kinds``."""

        def register(rate: Callable[[Op], Safety]) -> Callable[[Op], Safety]:
            for kind in kinds:
                self._rules[kind] = rate
            return rate

        return register

    def fixed(self, table: Mapping[type[Operation], Safety]) -> None:
        """Register the rules whose answer is the same for every operation of the class."""
        for kind, safety in table.items():
            self._rules[kind] = _always(safety)

    def covers(self, kind: type[Operation]) -> bool:
        return kind in self._rules

    def rate(self, op: Operation) -> Safety:
        rate = self._rules.get(type(op))
        if rate is None:
            # A new operation class without lock facts: a bug in dbshift, not bad input.
            raise NotImplementedError(
                f"{op.describe()}: no safety facts for {type(op).__name__} on {self.server}"
            )
        safety = rate(op)
        if type(op) in self._rebuilds and not safety.rewrite:
            return replace(safety, rewrite=True)
        return safety


def _always(safety: Safety) -> Callable[[Operation], Safety]:
    def rate(op: Operation) -> Safety:
        return safety

    return rate


#: The rules that hold on every server.
COMMON = SafetyRules("every server")


#: Rules whose answer depends on the operation's class alone: a table, not a function each.
COMMON.fixed(
    {
        # New objects no running code uses yet, and comments: nothing to wait for or lose.
        **dict.fromkeys(
            (
                CreateCollation,
                CreateCompositeType,
                CreateDomain,
                CreateEnum,
                CreateExtension,
                CreatePolicy,
                CreateRoutine,
                CreateStatistics,
                CreateSequence,
                CreateTable,
                SetComment,
                SetTableComment,
            ),
            Safety(),
        ),
        InheritTable: Safety(
            lock=Lock.ALL,
            note="locks the child; queries on the parent see its rows from then on",
        ),
        NoInheritTable: Safety(
            lock=Lock.ALL,
            breaking=True,
            note="its rows leave the parent's queries; the child is locked while it leaves",
        ),
        RecreateCollation: Safety(
            lock=Lock.ALL,
            breaking=True,
            note="each table with a column of the collation is locked while its indexes on "
            "those columns are rebuilt; comparisons and sort order change",
        ),
        CreateSchema: Safety(note="catalog-only"),
        AddEnumValue: Safety(
            note="PostgreSQL 12+ runs it in a transaction; the value is usable after commit"
        ),
        # An exclusion constraint cannot be added NOT VALID (PostgreSQL 15): its index is
        # built and every row checked while the table is locked.
        AddExclusion: Safety(
            lock=Lock.ALL, note="builds its index and checks every row under ACCESS EXCLUSIVE"
        ),
        AlterExtension: Safety(
            note="runs the extension's update script; not every version goes back"
        ),
        AttachPartition: Safety(
            lock=Lock.WRITES,
            note="scans the table to check its rows fit the bound (a matching CHECK skips it)",
        ),
        DetachPartition: Safety(
            lock=Lock.ALL,
            breaking=True,
            note="its rows leave the parent table; the parent is locked while it detaches",
        ),
        DropCollation: Safety(breaking=True, note="the previous version may still name it"),
        **dict.fromkeys(
            (DropCompositeType, DropDomain, DropEnum),
            Safety(breaking=True, note="the previous version may still use the type"),
        ),
        DropExclusion: Safety(
            lock=Lock.ALL,
            breaking=True,
            note="brief lock; rows the constraint kept out can come in",
        ),
        DropExtension: Safety(
            breaking=True, destructive=True, note="what the extension created goes with it"
        ),
        DropStatistics: Safety(
            note="the planner loses the statistics until the object is made again and ANALYZE runs"
        ),
        DropPolicy: Safety(
            breaking=True, note="rows it let through are hidden (or shown) from then on"
        ),
        DropSchema: Safety(
            breaking=True,
            note="the previous version may still name the schema (its objects went first)",
        ),
        DropSequence: Safety(
            breaking=True, destructive=True, note="the sequence's position is lost"
        ),
        DropTable: Safety(
            lock=Lock.ALL,
            breaking=True,
            destructive=True,
            note="every row of the table is lost; the previous version still reads it",
        ),
        DropView: Safety(breaking=True, note="the previous version may still query the view"),
        MovePartition: Safety(
            lock=Lock.ALL,
            breaking=True,
            note="its rows are out of the parent until attached again (checked against the bound)",
        ),
        RecreateDomain: Safety(
            lock=Lock.ALL,
            rewrite=True,
            breaking=True,
            note="every table with a column of the domain is rewritten under ACCESS "
            "EXCLUSIVE; values the new definition rejects fail the migration",
        ),
        RenameColumn: Safety(
            lock=Lock.ALL, breaking=True, note="the previous version still uses the old name"
        ),
        RenameTable: Safety(
            lock=Lock.ALL,
            breaking=True,
            note="brief exclusive lock; the previous version still uses the old name",
        ),
        ReplaceRoutine: Safety(
            breaking=True, note="rows written from now on use the new definition"
        ),
        # Changes to a table's keys and columns from here: catalog changes under a brief
        # lock on PostgreSQL; MySQL and SQLite copy the table for some (their ``rebuilds``).
        # PostgreSQL replaces this rule: it can add the check NOT VALID and validate later.
        AddCheck: Safety(
            lock=Lock.ALL, rewrite=True, note="checks every row while copying the table"
        ),
        AddPrimaryKey: Safety(
            lock=Lock.ALL, note="builds a unique index and checks NOT NULL while holding the table"
        ),
        AddUnique: Safety(lock=Lock.ALL, note="builds a unique index"),
        **dict.fromkeys((DropCheck, DropUnique), Safety(lock=Lock.ALL, note="brief lock")),
        DropForeignKey: Safety(lock=Lock.ALL, note="brief lock on both tables"),
        DropColumn: Safety(
            lock=Lock.ALL,
            breaking=True,
            destructive=True,
            note="the column's data is lost; the previous version still reads and writes it",
        ),
        DropPrimaryKey: Safety(
            lock=Lock.ALL,
            breaking=True,
            note="lookups by key lose their index; replication tools may need the key",
        ),
        # Only the PostgreSQL planner makes it; PostgreSQL replaces this rule.
        ValidateConstraint: Safety(note="PostgreSQL only"),
        # Partitions kept in the table's own definition: MySQL and MariaDB (their rules
        # in dialects/mysql/safety.py); other servers refuse to render them.
        **dict.fromkeys(
            (AddPartition, PartitionTable, RemovePartitioning, ReorganizePartition),
            Safety(note="MySQL/MariaDB partitions only"),
        ),
    }
)


@COMMON.rule(DropPartition)
def _drop_partition(op: DropPartition) -> Safety:
    # Wherever it runs, a partition with a bound takes its rows along.
    if op.loses_rows:
        return Safety(
            lock=Lock.ALL,
            breaking=True,
            destructive=True,
            note=f"the rows of partition {', '.join(p.name for p in op.dropped)} are lost",
        )
    return Safety(note="MySQL/MariaDB partitions only")


@COMMON.rule(CreateView)
def _create_view(op: CreateView) -> Safety:
    if op.view.materialized:
        return Safety(lock=Lock.NONE, note="runs the query once to fill the view")
    return Safety()


@COMMON.rule(AlterCompositeType)
def _alter_composite_type(op: AlterCompositeType) -> Safety:
    dropped = op.dropped_attributes
    if dropped:
        return Safety(
            breaking=True,
            destructive=True,
            note=f"attributes {', '.join(sorted(dropped))} and their values go",
        )
    return Safety()


@COMMON.rule(AlterSequence)
def _alter_sequence(op: AlterSequence) -> Safety:
    # PostgreSQL 10+: ALTER SEQUENCE is transactional and blocks nextval() on the
    # sequence until the migration commits, so inserts that draw from it wait.
    if op.restarts:
        return Safety(
            lock=Lock.WRITES,
            breaking=True,
            destructive=True,
            note="the sequence counts the other way: it restarts from its START and "
            "its position is lost",
        )
    narrowing = bool({"type", "min_value", "max_value"} & set(op.changes))
    return Safety(
        lock=Lock.WRITES,
        note="blocks nextval() on the sequence until commit"
        + (
            "; a narrower type or bound makes nextval() fail once the position passes it"
            if narrowing
            else ""
        ),
    )


@COMMON.rule(Backfill)
def _backfill(op: Backfill) -> Safety:
    if op.key is None:
        return Safety(
            lock=Lock.NONE,
            note="one UPDATE (no single-column primary key to batch by): "
            "row locks on every row until it commits",
        )
    return Safety(note=f"batches of {op.batch_size} rows, one transaction each")


@COMMON.rule(DropRoutine)
def _drop_routine(op: DropRoutine) -> Safety:
    if op.routine.kind == "trigger":
        return Safety(breaking=True, note="writes stop firing it; dual-write triggers stop syncing")
    if op.routine.kind == "virtual table":
        return Safety(
            breaking=True,
            destructive=True,
            note="a SQLite virtual table's rows go with it (an external-content full-text "
            "index is rebuilt from its table when made again)",
        )
    return Safety(breaking=True, note="the previous version may still call it")


@COMMON.rule(RecreateEnum)
def _recreate_enum(op: RecreateEnum) -> Safety:
    if op.removed:
        return Safety(
            lock=Lock.ALL,
            rewrite=True,
            breaking=True,
            destructive=True,
            note=f"values {', '.join(map(repr, op.removed))} go: every column of the "
            "type is rewritten under ACCESS EXCLUSIVE, and a row holding one fails it",
        )
    return Safety(
        lock=Lock.ALL,
        rewrite=True,
        note="reordering values swaps in a new type: every column of the type is "
        "rewritten under ACCESS EXCLUSIVE",
    )


@COMMON.rule(SetRowSecurity)
def _set_row_security(op: SetRowSecurity) -> Safety:
    if op.after[0] and not op.before[0]:
        return Safety(breaking=True, note="rows no policy allows are hidden from then on")
    return Safety()


@COMMON.rule(SetTableStorage)
def _set_table_storage(op: SetTableStorage) -> Safety:
    # SHARE UPDATE EXCLUSIVE for most parameters; catalog only, no rewrite.
    return Safety()


@COMMON.rule(SetTableSqliteOptions)
def _set_table_sqlite_options(op: SetTableSqliteOptions) -> Safety:
    return Safety(
        lock=Lock.ALL,
        rewrite=True,
        note="SQLite rebuilds the table: every row is copied into a new one; under STRICT a "
        "value of the wrong type fails the copy",
    )


@COMMON.rule(SetTableUnlogged)
def _set_table_unlogged(op: SetTableUnlogged) -> Safety:
    if op.unlogged:
        return Safety(
            lock=Lock.ALL,
            rewrite=True,
            note="SET UNLOGGED rewrites the table under ACCESS EXCLUSIVE; from then on its rows "
            "are emptied after a crash and not replicated",
        )
    return Safety(
        lock=Lock.ALL,
        rewrite=True,
        note="SET LOGGED rewrites the table under ACCESS EXCLUSIVE, writing all of it to WAL",
    )


@COMMON.rule(SetTableOptions)
def _set_table_options(op: SetTableOptions) -> Safety:
    if "engine" not in op.changes and "row_format" in op.changes:
        return Safety(
            rewrite=True,
            note="ROW_FORMAT= rebuilds the table (InnoDB: in place, writes continue)",
        )
    if "engine" not in op.changes:
        # MySQL 8.0 and MariaDB 10.11 change the default collation in place, no rebuild.
        return Safety(note="the table's default collation only; existing columns keep theirs")
    lossy = op.loses_rows
    return Safety(
        lock=Lock.WRITES,
        rewrite=True,
        breaking=lossy,
        destructive=lossy,
        note="ENGINE= copies every row into the new engine (ALGORITHM=COPY: writes wait)"
        + ("; that engine does not keep the rows" if lossy else ""),
    )


@COMMON.rule(RawSQL)
def _raw_sql(op: RawSQL) -> Safety:
    # dbshift cannot see inside it: the worst case, said plainly.
    return Safety(
        lock=Lock.ALL,
        breaking=True,
        note="raw SQL: dbshift cannot see what it locks, rewrites or breaks",
    )


@COMMON.rule(SplitTable)
def _split_table(op: SplitTable) -> Safety:
    return Safety(
        lock=Lock.ALL,
        rewrite=True,
        breaking=True,
        note="the columns move to a new table (rows copied); the previous version's "
        "queries on them break unless run online",
    )


@COMMON.rule(DropIndex)
def drop_index(op: DropIndex) -> Safety:
    """Public: PostgreSQL's rule starts from it (DROP INDEX CONCURRENTLY takes no lock)."""
    return Safety(
        lock=Lock.ALL,
        note="queries that relied on the index slow down; unique enforcement ends"
        if op.index.unique
        else "queries that relied on the index slow down",
    )
