"""Golden SQL for the ``definer`` config key: MySQL/MariaDB CREATE VIEW, FUNCTION,
PROCEDURE and TRIGGER with ``DEFINER = …`` (regenerate with ``DBSHIFT_UPDATE_GOLDEN=1``),
and how the key's text is read."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dbshift.dialects import renderer_for
from dbshift.dialects.mysql.definer import Definer, parse_definer
from dbshift.errors import ConfigError
from dbshift.model import Routine, Schema, View
from dbshift.ops import CreateRoutine, CreateView

HERE = Path(__file__).parent
OPS = [
    CreateView(View(name="big orders", definition="SELECT 1 AS one", security_invoker=True)),
    CreateRoutine(
        Routine(
            kind="function",
            name="doubled",
            signature="x int",
            definition="CREATE FUNCTION `doubled`(`x` int) RETURNS int DETERMINISTIC RETURN x * 2",
        )
    ),
    CreateRoutine(
        Routine(
            kind="procedure",
            name="wipe",
            signature="",
            definition="CREATE PROCEDURE `wipe`() BEGIN DELETE FROM t; END",
        )
    ),
    CreateRoutine(
        Routine(
            kind="trigger",
            name="t_bi",
            table="t",
            definition="BEFORE INSERT FOR EACH ROW SET NEW.v = 1",
        )
    ),
]


@pytest.mark.parametrize(
    ("definer", "file"),
    [("'app''x\\'@'%'", "definer_account.sql"), ("CURRENT_USER", "definer_current_user.sql")],
)
def test_definer_is_rendered_as_the_golden_file(definer: str, file: str) -> None:
    text = "".join(f"{s};\n" for s in renderer_for("mysql", definer=definer).render(OPS, Schema()))
    path = HERE / "mysql" / file
    if os.environ.get("DBSHIFT_UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def test_without_a_definer_none_is_written() -> None:
    for sql in renderer_for("mysql").render(OPS, Schema()):
        assert "DEFINER" not in sql


def test_the_other_servers_ignore_it() -> None:
    view = OPS[:1]
    assert renderer_for("postgresql", definer="x@y").render(view, Schema()) == renderer_for(
        "postgresql"
    ).render(view, Schema())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("CURRENT_USER", Definer()),
        (" current_user ( ) ", Definer()),
        ("app@localhost", Definer("app", "localhost")),
        ("'app'@'%'", Definer("app", "%")),
        ('"o""k"@\'10.0.%\'', Definer('o"k', "10.0.%")),
        ("`we``ird` @ `h`", Definer("we`ird", "h")),
        ("'it''s'@h", Definer("it's", "h")),
    ],
)
def test_definer_text_is_read_as_an_account(text: str, expected: Definer) -> None:
    assert parse_definer(text) == expected


@pytest.mark.parametrize(
    "text", ["", "app", "'app'", "@h", "''@h", "a@b@c", "a@b c", f"{'u' * 33}@h", "'a'@'b'--"]
)
def test_anything_else_is_refused(text: str) -> None:
    with pytest.raises(ConfigError, match="definer"):
        parse_definer(text)
