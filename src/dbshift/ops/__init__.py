"""Typed operations: one per file; each applies, reverses and rates itself."""

from dbshift.ops.add_check import AddCheck
from dbshift.ops.add_column import AddColumn
from dbshift.ops.add_enum_value import AddEnumValue
from dbshift.ops.add_exclusion import AddExclusion
from dbshift.ops.add_foreign_key import AddForeignKey
from dbshift.ops.add_partition import AddPartition
from dbshift.ops.add_primary_key import AddPrimaryKey
from dbshift.ops.add_unique import AddUnique
from dbshift.ops.alter_column import AlterColumn
from dbshift.ops.alter_composite_type import AlterCompositeType
from dbshift.ops.alter_extension import AlterExtension
from dbshift.ops.alter_sequence import AlterSequence
from dbshift.ops.attach_partition import AttachPartition
from dbshift.ops.base import Lock, Operation, Safety, TableChange
from dbshift.ops.create_collation import CreateCollation
from dbshift.ops.create_composite_type import CreateCompositeType
from dbshift.ops.create_domain import CreateDomain
from dbshift.ops.create_enum import CreateEnum
from dbshift.ops.create_extension import CreateExtension
from dbshift.ops.create_index import CreateIndex
from dbshift.ops.create_policy import CreatePolicy
from dbshift.ops.create_routine import CreateRoutine
from dbshift.ops.create_schema import CreateSchema
from dbshift.ops.create_sequence import CreateSequence
from dbshift.ops.create_statistics import CreateStatistics
from dbshift.ops.create_table import CreateTable
from dbshift.ops.create_view import CreateView
from dbshift.ops.detach_partition import DetachPartition
from dbshift.ops.drop_check import DropCheck
from dbshift.ops.drop_collation import DropCollation
from dbshift.ops.drop_column import DropColumn
from dbshift.ops.drop_composite_type import DropCompositeType
from dbshift.ops.drop_domain import DropDomain
from dbshift.ops.drop_enum import DropEnum
from dbshift.ops.drop_exclusion import DropExclusion
from dbshift.ops.drop_extension import DropExtension
from dbshift.ops.drop_foreign_key import DropForeignKey
from dbshift.ops.drop_index import DropIndex
from dbshift.ops.drop_partition import DropPartition
from dbshift.ops.drop_policy import DropPolicy
from dbshift.ops.drop_primary_key import DropPrimaryKey
from dbshift.ops.drop_routine import DropRoutine
from dbshift.ops.drop_schema import DropSchema
from dbshift.ops.drop_sequence import DropSequence
from dbshift.ops.drop_statistics import DropStatistics
from dbshift.ops.drop_table import DropTable
from dbshift.ops.drop_unique import DropUnique
from dbshift.ops.drop_view import DropView
from dbshift.ops.inherit_table import InheritTable
from dbshift.ops.move_partition import MovePartition
from dbshift.ops.no_inherit_table import NoInheritTable
from dbshift.ops.partition_table import PartitionTable
from dbshift.ops.raw_sql import RawSQL
from dbshift.ops.recreate_collation import RecreateCollation
from dbshift.ops.recreate_domain import RecreateDomain
from dbshift.ops.recreate_enum import RecreateEnum
from dbshift.ops.remove_partitioning import RemovePartitioning
from dbshift.ops.rename_column import RenameColumn
from dbshift.ops.rename_table import RenameTable
from dbshift.ops.reorganize_partition import ReorganizePartition
from dbshift.ops.replace_routine import ReplaceRoutine
from dbshift.ops.set_comment import SetComment
from dbshift.ops.set_row_security import SetRowSecurity
from dbshift.ops.set_table_comment import SetTableComment
from dbshift.ops.set_table_options import SetTableOptions
from dbshift.ops.set_table_sqlite_options import SetTableSqliteOptions
from dbshift.ops.set_table_storage import SetTableStorage
from dbshift.ops.set_table_unlogged import SetTableUnlogged
from dbshift.ops.split_table import SplitTable

__all__ = [
    "AddCheck",
    "AddColumn",
    "AddEnumValue",
    "AddExclusion",
    "AddForeignKey",
    "AddPartition",
    "AddPrimaryKey",
    "AddUnique",
    "AlterColumn",
    "AlterCompositeType",
    "AlterExtension",
    "AlterSequence",
    "AttachPartition",
    "CreateCollation",
    "CreateCompositeType",
    "CreateDomain",
    "CreateEnum",
    "CreateExtension",
    "CreateIndex",
    "CreatePolicy",
    "CreateRoutine",
    "CreateSchema",
    "CreateSequence",
    "CreateStatistics",
    "CreateTable",
    "CreateView",
    "DetachPartition",
    "DropCheck",
    "DropCollation",
    "DropColumn",
    "DropCompositeType",
    "DropDomain",
    "DropEnum",
    "DropExclusion",
    "DropExtension",
    "DropForeignKey",
    "DropIndex",
    "DropPartition",
    "DropPolicy",
    "DropPrimaryKey",
    "DropRoutine",
    "DropSchema",
    "DropSequence",
    "DropStatistics",
    "DropTable",
    "DropUnique",
    "DropView",
    "InheritTable",
    "Lock",
    "MovePartition",
    "NoInheritTable",
    "Operation",
    "PartitionTable",
    "RawSQL",
    "RecreateCollation",
    "RecreateDomain",
    "RecreateEnum",
    "RemovePartitioning",
    "RenameColumn",
    "RenameTable",
    "ReorganizePartition",
    "ReplaceRoutine",
    "Safety",
    "SetComment",
    "SetRowSecurity",
    "SetTableComment",
    "SetTableOptions",
    "SetTableSqliteOptions",
    "SetTableStorage",
    "SetTableUnlogged",
    "SplitTable",
    "TableChange",
]
