"""The statement splitter on the cases each client gets right, one dialect at a time."""

from __future__ import annotations

import pytest

from dbshift.dialects import named
from dbshift.errors import SplitError, UnknownDialect
from dbshift.migrations.splitter import split_sql


def sqls(text: str, dialect: str) -> list[str]:
    return [s.sql for s in split_sql(text, named(dialect))]


@pytest.mark.parametrize("dialect", ["postgresql", "mysql", "sqlite"])
def test_semicolons_inside_strings_and_comments_do_not_split(dialect: str) -> None:
    text = "SELECT 'a;b' /* c; */;\n-- d;\nSELECT 2;"
    assert sqls(text, dialect) == ["SELECT 'a;b' /* c; */", "SELECT 2"]


@pytest.mark.parametrize("dialect", ["postgresql", "mysql", "sqlite"])
def test_line_numbers_point_at_the_first_token(dialect: str) -> None:
    text = "\n-- header\n\nSELECT 1;\n/* x\n y */ SELECT\n 2;"
    assert [(s.sql, s.line) for s in split_sql(text, named(dialect), first_line=10)] == [
        ("SELECT 1", 13),
        ("SELECT\n 2", 15),
    ]


@pytest.mark.parametrize("dialect", ["postgresql", "mysql", "sqlite"])
def test_empty_statements_and_trailing_comments_vanish(dialect: str) -> None:
    assert sqls(";;\n -- only a comment\n/* and another */", dialect) == []
    assert sqls("SELECT 1 -- no semicolon at the end", dialect) == [
        "SELECT 1 -- no semicolon at the end"
    ]


def test_postgres_dollar_quotes_hold_semicolons() -> None:
    text = (
        "CREATE FUNCTION f() RETURNS trigger AS $body$\nBEGIN\n  NEW.x := 1; RETURN NEW;\n"
        "END;\n$body$ LANGUAGE plpgsql;\nSELECT $$a;b$$, $q$ $$ ; $q$;"
    )
    assert sqls(text, "postgresql") == [text.split(";\nSELECT")[0], "SELECT $$a;b$$, $q$ $$ ; $q$"]


def test_postgres_dollar_sign_in_identifier_is_not_a_quote() -> None:
    assert sqls("SELECT a$b, $1 FROM t; SELECT 2;", "postgresql") == [
        "SELECT a$b, $1 FROM t",
        "SELECT 2",
    ]


def test_postgres_comments_nest() -> None:
    assert sqls("SELECT 1 /* a /* b; */ c; */; SELECT 2;", "postgresql") == [
        "SELECT 1 /* a /* b; */ c; */",
        "SELECT 2",
    ]


def test_postgres_escape_strings_use_backslashes() -> None:
    assert sqls(r"SELECT E'it\'s;'; SELECT 'a\'; SELECT 3;", "postgresql") == [
        r"SELECT E'it\'s;'",
        r"SELECT 'a\'",
        "SELECT 3",
    ]


def test_postgres_begin_atomic_body_is_one_statement() -> None:
    body = (
        "CREATE OR REPLACE FUNCTION f(a int) RETURNS int LANGUAGE sql\n"
        "BEGIN ATOMIC\n  SELECT CASE WHEN a > 0 THEN 1 ELSE 2 END;\n  SELECT a;\nEND"
    )
    assert sqls(body + ";\nSELECT 1;", "postgresql") == [body, "SELECT 1"]


def test_postgres_parentheses_hold_semicolons_as_psql_does() -> None:
    rule = "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO log VALUES (1); NOTIFY t)"
    assert sqls(rule + "; SELECT 1;", "postgresql") == [rule, "SELECT 1"]
    assert sqls("SELECT (1); SELECT 2;", "mysql") == ["SELECT (1)", "SELECT 2"]


def test_postgres_transaction_begin_end_are_plain_statements() -> None:
    assert sqls("BEGIN; SELECT 1; END;", "postgresql") == ["BEGIN", "SELECT 1", "END"]


def test_mysql_delimiter_command_as_the_client_does() -> None:
    text = (
        "DELIMITER //\n"
        "CREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\n  SELECT 'x//y';\nEND//\n"
        "DELIMITER ;\n"
        "SELECT 2;"
    )
    statements = split_sql(text, named("mysql"))
    assert [s.sql for s in statements] == [
        "CREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\n  SELECT 'x//y';\nEND",
        "SELECT 2",
    ]
    assert [s.line for s in statements] == [2, 8]


def test_mysql_delimiter_glued_to_a_word() -> None:
    assert sqls("DELIMITER $$\nSELECT 1$$\nSELECT 2 $$", "mysql") == ["SELECT 1", "SELECT 2"]


def test_mysql_comment_rules() -> None:
    # '--' starts a comment only before whitespace; '#' always does; /*! */ is code.
    assert sqls("SELECT 1--1;\nSELECT 2 # x;\n;/*!40101 SET x=1 */;", "mysql") == [
        "SELECT 1--1",
        "SELECT 2 # x;",
        "/*!40101 SET x=1 */",
    ]


def test_mysql_backslash_escapes_in_strings() -> None:
    assert sqls(r"""SELECT 'a\';b'; SELECT "q\";"; SELECT 3;""", "mysql") == [
        r"SELECT 'a\';b'",
        r'SELECT "q\";"',
        "SELECT 3",
    ]


def test_sqlite_trigger_body_is_one_statement() -> None:
    trigger = (
        "CREATE TEMP TRIGGER tr AFTER UPDATE ON t BEGIN\n"
        "  UPDATE t SET n = n + 1 WHERE id = NEW.id;\n  SELECT 'end;';\nEND"
    )
    assert sqls(trigger + ";\nSELECT 1;", "sqlite") == [trigger, "SELECT 1"]


def test_sqlite_bracket_and_backtick_identifiers() -> None:
    assert sqls("SELECT [a;b], `c;d` FROM t; SELECT 2;", "sqlite") == [
        "SELECT [a;b], `c;d` FROM t",
        "SELECT 2",
    ]


@pytest.mark.parametrize(
    ("text", "dialect", "what", "line"),
    [
        ("SELECT 1;\n\nSELECT 'abc;", "postgresql", "quoted string", 3),
        ('SELECT "abc;', "sqlite", "quoted identifier", 1),
        ("SELECT 1;\n/* open", "mysql", "/* comment */", 2),
        ("SELECT $x$ never closed", "postgresql", "dollar-quoted string $x$", 1),
        ("\n\nDELIMITER\nSELECT 1", "mysql", "DELIMITER needs a delimiter", 3),
    ],
)
def test_unterminated_input_names_its_line(text: str, dialect: str, what: str, line: int) -> None:
    with pytest.raises(SplitError) as info:
        split_sql(text, named(dialect))
    assert what in info.value.message
    assert info.value.line == line


def test_unknown_dialect_is_refused() -> None:
    with pytest.raises(UnknownDialect, match="unknown dialect"):
        split_sql("SELECT 1", named("oracle"))


def test_pg_dump_restrict_lines_are_skipped_and_other_meta_commands_refused() -> None:
    dump = (
        "--\n-- PostgreSQL database dump\n--\n\n\\restrict abc123\n\n"
        "SET statement_timeout = 0;\nCREATE TABLE t (x text DEFAULT '\\n');\n"
        "\n\\unrestrict abc123\n"
    )
    assert [s.sql for s in split_sql(dump, named("postgresql"))] == [
        "SET statement_timeout = 0",
        "CREATE TABLE t (x text DEFAULT '\\n')",
    ]
    with pytest.raises(SplitError, match=r"psql meta-command \\connect is not SQL") as caught:
        split_sql("SELECT 1;\n\\connect other\n", named("postgresql"))
    assert caught.value.line == 2
    # Not at the start of a line, or in MySQL: not a meta-command.
    assert len(split_sql("SELECT E'\\\\x';", named("postgresql"))) == 1
