"""Script lines take the Dialect object: the terminator follows the server's client syntax
(the mysql client's DELIMITER command), the header the server's own safety table."""

from __future__ import annotations

import pytest

from dbshift.dialects import named
from dbshift.dialects.script import header, script_lines, terminated
from dbshift.migrations.splitter import split_sql
from tests.ops.samples import SAMPLES, before

BODY = "CREATE TRIGGER t BEFORE INSERT ON users FOR EACH ROW BEGIN SET NEW.id = 1; END"


def test_a_body_with_semicolons_goes_between_delimiters_where_the_client_has_them() -> None:
    mysql = named("mysql")
    line = terminated(BODY, mysql)
    assert line == f"DELIMITER $$\n{BODY}$$\nDELIMITER ;"
    # The splitter reads it back as the one statement it was.
    assert [s.sql for s in split_sql(line, mysql)] == [BODY]


@pytest.mark.parametrize("dialect", ["postgresql", "sqlite"])
def test_other_clients_end_each_statement_with_a_semicolon(dialect: str) -> None:
    assert terminated(BODY, named(dialect)) == f"{BODY};"
    assert terminated("DROP TABLE users", named("mysql")) == "DROP TABLE users;"


def test_the_header_rates_the_operation_on_the_dialect_it_is_given() -> None:
    op = SAMPLES["drop_column"]
    pg, lite = (header(op, named(d)) for d in ("postgresql", "sqlite"))
    assert pg.startswith(op.describe()) and lite.startswith(op.describe())
    assert "rewrite" not in pg and "rewrite" in lite
    assert "destructive" in pg and "destructive" in lite


@pytest.mark.parametrize("dialect", ["postgresql", "mysql", "sqlite"])
def test_script_lines_render_with_the_dialects_own_renderer(dialect: str) -> None:
    facts = named(dialect)
    op = SAMPLES["add_column"]
    lines, after = script_lines([op], before("add_column"), facts)
    assert lines[0] == f"-- {header(op, facts)}"
    rendered = facts.renderer().render([op], before("add_column"))
    assert lines[1:] == [terminated(sql, facts) for sql in rendered]
    assert after == op.apply(before("add_column"))


@pytest.mark.parametrize("dialect", ["postgresql", "mysql", "sqlite"])
def test_the_header_stays_one_comment_line_for_a_name_with_a_line_break(dialect: str) -> None:
    """A view named ``v<LF>nl`` put ``nl`` on a line of its own below ``-- drop view v``,
    where the client read it as SQL."""
    from dbshift.model import View
    from dbshift.ops import DropView

    text = header(DropView(View(name="v\nnl\r", definition="SELECT 1")), named(dialect))
    assert "\n" not in text and "\r" not in text
    assert "v\\nnl\\r" in text
