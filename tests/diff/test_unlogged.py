"""UNLOGGED is PostgreSQL's alone: the other dialects refuse such a table by name rather
than create it logged."""

from __future__ import annotations

import pytest

from dbshift.dialects import renderer_for
from dbshift.dialects.render import Unsupported
from dbshift.diff import diff
from dbshift.model import Column, Schema, Table

SCRATCH = Table(name="scratch", columns=(Column(name="id", type="integer"),), unlogged=True)


@pytest.mark.parametrize("dialect", ["mysql", "sqlite"])
def test_other_dialects_refuse_an_unlogged_table(dialect: str) -> None:
    with pytest.raises(Unsupported, match="table scratch: UNLOGGED: PostgreSQL only"):
        renderer_for(dialect).render(diff(Schema(), Schema(tables=(SCRATCH,))), Schema())


def test_postgres_creates_it_unlogged() -> None:
    sql = renderer_for("postgresql").render(diff(Schema(), Schema(tables=(SCRATCH,))), Schema())
    assert sql[0].startswith('CREATE UNLOGGED TABLE "scratch" (')
