"""The ``-- dbshift:batched`` directive and statement form, read without a database
(src/dbshift/migrations/batched.py, its parsing in sqlfile.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbshift.dialects import named
from dbshift.errors import MigrationFileError
from dbshift.migrations.batched import BatchOptions, parse_batched
from dbshift.migrations.sqlfile import parse_sql_migration

PATH = Path("V1__batched.sql")


def parse(text: str):  # type: ignore[no-untyped-def]
    return parse_sql_migration(PATH, text, named("postgresql"), {})


def test_the_directive_marks_the_next_statement_and_the_file_runs_without_a_transaction() -> None:
    parsed = parse(
        "-- dbshift:up\n"
        "ALTER TABLE users ADD COLUMN email_lower TEXT;\n"
        "-- dbshift:batched key=id size=500 target=200ms\n"
        "UPDATE users SET email_lower = lower(email)\n"
        "WHERE email_lower IS NULL;\n"
        "CREATE INDEX i ON users (email_lower);\n"
    )
    first, marked, last = parsed.up.statements
    assert first.batched is None and last.batched is None
    assert marked.line == 4
    form = marked.batched
    assert form is not None
    assert (form.verb, form.table, form.schema, form.alias) == ("UPDATE", "users", None, None)
    assert form.head == "UPDATE users SET email_lower = lower(email)"
    assert form.where == "email_lower IS NULL"
    assert (form.key, form.batch_size, form.target_seconds) == (("id",), 500, 0.2)
    assert parsed.transactional is False


def test_a_where_inside_a_subquery_or_a_string_is_not_the_statements_where() -> None:
    form = parse_batched(
        'DELETE FROM "app"."events" AS e '
        "WHERE e.kind = (SELECT max(kind) FROM kinds WHERE note = 'WHERE x') OR e.id < 0",
        BatchOptions(),
        path=PATH,
        line=3,
    )
    assert (form.verb, form.schema, form.table, form.alias) == ("DELETE", "app", "events", "e")
    assert form.table_sql == '"app"."events"' and form.alias_sql == "e"
    assert form.head == 'DELETE FROM "app"."events" AS e'
    assert form.where == "e.kind = (SELECT max(kind) FROM kinds WHERE note = 'WHERE x') OR e.id < 0"


def test_a_statement_without_where_batches_every_row() -> None:
    form = parse_batched("UPDATE t SET n = n + 1", BatchOptions(), path=PATH, line=2)
    assert form.where is None and form.head == "UPDATE t SET n = n + 1"


@pytest.mark.parametrize(
    ("sql", "why"),
    [
        ("INSERT INTO a SELECT * FROM b", "must be an UPDATE or a DELETE FROM on one table"),
        ("UPDATE a JOIN b ON a.id = b.id SET a.x = b.x", "has a top-level JOIN"),
        ("UPDATE a SET x = b.x FROM b WHERE a.id = b.id", "has a top-level FROM"),
        ("UPDATE a, b SET a.x = b.x", "names several tables"),
        ("DELETE FROM a ORDER BY id LIMIT 10", "has a top-level ORDER"),
        ("DELETE FROM a WHERE x = 1 RETURNING id", "has a top-level RETURNING"),
        ("DELETE FROM a USING b WHERE a.id = b.id", "has a top-level USING"),
    ],
)
def test_what_cannot_be_cut_into_key_ranges_is_refused_on_its_line(sql: str, why: str) -> None:
    with pytest.raises(MigrationFileError) as caught:
        parse("-- dbshift:up\n-- dbshift:batched\n" + sql + ";\n")
    assert why in str(caught.value)
    assert str(caught.value).startswith("V1__batched.sql:3:")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("-- dbshift:batched\n-- dbshift:up\nUPDATE a SET x = 1;\n", "before '-- dbshift:up'"),
        ("-- dbshift:up\nUPDATE a SET x = 1;\n-- dbshift:batched\n", "followed by no statement"),
        ("-- dbshift:up\n-- dbshift:batched size=0\nUPDATE a SET x = 1;\n", "size must be"),
        ("-- dbshift:up\n-- dbshift:batched rows=5\nUPDATE a SET x = 1;\n", "takes key="),
        (
            "-- dbshift:up\n-- dbshift:batched target=soon\nUPDATE a SET x = 1;\n",
            "target expects a duration",
        ),
    ],
)
def test_a_malformed_directive_is_a_file_error(text: str, message: str) -> None:
    with pytest.raises(MigrationFileError) as caught:
        parse(text)
    assert message in str(caught.value)


def test_the_directive_keeps_later_statements_line_numbers() -> None:
    parsed = parse("-- dbshift:up\n-- dbshift:batched\nDELETE FROM a WHERE old;\nSELECT 1;\n")
    assert [s.line for s in parsed.up.statements] == [3, 4]
