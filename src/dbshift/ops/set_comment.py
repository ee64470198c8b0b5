"""COMMENT ON a routine, trigger, type, sequence, index, constraint, policy, collation or
extension (PostgreSQL); ``after`` None removes it."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from dbshift.frozen import frozen
from dbshift.ops.base import Operation

if TYPE_CHECKING:
    from dbshift.model import Comment, Schema


@frozen
class SetComment(Operation):
    #: The comment's target and new text (``comment.text`` is ignored when ``after`` is None).
    comment: Comment
    before: str | None
    after: str | None
    kind: ClassVar[str] = "set_comment"

    def apply(self, schema: Schema) -> Schema:
        kept = tuple(c for c in schema.comments if c.target != self.comment.target)
        if self.after is not None:
            kept = (*kept, replace(self.comment, text=self.after))
        return replace(schema, comments=kept)

    def reverse(self) -> Operation:
        return SetComment(comment=self.comment, before=self.after, after=self.before)

    def describe(self) -> str:
        on = f" on {self.comment.table}" if self.comment.table else ""
        return f"set comment on {self.comment.kind.lower()} {self.comment.name}{on}"
