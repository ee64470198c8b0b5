"""``generate --online`` writes only what an alter_column changes: a left-out key means
"unchanged" to the engine, so a dropped default must be written as ``drop_default`` and a
dropped NOT NULL as ``not_null = false``."""

from __future__ import annotations

import tomllib
from dataclasses import replace

import pytest

from dbshift.dialects import named
from dbshift.model import Column
from dbshift.online.write import online_toml
from dbshift.ops import AlterColumn
from tests.ops.samples import BASE, EMAIL, USERS


def _c(type_: str, *, nullable: bool = True, default: str | None = None) -> Column:
    """The sample schema's users.email (apply needs the column to exist) reshaped."""
    return replace(EMAIL, type=type_, nullable=nullable, default=default)


def _keys(before: Column, after: Column) -> dict[str, object]:
    plan = [AlterColumn(on=USERS, before=before, after=after)]
    text = online_toml(plan, BASE, description="t", dialect=named("postgresql"))
    (op,) = tomllib.loads(text)["operations"]
    return {k: v for k, v in op.items() if k not in ("table", "type", "column")}


@pytest.mark.parametrize(
    ("before", "after", "keys"),
    [
        (_c("text", default="'a'"), _c("text"), {"drop_default": True}),
        (_c("text", nullable=False), _c("text"), {"not_null": False}),
        (_c("text"), _c("text", nullable=False), {"not_null": True}),
        (
            _c("text", default="'a'"),
            _c("text", default="'b'"),
            {"default": "'b'"},
        ),
        (
            _c("text", nullable=False, default="'a'"),
            _c("varchar(9)", nullable=False, default="'a'"),
            {
                "data_type": "varchar(9)",
                "up": 'CAST("email" AS varchar(9))',
                "down": 'CAST("email" AS text)',
            },
        ),
    ],
    ids=["drop-default", "drop-not-null", "set-not-null", "new-default", "type-only"],
)
def test_only_what_changes_is_written(
    before: Column, after: Column, keys: dict[str, object]
) -> None:
    assert _keys(before, after) == keys
