"""DROP DOMAIN (PostgreSQL): refused by the server while a column still uses it."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.frozen import frozen
from dbshift.ops.base import Operation, qualified

if TYPE_CHECKING:
    from dbshift.model import Domain, Schema


@frozen
class DropDomain(Operation):
    domain: Domain
    kind: ClassVar[str] = "drop_domain"

    def apply(self, schema: Schema) -> Schema:
        key = (self.domain.schema, self.domain.name)
        kept = tuple(d for d in schema.domains if (d.schema, d.name) != key)
        return replace(schema, domains=kept)

    def reverse(self) -> Operation:
        from dbshift.ops.create_domain import CreateDomain

        return CreateDomain(self.domain)

    def describe(self) -> str:
        return f"drop domain {qualified((self.domain.schema, self.domain.name))}"
