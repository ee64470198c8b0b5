"""The schema model: frozen, dialect-neutral data that imports nothing else in dbshift."""

from dbshift.model.extras import Collation, CompositeType, Extension, Policy
from dbshift.model.objects import (
    CheckConstraint,
    Column,
    Domain,
    EnumType,
    ExclusionConstraint,
    ForeignKey,
    Generated,
    Identity,
    Index,
    IndexElement,
    PrimaryKey,
    ReferentialAction,
    Routine,
    Sequence,
    TableOptions,
    UniqueConstraint,
    View,
)
from dbshift.model.schema import Schema, Table

__all__ = [
    "CheckConstraint",
    "Collation",
    "Column",
    "CompositeType",
    "Domain",
    "EnumType",
    "ExclusionConstraint",
    "Extension",
    "ForeignKey",
    "Generated",
    "Identity",
    "Index",
    "IndexElement",
    "Policy",
    "PrimaryKey",
    "ReferentialAction",
    "Routine",
    "Schema",
    "Sequence",
    "Table",
    "TableOptions",
    "UniqueConstraint",
    "View",
]
