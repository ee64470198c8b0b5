"""An enum that loses or reorders values (PostgreSQL): a new type swapped in under the columns.

PostgreSQL can add enum values in place (``AddEnumValue``) but never remove or reorder
them, and ``DROP TYPE`` fails while a column uses the type. The working procedure: create
the wanted type under a temporary name, ``ALTER COLUMN … TYPE new USING col::text::new`` on
every column of the old type (defaults are dropped around it: they cannot be cast
automatically), drop the old type and rename the new one. A row holding a removed value
makes the cast, and so the migration, fail: nothing is silently lost, but the operation is
rated destructive and rewriting. The reverse is the same procedure back to the old values.

Not handled: check constraints, index predicates and functions that spell a value of the
old type (``'x'::mood``), and domains over it, still refer to it; PostgreSQL refuses the
ALTER or the DROP, naming the object, and the migration fails before anything is committed.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.errors import PlanError
from dbshift.frozen import frozen
from dbshift.ops.base import Operation, qualified

if TYPE_CHECKING:
    from dbshift.model import EnumType, Schema


def _spellings(name: str) -> set[str]:
    """How ``format_type()`` may print a name: bare, or double-quoted when it must be."""
    return {name, '"' + name.replace('"', '""') + '"'}


def type_suffix(
    column_type: str, type_name: str, type_schema: str | None, table_schema: str | None
) -> str | None:
    """``""`` if a column of ``column_type`` has the named type (an enum, a domain), ``"[]"``
    if an array of it, else None. The catalog prints a type bare when it is in the
    inspected schema and qualified otherwise, so a table in the type's own schema sees the
    bare name."""
    names = set()
    for spelling in _spellings(type_name):
        if type_schema == table_schema:
            names.add(spelling)
        if type_schema is not None:
            names |= {f"{schema}.{spelling}" for schema in _spellings(type_schema)}
    for suffix in ("", "[]"):
        if column_type.endswith(suffix) and column_type[: len(column_type) - len(suffix)] in names:
            return suffix
    return None


def enum_column_type(column_type: str, enum: EnumType, table_schema: str | None) -> str | None:
    """``type_suffix`` for an enum."""
    return type_suffix(column_type, enum.name, enum.schema, table_schema)


def temporary_name(name: str, kind: str = "enum") -> str:
    """A name for the new type while the old one still exists: short (PostgreSQL truncates
    identifiers at 63 bytes, which could make ``<name>_new`` collide) and stable."""
    import hashlib  # here: importing the operations (every diff) need not load OpenSSL

    return f"dbshift_{kind}_" + hashlib.sha256(name.encode()).hexdigest()[:16]


@frozen
class RecreateEnum(Operation):
    before: EnumType
    after: EnumType
    kind: ClassVar[str] = "recreate_enum"

    def __post_init__(self) -> None:
        if (self.before.schema, self.before.name) != (self.after.schema, self.after.name):
            raise PlanError("RecreateEnum cannot rename or move a type")

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.after.schema, self.after.name)

    def column_suffix(self, column_type: str, table_schema: str | None) -> str | None:
        """Whether a column uses the type (see ``type_suffix``)."""
        return enum_column_type(column_type, self.before, table_schema)

    @property
    def removed(self) -> tuple[str, ...]:
        return tuple(v for v in self.before.values if v not in self.after.values)

    def apply(self, schema: Schema) -> Schema:
        if not any((e.schema, e.name) == self.key for e in schema.enums):
            raise PlanError(f"{self.describe()}: enum {qualified(self.key)} does not exist")
        return replace(
            schema,
            enums=tuple(self.after if (e.schema, e.name) == self.key else e for e in schema.enums),
        )

    def reverse(self) -> Operation:
        return RecreateEnum(before=self.after, after=self.before)

    def describe(self) -> str:
        what = f"remove {', '.join(map(repr, self.removed))}" if self.removed else "reorder"
        return f"recreate enum {qualified(self.key)} ({what})"
