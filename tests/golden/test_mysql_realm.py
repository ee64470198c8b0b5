"""Golden SQL for MySQL/MariaDB objects of a realm's other databases and for a client
character set (regenerate with ``DBSHIFT_UPDATE_GOLDEN=1``): CREATE/DROP DATABASE, names
qualified with their database, a foreign key to the home database built on the server
(MySQL resolves an unqualified REFERENCES in the child's database), and SET SESSION
character_set_client around a CREATE."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dbshift.dialects import renderer_for
from dbshift.dialects.render import Unsupported
from dbshift.model import (
    ClientCharset,
    Column,
    ForeignKey,
    PrimaryKey,
    Routine,
    Schema,
    Table,
    View,
)
from dbshift.ops import (
    AddForeignKey,
    CreateRoutine,
    CreateSchema,
    CreateTable,
    CreateView,
    DropSchema,
)

HERE = Path(__file__).parent
LATIN1 = ClientCharset("latin1", "latin1_swedish_ci")
HOME_FK = ForeignKey(
    name="fk_customer", columns=("customer_id",), ref_table="cust`omers", ref_columns=("id",)
)
OPS = [
    CreateSchema("audit"),
    CreateTable(
        Table(
            name="events",
            schema="audit",
            columns=(Column("id", "int", nullable=False), Column("customer_id", "int")),
            primary_key=PrimaryKey(columns=("id",)),
            foreign_keys=(HOME_FK,),
        )
    ),
    AddForeignKey(
        on=("audit", "events"),
        constraint=ForeignKey(
            name="fk_same",
            columns=("id",),
            ref_table="other",
            ref_columns=("id",),
            ref_schema="audit",
        ),
    ),
    CreateRoutine(
        Routine(
            kind="function",
            name="event_count",
            schema="audit",
            definition="CREATE FUNCTION `event_count`() RETURNS int READS SQL DATA "
            "RETURN (SELECT count(*) FROM events)",
            client=LATIN1,
        )
    ),
    CreateRoutine(
        Routine(
            kind="trigger",
            name="events_bi",
            schema="audit",
            table="events",
            definition="BEFORE INSERT FOR EACH ROW SET NEW.id = abs(NEW.id)",
        )
    ),
    CreateView(
        View(
            name="recent",
            schema="audit",
            definition="select `audit`.`events`.`id` AS `id` from `audit`.`events`",
            client=ClientCharset("latin1", "utf8mb4_unicode_ci"),
        )
    ),
    DropSchema("old"),
]


def test_a_realm_is_rendered_as_the_golden_file() -> None:
    before = Schema(namespaces=("old",))
    text = "".join(f"{s};\n" for s in renderer_for("mysql").render(OPS, before))
    path = HERE / "mysql" / "realm.sql"
    if os.environ.get("DBSHIFT_UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def test_non_ascii_text_under_a_latin1_client_is_refused() -> None:
    view = View(name="v", definition="select 'café' AS `c`", client=LATIN1)
    with pytest.raises(Unsupported, match="character_set_client latin1 with non-ASCII"):
        renderer_for("mysql").render([CreateView(view)], Schema())
    utf8 = View(
        name="v",
        definition="select 'café' AS `c`",
        client=ClientCharset("utf8mb3", "utf8mb3_general_ci"),
    )
    assert renderer_for("mysql").render([CreateView(utf8)], Schema())[2].endswith("'café' AS `c`")
