"""DROP [MATERIALIZED] VIEW."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.errors import PlanError
from dbshift.frozen import frozen
from dbshift.ops.base import Operation, qualified

if TYPE_CHECKING:
    from dbshift.model import Schema, View


@frozen
class DropView(Operation):
    view: View
    kind: ClassVar[str] = "drop_view"

    def apply(self, schema: Schema) -> Schema:
        kept = tuple(
            v for v in schema.views if (v.schema, v.name) != (self.view.schema, self.view.name)
        )
        if len(kept) == len(schema.views):
            raise PlanError(f"{self.describe()}: no such view")
        return replace(schema, views=kept)

    def reverse(self) -> Operation:
        from dbshift.ops.create_view import CreateView

        return CreateView(self.view)

    def describe(self) -> str:
        what = "materialized view" if self.view.materialized else "view"
        return f"drop {what} {qualified((self.view.schema, self.view.name))}"
