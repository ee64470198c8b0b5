"""Online operations, one per module; ``OPERATION_TYPES`` maps the file's ``type``."""

from __future__ import annotations

from dbshift.online.operations.add_check import AddCheck
from dbshift.online.operations.add_column import AddColumn
from dbshift.online.operations.add_foreign_key import AddForeignKey
from dbshift.online.operations.add_unique import AddUnique
from dbshift.online.operations.alter_column import AlterColumn
from dbshift.online.operations.base import OnlineOperation
from dbshift.online.operations.create_index import CreateIndex
from dbshift.online.operations.drop_column import DropColumn
from dbshift.online.operations.drop_index import DropIndex
from dbshift.online.operations.raw_sql import RawSQL
from dbshift.online.operations.rename_column import RenameColumn
from dbshift.online.operations.rename_table import RenameTable
from dbshift.online.operations.split_table import SplitTable

OPERATION_TYPES: dict[str, type[OnlineOperation]] = {
    cls.type: cls
    for cls in (
        AddCheck,
        AddColumn,
        AddForeignKey,
        AddUnique,
        AlterColumn,
        CreateIndex,
        DropColumn,
        DropIndex,
        RawSQL,
        RenameColumn,
        RenameTable,
        SplitTable,
    )
}

__all__ = ["OPERATION_TYPES", "OnlineOperation"]
