"""CREATE SCHEMA: a namespace the desired schema's objects live in.

Created before anything else in a plan (its objects need it). On PostgreSQL a schema;
on MySQL/MariaDB a database beside the URL's own (``schemas`` names it), rendered
CREATE DATABASE; SQLite has none (the renderer refuses it by name).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.errors import PlanError
from dbshift.frozen import frozen
from dbshift.ops.base import Operation

if TYPE_CHECKING:
    from dbshift.model import Schema


@frozen
class CreateSchema(Operation):
    name: str
    kind: ClassVar[str] = "create_schema"

    def apply(self, schema: Schema) -> Schema:
        if self.name in schema.namespaces:
            raise PlanError(f"{self.describe()}: it already exists")
        return replace(schema, namespaces=tuple(sorted((*schema.namespaces, self.name))))

    def reverse(self) -> Operation:
        from dbshift.ops.drop_schema import DropSchema

        return DropSchema(self.name)

    def describe(self) -> str:
        return f"create schema {self.name}"
