"""Snapshot codec: every schema the model can hold survives JSON and back unchanged."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dbshift.model import Column, Identity, Index, IndexElement, ReferentialAction, Schema, Table
from dbshift.model.codec import SnapshotFormatError, dumps, loads
from dbshift.model.objects import ForeignKey, Routine, View
from tests.diff.test_convergence import schemas


@settings(max_examples=60, deadline=None)
@given(data=st.data(), dialect=st.sampled_from(["postgresql", "mysql", "sqlite"]))
def test_generated_schemas_round_trip(data: st.DataObject, dialect: str) -> None:
    schema = data.draw(schemas(dialect))
    text = dumps(schema)
    back = loads(text)
    assert back == schema
    # Decoding shares equal objects and encoding encodes a shared one once: neither
    # changes a byte of the text.
    assert dumps(back) == text


def test_every_kind_of_field_round_trips() -> None:
    table = Table(
        name='we"ird',
        schema="app",
        columns=(
            Column("id", "bigint", nullable=False, identity=Identity(always=True, start=5)),
            Column("é", "text", default="'x'::text", comment="ünïcode"),
        ),
        foreign_keys=(
            ForeignKey("fk", ("id",), "other", ("id",), on_delete=ReferentialAction.CASCADE),
        ),
        indexes=(Index("ix", (IndexElement("lower(é)", is_expression=True, descending=True),)),),
    )
    schema = Schema(
        tables=(table,),
        views=(View("v", "SELECT 1", materialized=True),),
        routines=(Routine("function", "f", "CREATE FUNCTION f() ...", signature="integer"),),
        namespaces=("app",),
    )
    back = loads(dumps(schema))
    assert back == schema
    assert back.tables[0].foreign_keys[0].on_delete is ReferentialAction.CASCADE


def test_defaults_are_left_out_and_unknown_fields_ignored() -> None:
    text = dumps(Schema(tables=(Table("t", columns=(Column("a", "int"),)),)))
    document = json.loads(text)
    assert document["schema"]["tables"][0]["columns"][0] == {"name": "a", "type": "int"}
    # A snapshot written by a newer dbshift with a field this one lacks still reads.
    document["schema"]["tables"][0]["columns"][0]["future_field"] = 1
    assert loads(json.dumps(document)).tables[0].columns[0] == Column("a", "int")


@pytest.mark.parametrize(
    "text", ["", "[]", '{"codec": 99, "schema": {}}', '{"codec": 1, "schema": []}']
)
def test_foreign_text_is_refused(text: str) -> None:
    with pytest.raises(SnapshotFormatError):
        loads(text)


def test_shared_and_equal_objects_encode_alike() -> None:
    """An object shared between tables encodes as the same JSON as equal copies do."""
    shared = Column("id", "bigint", nullable=False)
    one = Schema(tables=(Table("a", columns=(shared,)), Table("b", columns=(shared,))))
    two = Schema(
        tables=(
            Table("a", columns=(Column("id", "bigint", nullable=False),)),
            Table("b", columns=(Column("id", "bigint", nullable=False),)),
        )
    )
    assert dumps(one) == dumps(two)
    back = loads(dumps(one))
    assert back == one
    assert back.tables[0].columns[0] is back.tables[1].columns[0]  # decoded once


def test_equal_but_differently_typed_values_are_not_merged() -> None:
    """True == 1 and hash alike: the decoder's memo must still tell them apart."""
    column = {"name": "a", "type": "int"}
    document = {
        "codec": 1,
        "schema": {
            "tables": [
                {"name": "t", "columns": [{**column, "nullable": False}]},
                {"name": "u", "columns": [{**column, "nullable": 0}]},
            ]
        },
    }
    back = loads(json.dumps(document))
    assert back.tables[0].columns[0].nullable is False
    assert type(back.tables[1].columns[0].nullable) is int
