"""Fill a column of existing rows in batches: the middle step of adding a column whose
default PostgreSQL would otherwise write into every row under ACCESS EXCLUSIVE.

The column is added nullable without a default (a catalog change), the default is set so
new rows get it, and this operation fills the rows that existed before, a batch per
transaction, in primary-key order (keyset, never OFFSET) up to a high-water mark taken at
the start: rows inserted meanwhile already carry the default, so the loop ends however fast
they arrive. It changes data only; the schema is the same after it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from dbshift.errors import Irreversible, PlanError
from dbshift.frozen import frozen
from dbshift.ops.base import Operation, TableChange, require_table

if TYPE_CHECKING:
    from dbshift.model import Schema


@frozen
class Backfill(TableChange):
    column: str
    #: The SQL expression each existing row gets (the column's default, e.g. gen_random_uuid()).
    expression: str
    #: The single-column key batches walk in order; None: one UPDATE for the whole table.
    key: str | None = None
    batch_size: int = 10_000
    kind: ClassVar[str] = "backfill"

    def apply(self, schema: Schema) -> Schema:
        table = require_table(schema, self.on, self.describe())
        if table.column(self.column) is None:
            raise PlanError(f"{self.describe()}: no such column")
        return schema

    def reverse(self) -> Operation:
        raise Irreversible(f"{self.describe()}: the values it wrote are not kept")

    def describe(self) -> str:
        return f"backfill {self.where}.{self.column}"
