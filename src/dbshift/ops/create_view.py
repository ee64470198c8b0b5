"""CREATE [MATERIALIZED] VIEW."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.errors import PlanError
from dbshift.frozen import frozen
from dbshift.ops.base import Operation, qualified

if TYPE_CHECKING:
    from dbshift.model import Schema, View


@frozen
class CreateView(Operation):
    view: View
    kind: ClassVar[str] = "create_view"

    def apply(self, schema: Schema) -> Schema:
        if any((v.schema, v.name) == (self.view.schema, self.view.name) for v in schema.views):
            raise PlanError(f"{self.describe()}: view already exists")
        return replace(schema, views=(*schema.views, self.view))

    def reverse(self) -> Operation:
        from dbshift.ops.drop_view import DropView

        return DropView(self.view)

    def describe(self) -> str:
        what = "materialized view" if self.view.materialized else "view"
        return f"create {what} {qualified((self.view.schema, self.view.name))}"
