"""A PostgreSQL domain whose definition changes: a new domain swapped in under its columns.

Domains are compared as opaque definitions (``Domain.definition``), so there is no telling
which ALTER DOMAIN clause would do; and dropping a domain a column uses is refused. The
procedure is the one ``RecreateEnum`` follows: create the wanted domain under a temporary
name, ``ALTER COLUMN … TYPE new`` on every column of the old one (defaults dropped around
it), drop the old domain, rename the new one. PostgreSQL 15 rewrites the table for it even
when the base type stays (measured: a new relfilenode for domain -> domain over text); a
row the new definition rejects makes the migration fail, and nothing is lost.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.errors import PlanError
from dbshift.frozen import frozen
from dbshift.ops.base import Operation, qualified
from dbshift.ops.recreate_enum import type_suffix

if TYPE_CHECKING:
    from dbshift.model import Domain, Schema


@frozen
class RecreateDomain(Operation):
    before: Domain
    after: Domain
    kind: ClassVar[str] = "recreate_domain"

    def __post_init__(self) -> None:
        if (self.before.schema, self.before.name) != (self.after.schema, self.after.name):
            raise PlanError("RecreateDomain cannot rename or move a domain")

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.after.schema, self.after.name)

    def column_suffix(self, column_type: str, table_schema: str | None) -> str | None:
        """Whether a column uses the domain (see ``type_suffix``)."""
        return type_suffix(column_type, self.before.name, self.before.schema, table_schema)

    def apply(self, schema: Schema) -> Schema:
        if not any((d.schema, d.name) == self.key for d in schema.domains):
            raise PlanError(f"{self.describe()}: domain {qualified(self.key)} does not exist")
        return replace(
            schema,
            domains=tuple(
                self.after if (d.schema, d.name) == self.key else d for d in schema.domains
            ),
        )

    def reverse(self) -> Operation:
        return RecreateDomain(before=self.after, after=self.before)

    def describe(self) -> str:
        return f"recreate domain {qualified(self.key)}"
