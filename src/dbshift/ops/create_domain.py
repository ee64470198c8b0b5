"""CREATE DOMAIN (PostgreSQL), from its opaque definition."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.frozen import frozen
from dbshift.ops.base import Operation, qualified

if TYPE_CHECKING:
    from dbshift.model import Domain, Schema


@frozen
class CreateDomain(Operation):
    domain: Domain
    kind: ClassVar[str] = "create_domain"

    def apply(self, schema: Schema) -> Schema:
        return replace(schema, domains=(*schema.domains, self.domain))

    def reverse(self) -> Operation:
        from dbshift.ops.drop_domain import DropDomain

        return DropDomain(self.domain)

    def describe(self) -> str:
        return f"create domain {qualified((self.domain.schema, self.domain.name))}"
