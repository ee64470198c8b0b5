"""PostgreSQL features one at a time, each a small schema of our own, judged by the
server: the schema is built in database A by psql, ``dbshift diff`` from an empty
database to A is run into B, and ``pg_dump --schema-only`` of A and B must be equal; then
the diff from A back to empty, run into B, must leave it as empty as the third database,
and a diff of A against B must find nothing left.

Each case is a feature a public schema or another tool's fixtures use that dbshift once
got wrong (the comment says how); what dbshift does not model is refused by name instead
(``test_unmodelled_features_are_refused_by_name``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.conftest import Database, fresh_databases
from tests.corpus.test_roundtrip_corpus import EVERY_SCHEMA, diff, pg_dump, psql

pytestmark = pytest.mark.postgres

FEATURES = {
    # CREATE DOMAIN takes no NOT VALID: the check was written inline and the plan failed
    # ("syntax error at or near VALID").
    "domain_check_not_valid": """
        CREATE DOMAIN code AS int NOT NULL DEFAULT 1 CONSTRAINT positive CHECK (VALUE > 0)
            CONSTRAINT small CHECK (VALUE < 1000);
        ALTER DOMAIN code ADD CONSTRAINT not_seven CHECK (VALUE <> 7) NOT VALID;
        ALTER DOMAIN code ADD CONSTRAINT "Not Eight" CHECK (VALUE <> 8) NOT VALID;
        CREATE TABLE item (c code, cs code[]);
    """,
    # PostgreSQL 15's column list after ON DELETE SET NULL / SET DEFAULT was dropped
    # silently: the generated key set every key column.
    "foreign_key_on_delete_set_columns": """
        CREATE TABLE account (org int, id int, PRIMARY KEY (org, id));
        CREATE TABLE note (org int NOT NULL, author int, editor int DEFAULT 0,
            FOREIGN KEY (org, author) REFERENCES account ON DELETE SET NULL (author),
            FOREIGN KEY (org, editor) REFERENCES account MATCH FULL
                ON DELETE SET DEFAULT (editor) ON UPDATE CASCADE);
    """,
    # COMMENT ON SCHEMA was left out of the model: a created schema came without it.
    "schema_comment": """
        CREATE SCHEMA "Sales";
        COMMENT ON SCHEMA "Sales" IS 'orders and what''s owed';
        CREATE TABLE "Sales".invoice (id int PRIMARY KEY);
    """,
    # An index's storage parameters were refused by name; they are modelled now.
    "index_storage_parameters": """
        CREATE TABLE reading (id int, at timestamptz, tags text[], v numeric);
        CREATE INDEX reading_at ON reading (at) WITH (fillfactor = 70, deduplicate_items = off);
        CREATE INDEX reading_tags ON reading USING gin (tags) WITH (fastupdate = off);
        CREATE INDEX reading_brin ON reading USING brin (at) WITH (pages_per_range = 16)
            WHERE v > 0;
    """,
}


@pytest.fixture
def three(tmp_path: Path) -> Iterator[list[Database]]:
    yield from fresh_databases("postgresql", tmp_path, 3)


def dev_url(url: str) -> str:
    return make_url(url).set(database="postgres").render_as_string(hide_password=False)


@pytest.mark.parametrize("name", sorted(FEATURES))
def test_feature_is_generated_whole_and_dropped_again(name: str, three: list[Database]) -> None:
    a, b, empty = (d.url for d in three)
    dev = dev_url(a)
    psql(a, FEATURES[name])

    up = diff(empty, a, dev, *EVERY_SCHEMA)
    psql(b, up)
    assert pg_dump(b) == pg_dump(a), up
    assert diff(a, b, dev, *EVERY_SCHEMA).strip() == "-- no differences"

    down = diff(a, empty, dev, *EVERY_SCHEMA)
    psql(b, down)
    assert pg_dump(b) == pg_dump(empty), down
