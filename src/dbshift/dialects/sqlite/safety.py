"""SQLite's safety facts: one lock for the whole database while a statement runs, and
every ALTER TABLE beyond ADD/RENAME/DROP COLUMN done by rebuilding the table (copy, drop,
rename). The rules every server shares are in ``dialects/safety.py``."""

from __future__ import annotations

from dbshift.dialects.safety import COMMON, SafetyRules
from dbshift.ops import (
    AddColumn,
    AddForeignKey,
    AddPrimaryKey,
    AddUnique,
    AlterColumn,
    CreateIndex,
    DropCheck,
    DropColumn,
    DropForeignKey,
    DropPrimaryKey,
    DropUnique,
    Lock,
    Safety,
)

#: SQLite's ALTER TABLE has no form for keys and constraints, so dbshift's renderer
#: rebuilds the table for each of these; DROP COLUMN rewrites every row even where SQLite
#: runs it in place (the table is rebuilt where SQLite refuses it: a column a key uses).
RULES = SafetyRules(
    "sqlite",
    base=COMMON,
    rebuilds=(
        AddPrimaryKey,
        AddUnique,
        DropCheck,
        DropUnique,
        DropForeignKey,
        DropColumn,
        DropPrimaryKey,
    ),
)

RULES.fixed(
    {
        AddColumn: Safety(note="SQLite adds columns in place"),
        AddForeignKey: Safety(lock=Lock.ALL, rewrite=True, note="SQLite rebuilds the table"),
        CreateIndex: Safety(lock=Lock.WRITES, note="the database is locked while it builds"),
    }
)


@RULES.rule(AlterColumn)
def _alter_column(op: AlterColumn) -> Safety:
    return Safety(
        lock=Lock.ALL,
        rewrite=True,
        breaking=bool(set(op.changes) & {"type", "collation"}),
        note="SQLite cannot alter a column: the table is rebuilt",
    )
