"""A MySQL table collation left unset (None) is the database's default on either side of a
comparison (``Schema.defaults``): only a collation that really differs is a change."""

from __future__ import annotations

import pytest

from dbshift.diff import diff
from dbshift.model import Column, Schema, Table, TableOptions
from dbshift.ops import SetTableOptions

_DEFAULTS = TableOptions(engine="InnoDB", collation="latin1_swedish_ci")


def _schema(collation: str | None, defaults: TableOptions = _DEFAULTS) -> Schema:
    table = Table(
        name="notes",
        columns=(Column(name="body", type="varchar(40)"),),
        options=TableOptions(collation=collation),
    )
    return Schema(tables=(table,), defaults=defaults)


@pytest.mark.parametrize(
    ("current", "desired"),
    [(None, "latin1_swedish_ci"), ("latin1_swedish_ci", None), (None, None)],
    ids=["unset-current", "unset-desired", "both-unset"],
)
def test_an_unset_collation_is_the_databases_default_on_either_side(
    current: str | None, desired: str | None
) -> None:
    assert diff(_schema(current), _schema(desired)) == []


@pytest.mark.parametrize("current", [None, "latin1_swedish_ci"])
def test_a_collation_that_differs_from_the_default_is_still_a_change(current: str | None) -> None:
    # The column keeps its collation (stated, now that it is not the table's): an AlterColumn.
    op, *_ = diff(_schema(current), _schema("latin1_bin"))
    assert isinstance(op, SetTableOptions)
    assert (op.before.collation, op.after.collation) == ("latin1_swedish_ci", "latin1_bin")


def test_without_database_defaults_nothing_is_resolved() -> None:
    """PostgreSQL and SQLite schemas carry no defaults: the options compare as they are."""
    assert diff(_schema(None, TableOptions()), _schema(None, TableOptions())) == []
    (op,) = diff(_schema(None, TableOptions()), _schema("x", TableOptions()))
    assert isinstance(op, SetTableOptions)
