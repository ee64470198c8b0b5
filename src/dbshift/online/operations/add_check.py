"""Add a CHECK constraint without breaking the old version.

A plain ``ADD CONSTRAINT ... CHECK`` (even NOT VALID) rejects the old version's writes
that violate it the moment it exists. Instead the constraint goes on a hidden copy of the
column: ``up`` turns an old value into one that passes (``CASE WHEN price > 0 THEN price
ELSE 1 END``), ``down`` maps the new version's values back. The check is NOT VALID until
complete validates it without blocking writes; then the copy takes the column's place.
The expression names the column as written; it is rewritten to the hidden column with
PostgreSQL's own parser (pglast), never by text substitution."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from dbshift.errors import OnlineOperationError
from dbshift.online.operations.alter_column import AlterColumn


@dataclass(frozen=True)
class AddCheck(AlterColumn):
    type: ClassVar[str] = "add_check"
    name: str = ""
    check: str = ""

    def validate(self) -> None:
        super().validate()
        if not self.name or not self.check:
            raise OnlineOperationError("add_check needs name and check")
        self.hidden_check()  # parse errors surface when the file is read

    def hidden_check(self) -> str:
        """The check expression with the column replaced by its hidden copy."""
        import pglast
        from pglast import ast
        from pglast.stream import RawStream
        from pglast.visitors import Visitor

        try:
            (raw,) = pglast.parse_sql(f"SELECT ({self.check})")
        except pglast.parser.ParseError as exc:
            raise OnlineOperationError(f"check {self.check!r}: {exc}") from None
        select: Any = raw.stmt
        expr = select.targetList[0].val
        column, hidden = self.column, self.hidden

        class Rename(Visitor):
            def visit_ColumnRef(self, parent: object, node: ast.ColumnRef) -> object:
                last = (node.fields or (None,))[-1]
                if isinstance(last, ast.String) and last.sval == column:
                    return ast.ColumnRef(fields=(ast.String(sval=hidden),))
                return None

        Rename()(expr)
        return str(RawStream()(expr))
