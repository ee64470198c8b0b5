"""Hostile identifiers survive create → inspect → diff with an empty diff, on each server."""

from __future__ import annotations

from dbshift.diff import DiffOptions, diff
from dbshift.model import Column, Index, IndexElement, PrimaryKey, Schema, Table
from tests.conftest import Database
from tests.diff.helpers import apply_ops, inspect_db
from tests.diff.test_convergence import TYPES

NAMES = [
    "select",
    'dou"ble',
    "back`tick",
    "it's",
    "semi;colon",
    "with space",
    "ünïcödé",
    "MixedCase",
    "%s",
    "%(x)s",
    "--comment",
    "/*c*/",
]


def test_hostile_names_round_trip(db: Database) -> None:
    kind = TYPES[db.backend][0]
    tables = []
    for i, name in enumerate(NAMES):
        tables.append(
            Table(
                name=name,
                columns=(
                    Column(name="id", type=kind, nullable=False),
                    Column(name=name, type=kind),
                ),
                primary_key=PrimaryKey(
                    ("id",), name=f"pk {i}" if db.backend == "postgresql" else None
                ),
                indexes=(Index(name=f"ix {name}", elements=(IndexElement(name),)),),
            )
        )
    wanted = Schema(tables=tuple(tables))
    options = DiffOptions(inline_foreign_keys=db.backend == "sqlite")
    apply_ops(db, diff(Schema(), wanted, options), Schema())
    seen = inspect_db(db)
    assert sorted(t.name for t in seen.tables) == sorted(NAMES)
    assert diff(seen, wanted, options) == []
