"""DROP POLICY (PostgreSQL row-level security)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.frozen import frozen
from dbshift.ops.base import Operation, TableChange

if TYPE_CHECKING:
    from dbshift.model import Policy, Schema, Table


@frozen
class DropPolicy(TableChange):
    policy: Policy
    kind: ClassVar[str] = "drop_policy"

    def apply(self, schema: Schema) -> Schema:
        def change(table: Table) -> Table:
            return replace(table, policies=tuple(p for p in table.policies if p != self.policy))

        return self._change(schema, change)

    def reverse(self) -> Operation:
        from dbshift.ops.create_policy import CreatePolicy

        return CreatePolicy(on=self.on, policy=self.policy)

    def describe(self) -> str:
        return f"drop policy {self.policy.name} on {self.where}"
